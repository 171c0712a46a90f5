"""Errors that mean "tell the user": each carries a message in the user's language.

Services raise them; one error handler shows them (a reply to a message, an alert on a button), so
no handler needs its own try/except, and nothing already saved is touched.
"""

from __future__ import annotations

from typing import Any


class UserFacingError(Exception):
    """A refusal the user should read; ``message`` is a (lazy) translated string."""

    def __init__(self, message: Any) -> None:
        super().__init__(str(message))
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


class NotAllowed(UserFacingError):
    """The user's role or municipality does not permit this action."""


class InvalidInput(UserFacingError):
    """The text, number or file the user sent cannot be accepted as it is."""


class StaleAction(UserFacingError):
    """A button or link that no longer applies (already decided, expired, forged)."""


class AlreadyDone(StaleAction):
    """The action was already carried out (a repeated press, or another person or process was first):
    nothing went wrong, and nothing is done twice."""


def stale_button() -> StaleAction:
    """The refusal for a button from an old message, a finished step, or with forged data."""
    from bot.i18n import _

    return StaleAction(_("This button is no longer active. Please use the latest message."))
