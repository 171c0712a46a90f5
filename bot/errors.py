"""Errors that mean "tell the user": each carries a message key and the values it needs.

Services and flows raise them without knowing the user's language; the channel translates them
(``bot.i18n.error_text``), and one error handler shows them (a reply to a message, an alert on a
button), so no handler needs its own try/except, and nothing already saved is touched.
"""

from __future__ import annotations

from typing import Any, NamedTuple


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


class FieldProblem(NamedTuple):
    """One problem of a described record: the field it is about (None: the record as a whole), the
    message key and its values."""

    field: str | None
    key: str
    params: dict[str, Any]


class InvalidFields(InvalidInput):
    """Several problems found at once (a description read from a file), each with its field, so the
    author can fix them all in one go; ``bot.i18n.error_text`` writes one line per problem."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        first = problems[0]
        super().__init__(first.key, **first.params)
        self.problems = problems

    def __str__(self) -> str:
        return "\n".join(
            (f"{p.field}: " if p.field else "") + (p.key.format(**p.params) if p.params else p.key)
            for p in self.problems
        )


class StaleAction(UserFacingError):
    """A button or link that no longer applies (already decided, expired, forged)."""


class AlreadyDone(StaleAction):
    """The action was already carried out (a repeated press, or another person or process was first):
    nothing went wrong, and nothing is done twice."""


def stale_button() -> StaleAction:
    """The refusal for a button from an old message, a finished step, or with forged data."""
    return StaleAction(N_("This button is no longer active. Please use the latest message."))
