"""What an import changes: counts per kind of unit and a few example lines (data; the channel words it)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

MAX_EXAMPLES = 30  # enough to recognise the change, short enough for one Telegram message


class Unit(enum.StrEnum):
    OBLAST = "oblast"
    DISTRICT = "district"
    MUNICIPALITY = "municipality"
    ASSOCIATION = "association"
    MEMBERSHIP = "membership"


class ChangeAction(enum.StrEnum):
    ADDED = "+"
    UPDATED = "~"
    REMOVED = "-"


@dataclass(frozen=True)
class FieldChange:
    """One column's value before and after, named as in the file (population, name_ky, ...)."""

    column: str
    old: str | int | None
    new: str | int | None


@dataclass(frozen=True)
class Change:
    """One example line of the summary."""

    action: ChangeAction
    unit: Unit
    name: str
    soate: str | None = None
    fields: tuple[FieldChange, ...] = ()
    association: str | None = None  # memberships only


@dataclass
class Counts:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0  # memberships only: units missing from the file are kept, never deleted

    @property
    def changed(self) -> int:
        return self.added + self.updated + self.removed

    @property
    def total(self) -> int:
        return self.changed + self.unchanged

    def as_dict(self) -> dict[str, int]:
        return {
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "removed": self.removed,
        }


@dataclass
class RegistryChanges:
    """What an import changed, or in a dry run would change."""

    dry_run: bool
    oblasts: Counts = field(default_factory=Counts)
    districts: Counts = field(default_factory=Counts)
    municipalities: Counts = field(default_factory=Counts)
    associations: Counts = field(default_factory=Counts)
    memberships: Counts = field(default_factory=Counts)
    not_in_file: int = 0  # municipalities in the database that the file does not mention (kept)
    examples: list[Change] = field(default_factory=list)

    @property
    def changed(self) -> int:
        return sum(counts.changed for counts in self._all().values())

    def _all(self) -> dict[str, Counts]:
        return {
            "oblasts": self.oblasts,
            "districts": self.districts,
            "municipalities": self.municipalities,
            "associations": self.associations,
            "memberships": self.memberships,
        }

    def as_dict(self) -> dict[str, Any]:
        """The counts, for the audit log."""
        counts: dict[str, Any] = {name: counts.as_dict() for name, counts in self._all().items()}
        counts["not_in_file"] = self.not_in_file
        return counts

    def note(self, change: Change) -> None:
        if len(self.examples) < MAX_EXAMPLES:
            self.examples.append(change)

