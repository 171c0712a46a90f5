"""Multi-step conversations as channel-free state machines (the answer, the wizard, the sign-up).

A flow knows its steps, their order, which may be skipped and which depend on earlier answers, and
how to check what the person gave at a step. It holds a typed draft and returns data: the step to
show next, or a refusal as a message key. It never imports aiogram and never translates: a channel
(Telegram today) renders steps and keys in the reader's language, so a second messenger only renders.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.errors import N_, UserFacingError

# Refusals every flow gives the same way.
USE_BUTTONS = N_("Please use the buttons of this step.")
NOT_SKIPPABLE = N_("This step cannot be skipped.")
TEXT_ONLY = N_("Please send this as a text message.")


@dataclass(frozen=True)
class Moved:
    """The input was accepted; ``step`` is the step to show now."""

    step: str


@dataclass(frozen=True)
class Refused:
    """The input was not accepted and nothing changed; ``key`` is an ``N_`` message key."""

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_error(cls, error: UserFacingError) -> Refused:
        return cls(error.key, dict(error.params))


Outcome = Moved | Refused
