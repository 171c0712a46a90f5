"""The consultation wizard's typed draft and what a person can give at its steps (``bot.flows.wizard``).

``Draft.from_row`` reads the draft consultation row; ``Draft.column`` names what to write back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from models import MunicipalityKind
from models.consultations import Consultation


class Topic(StrEnum):
    INTER_BUDGET = "inter_budget"
    LOCAL_BUDGET = "local_budget"
    LAND = "land"
    WATER = "water"
    EDUCATION = "education"
    HEALTH = "health"
    INFRASTRUCTURE = "infrastructure"
    SOCIAL = "social"
    OTHER = "other"


class AudienceKind(StrEnum):
    ALL = "all"
    OBLASTS = "oblasts"
    DISTRICTS = "districts"
    KINDS = "kinds"
    ASSOCIATION = "association"
    LIST = "list"


class QuestionType(StrEnum):
    SINGLE = "single"
    MULTI = "multi"
    SCALE = "scale"
    TEXT = "text"
    NUMBER = "number"  # a whole number (a count); the answer's flow checks it
    YESNO = "yesno"


OPTIONS_MIN, OPTIONS_MAX, OPTION_MAX_LENGTH = 2, 8, 60
WITH_OPTIONS = frozenset({QuestionType.SINGLE, QuestionType.MULTI})
# The kinds whose choice is a set of row ids (the kinds of municipality are an Enum instead).
BY_ID = frozenset({AudienceKind.OBLASTS, AudienceKind.DISTRICTS, AudienceKind.ASSOCIATION})


# ---- the typed draft ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Document:
    file_id: str
    name: str
    size: int | None = None


@dataclass(frozen=True)
class Audience:
    kind: AudienceKind = AudienceKind.ALL
    ids: tuple[int, ...] = ()
    kinds: tuple[MunicipalityKind, ...] = ()

    @property
    def chosen(self) -> bool:
        """Something is chosen (everyone always is)."""
        return self.kind is AudienceKind.ALL or bool(self.ids or self.kinds)

    def as_json(self) -> dict[str, Any]:
        if self.kind is AudienceKind.ALL:
            return {"kind": "all"}
        if self.kind is AudienceKind.LIST:
            return {"kind": "list", "ids": list(self.ids)}
        return {"kind": self.kind.value, "ids": list(self.ids), "kinds": [k.value for k in self.kinds]}

    @classmethod
    def from_json(cls, value: dict[str, Any] | None) -> Audience:
        value = value or {}
        return cls(
            AudienceKind(value.get("kind", "all")),
            tuple(sorted(int(i) for i in value.get("ids", []))),
            tuple(MunicipalityKind(k) for k in value.get("kinds", [])),
        )


@dataclass(frozen=True)
class ExtraQuestion:
    """A question of the consultation's own, in Kyrgyz (``text``, ``options``) and Russian.

    ``options`` are also what an answer stores (the key of a tally), whatever the head's language;
    ``options_ru`` are their Russian labels, in the same order."""

    id: int
    text: str
    type: QuestionType
    options: tuple[str, ...] = ()
    text_ru: str | None = None
    options_ru: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        value: dict[str, Any] = {
            "id": self.id,
            "text": self.text,
            "type": self.type.value,
            "options": list(self.options),
        }
        # Written by this version only; a question stored before it is read back exactly as it was.
        if self.text_ru is not None:
            value["text_ru"] = self.text_ru
        if self.options_ru:
            value["options_ru"] = list(self.options_ru)
        return value

    @classmethod
    def from_json(cls, item: dict[str, Any]) -> ExtraQuestion:
        return cls(
            int(item["id"]),
            item["text"],
            QuestionType(item["type"]),
            tuple(item.get("options", [])),
            item.get("text_ru"),
            tuple(item.get("options_ru") or ()),
        )


@dataclass(frozen=True)
class Draft:
    """What the coordinator has given so far; every field may still be empty."""

    id: int
    title_ky: str | None = None
    title_ru: str | None = None
    summary_ky: str | None = None
    summary_ru: str | None = None
    source_url: str | None = None
    document: Document | None = None
    initiator: str | None = None
    committee: str | None = None
    topics: frozenset[Topic] = frozenset()
    inter_budget: bool = False
    audience: Audience = Audience()
    deadline: datetime | None = None
    questions: tuple[ExtraQuestion, ...] = ()

    @property
    def sorted_topics(self) -> list[Topic]:
        """The topics in the table's order."""
        return [topic for topic in Topic if topic in self.topics]

    @classmethod
    def from_row(cls, row: Consultation) -> Draft:
        document = None
        if row.document_file_id:
            document = Document(row.document_file_id, row.document_name or "", row.document_size)
        return cls(
            id=row.id,
            title_ky=row.title_ky,
            title_ru=row.title_ru,
            summary_ky=row.summary_ky,
            summary_ru=row.summary_ru,
            source_url=row.source_url,
            document=document,
            initiator=row.initiator,
            committee=row.committee,
            topics=frozenset(Topic(t) for t in row.topics or []),
            inter_budget=bool(row.inter_budget),
            audience=Audience.from_json(row.audience),
            deadline=row.deadline,
            questions=tuple(ExtraQuestion.from_json(q) for q in row.extra_questions or []),
        )

    def column(self, name: str) -> dict[str, Any]:
        """The row's columns for one field of the draft."""
        if name == "document":
            doc = self.document
            return {
                "document_file_id": doc and doc.file_id,
                "document_name": doc and doc.name,
                "document_size": doc and doc.size,
            }
        if name == "topics":
            return {"topics": sorted(t.value for t in self.topics)}
        if name == "audience":
            return {"audience": self.audience.as_json()}
        if name == "questions":
            return {"extra_questions": [q.as_json() for q in self.questions]}
        return {name: getattr(self, name)}


