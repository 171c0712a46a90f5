"""The answer's draft: what a head has given so far, typed, and kept as JSON in ``answer_draft.data``.

``to_json`` writes the keys the bot has always stored, so drafts written by an earlier version resume.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from models.answers import LOCAL_SERVICES, BudgetImpact, Stance


@dataclass(frozen=True)
class Question:
    """One of the consultation's extra questions: ``kind`` is single, multi, scale, text, number or
    yesno. A template's question carries its wording in both languages (``texts``), its options'
    labels (``labels``, by locale; the answer stores the option itself) and, for a number, its unit."""

    id: int
    text: str
    kind: str
    options: tuple[str, ...] = ()  # what an answer stores: a typed question's Kyrgyz options or template keys
    text_ru: str | None = None  # a typed question's Russian wording and options (same order)
    options_ru: tuple[str, ...] = ()
    texts: tuple[tuple[str, str], ...] = ()  # a template's wording by locale
    labels: tuple[tuple[str, tuple[str, ...]], ...] = ()  # a template's option labels by locale
    unit: str | None = None
    key: str | None = None

    @property
    def step(self) -> str:
        return f"q{self.id}"

    def text_in(self, locale: str) -> str:
        """The question in ``locale`` ("ky" or "ru"); a question written in one language only has one."""
        typed = (self.text_ru or self.text) if locale == "ru" else self.text
        return dict(self.texts).get(locale) or typed

    def label(self, option: str, locale: str) -> str:
        """A stored option as a reader of ``locale`` sees it."""
        labels = dict(self.labels).get(locale)
        if labels and option in self.options:
            return labels[self.options.index(option)]
        if locale == "ru" and option in self.options and len(self.options_ru) == len(self.options):
            return self.options_ru[self.options.index(option)]
        return option

    @classmethod
    def from_json(cls, item: Mapping[str, Any]) -> Question:
        return cls(
            int(item["id"]),
            str(item["text"]),
            str(item["type"]),
            tuple(item.get("options") or ()),
            item.get("text_ru"),
            tuple(item.get("options_ru") or ()),
            tuple(sorted((str(k), str(v)) for k, v in (item.get("texts") or {}).items())),
            tuple(sorted((str(k), tuple(v)) for k, v in (item.get("labels") or {}).items())),
            item.get("unit") or None,
            item.get("key") or None,
        )


@dataclass
class AmendmentData:
    article: str = ""
    wording: str = ""
    justification: str | None = None

    def to_json(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        if self.article:
            values["article"] = self.article
        if self.wording:
            values["wording"] = self.wording
        if self.justification:
            values["justification"] = self.justification
        return values

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> AmendmentData:
        return cls(data.get("article") or "", data.get("wording") or "", data.get("justification") or None)


@dataclass(frozen=True)
class Attachment:
    file_id: str
    kind: str  # "document" or "photo"
    name: str | None = None
    size: int = 0  # only checked on arrival, not stored

    def to_json(self) -> dict[str, Any]:
        return {"file_id": self.file_id, "kind": self.kind, "name": self.name}


ExtraValue = str | int | float | bool | list[str]


@dataclass
class AnswerDraftData:
    """What the head has given so far; ``history`` the steps behind, for «Back»."""

    stance: Stance | None = None
    impact: BudgetImpact | None = None
    cost: int | None = None
    mandate: bool | None = None
    services: list[str] = field(default_factory=list)
    comment: str | None = None
    amendments: list[AmendmentData] = field(default_factory=list)
    current: AmendmentData | None = None  # the amendment being written
    attachments: list[Attachment] = field(default_factory=list)
    extra: dict[str, ExtraValue] = field(default_factory=dict)  # by question id, as a string
    history: list[str] = field(default_factory=list)
    # Where a text sent in parts stands (bot.services.answers.join_part keeps it; opaque here).
    paste: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"history": list(self.history)}
        if self.stance is not None:
            data["stance"] = self.stance.value
        if self.impact is not None:
            data["impact"] = self.impact.value
        if self.cost is not None:
            data["cost"] = self.cost
        if self.mandate is not None:
            data["mandate"] = self.mandate
        if self.services:
            data["services"] = list(self.services)
        if self.comment:
            data["comment"] = self.comment
        if self.amendments:
            data["amendments"] = [a.to_json() for a in self.amendments]
        if self.current is not None:
            data["current"] = self.current.to_json()
        if self.attachments:
            data["attachments"] = [a.to_json() for a in self.attachments]
        if self.extra:
            data["extra"] = copy.deepcopy(self.extra)
        data.update(copy.deepcopy(self.paste))
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> AnswerDraftData:
        """A stored draft; values that no longer mean anything are dropped rather than trusted."""
        stance = data.get("stance")
        impact = data.get("impact")
        current = data.get("current")
        return cls(
            stance=Stance(stance) if stance in set(Stance) else None,
            impact=BudgetImpact(impact) if impact in set(BudgetImpact) else None,
            cost=data.get("cost") if isinstance(data.get("cost"), int) else None,
            mandate=data.get("mandate") if isinstance(data.get("mandate"), bool) else None,
            services=[s for s in data.get("services") or [] if s in LOCAL_SERVICES],
            comment=data.get("comment") or None,
            amendments=[AmendmentData.from_json(a) for a in data.get("amendments") or []],
            current=AmendmentData.from_json(current) if isinstance(current, Mapping) else None,
            attachments=[
                Attachment(a["file_id"], a.get("kind", "document"), a.get("name"))
                for a in data.get("attachments") or []
            ],
            extra=dict(copy.deepcopy(data.get("extra") or {})),
            history=list(data.get("history") or []),
            paste={k: copy.deepcopy(data[k]) for k in ("in_parts", "refused_paste") if k in data},
        )

    def finish_amendment(self) -> None:
        """The amendment being written joins the list (its justification may be missing)."""
        current, self.current = self.current, None
        if current is not None and current.article and current.wording:
            self.amendments.append(current)
