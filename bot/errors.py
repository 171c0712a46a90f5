"""Errors that mean "tell the user": each carries a message key and the values it needs.

Services and flows raise them without knowing the user's language; the channel translates them
(``bot.i18n.error_text``), and one error handler shows them (a reply to a message, an alert on a
button), so no handler needs its own try/except, and nothing already saved is touched.
"""

from __future__ import annotations

from typing import Any


def N_(message: str) -> str:
    """Mark an English message as a key for the catalogs without translating it (gettext's "noop").

    The domain returns such keys; only the channel layer translates them, in the reader's language.
    """
    return message


class UserFacingError(Exception):
    """A refusal the user should read: ``key`` is an English msgid marked with ``N_``, ``params``
    fill its ``{placeholders}`` once translated."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key = str(key)
        self.params = params

    def __str__(self) -> str:
        """The untranslated text, for logs; people read ``bot.i18n.error_text(error)``."""
        return self.key.format(**self.params) if self.params else self.key


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
    return StaleAction(N_("This button is no longer active. Please use the latest message."))