# ---- what the person gives ---------------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    text: str | None


@dataclass(frozen=True)
class File:
    file_id: str
    name: str | None
    size: int | None


@dataclass(frozen=True)
class ToggleTopic:
    topic: Topic


@dataclass(frozen=True)
class InterBudget:
    yes: bool


@dataclass(frozen=True)
class ChooseAudience:
    kind: AudienceKind


@dataclass(frozen=True)
class TogglePlace:
    """An oblast, district or association by id."""

    id: int


@dataclass(frozen=True)
class ToggleKind:
    kind: MunicipalityKind


@dataclass(frozen=True)
class Listed:
    """A typed list of municipalities, looked up: the ids found, the items not found, and the names
    several municipalities bear, each with its choices told apart (asked about, never all taken)."""

    ids: tuple[int, ...]
    unknown: tuple[str, ...] = ()
    ambiguous: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True)
class DeadlineIn:
    """A quick choice of deadline: so many days from today, at the usual hour."""

    days: int


@dataclass(frozen=True)
class Done:
    """«Next» on the topics and the questions, «Done» on a choice of places."""


@dataclass(frozen=True)
class AddQuestion:
    pass


@dataclass(frozen=True)
class ChooseQuestionType:
    type: QuestionType


Input = (
    Text
    | File
    | ToggleTopic
    | InterBudget
    | ChooseAudience
    | TogglePlace
    | ToggleKind
    | Listed
    | DeadlineIn
    | Done
    | AddQuestion
    | ChooseQuestionType
)


def split_list(text: str | None) -> list[str]:
    """The items of a typed list of municipalities: separated by commas or new lines, but not by a comma
    inside brackets, as in «Ак-Дебен (Жети-Огузский район, Иссык-Кульская область)»."""
    items: list[str] = []
    current: list[str] = []
    depth = 0
    for char in (text or "") + "\n":
        depth = max(depth + {"(": 1, ")": -1}.get(char, 0), 0)
        if char == "\n" or (char == "," and depth == 0):
            items.append("".join(current).strip())
            current = []
            depth = 0  # an unclosed bracket ends with its line
        else:
            current.append(char)
    return [item for item in items if item]


def typed_options(text: str | None) -> tuple[str, ...]:
    """The options typed one per line; empty when there are too few, too many or one is too long."""
    options = tuple(line.strip() for line in (text or "").splitlines() if line.strip())
    if not OPTIONS_MIN <= len(options) <= OPTIONS_MAX or any(len(o) > OPTION_MAX_LENGTH for o in options):
        return ()
    return options
