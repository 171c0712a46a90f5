"""Whose call it is: a reply to a person (first) or a delivery from the outbox (from what is left).

A call is interactive unless the code making it said otherwise: handlers need not do anything, and the
outbox marks its sends and progress edits with ``as_delivery()``. The outbox also hands each send a
``CallState``, so that a graceful stop can tell a send still waiting for its turn (safe to cancel: it
is given back to the queue) from one whose request is already on its way to Telegram.
"""

from __future__ import annotations

import contextlib
import enum
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass


class Priority(enum.IntEnum):
    INTERACTIVE = 0
    DELIVERY = 1


@dataclass
class CallState:
    """Set by the budget middleware while a delivery's request is on its way."""

    requesting: bool = False
    started: bool = False  # at least one request went out


_priority: ContextVar[Priority] = ContextVar("pikir_call_priority", default=Priority.INTERACTIVE)
_call_state: ContextVar[CallState | None] = ContextVar("pikir_call_state", default=None)


def current_priority() -> Priority:
    return _priority.get()


def current_call_state() -> CallState | None:
    return _call_state.get()


@contextlib.contextmanager
def as_delivery(state: CallState | None = None) -> Iterator[None]:
    """The Bot API calls made inside are deliveries: they wait behind replies to people."""
    priority, call = _priority.set(Priority.DELIVERY), _call_state.set(state)
    try:
        yield
    finally:
        _call_state.reset(call)
        _priority.reset(priority)
