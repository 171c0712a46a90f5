"""Answers: a municipality's official opinion on a consultation, every version kept, and drafts."""

from __future__ import annotations

import enum
import re
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, UTCDateTime, enum_column


class Stance(enum.StrEnum):
    SUPPORT = "support"
    SUPPORT_WITH_AMENDMENTS = "amend"
    OPPOSE = "oppose"
    NO_OPINION = "none"


class BudgetImpact(enum.StrEnum):
    NONE = "none"
    EXTRA_COSTS = "costs"
    LOST_REVENUE = "revenue"
    BOTH = "both"


LOCAL_SERVICES = (
    "water",
    "roads",
    "waste",
    "schools",
    "kindergartens",
    "health",
    "culture",
    "pastures",
    "land",
    "social",
    "transport",
    "other",
)


# Words that name a part of an act, in Russian and Kyrgyz, ranked from the largest part down.
_PART_WORDS = (
    ("art", re.compile(r"^(стать\w*|ст|берене\w*|article|art)$")),
    ("part", re.compile(r"^(част\w*|ч|бөлүг\w*|бөлүк\w*|part)$")),
    ("point", re.compile(r"^(пункт(?!ча)\w*|п|point)$")),
    ("sub", re.compile(r"^(подпункт\w*|пп|пунктча\w*|subpoint)$")),  # «пп. 3 п. 2» is not «п. 3»
    ("para", re.compile(r"^(абзац\w*|абз)$")),
)
_REFERENCE_TOKEN = re.compile(r"\d+(?:[.\-]\d+)*|[^\W\d_]+")
# Words that add nothing to a reference («статья 5 закона», «мыйзамдын 5-беренеси»).
_FILLER = re.compile(r"^(закон\w*|мыйзам\w*|проект\w*|долбоор\w*|редакци\w*|.{1,2})$")


def article_key(reference: str) -> str:
    """The same article written differently gives the same key: «ст. 5 ч. 2», «Статья 5, часть 2»,
    «5-берененин 2-бөлүгү» all give «art5 part2». Unrecognised references keep their words."""
    tokens = _REFERENCE_TOKEN.findall(reference.casefold().replace("ё", "е"))
    parts: dict[int, str] = {}
    rest: list[str] = []
    label: tuple[int, str] | None = None  # a part word waiting for its number («статья 5»)
    number: str | None = None  # a number waiting for its part word («5-берене»)
    for token in tokens:
        word = next(((rank, name) for rank, (name, p) in enumerate(_PART_WORDS) if p.match(token)), None)
        if token[0].isdigit():
            if label is not None:
                parts.setdefault(label[0], label[1] + token)
                label = None
            else:
                if number is not None:
                    rest.append(number)
                number = token
        elif word is not None:
            if number is not None:
                parts.setdefault(word[0], word[1] + number)
                number = None
            else:
                label = word
        elif not _FILLER.match(token):
            rest.append(token)
    if number is not None:
        rest.append(number)
    key = " ".join([parts[rank] for rank in sorted(parts)] + rest)
    return (key or reference.strip().casefold())[:200]


class Answer(Base):
    """One submitted version; exactly one version per consultation and municipality is current."""

    __tablename__ = "answer"
    __table_args__ = (
        UniqueConstraint("consultation_id", "municipality_id", "version"),
        # The database itself guarantees one current answer per municipality, even under races.
        Index(
            "uq_answer_current",
            "consultation_id",
            "municipality_id",
            unique=True,
            sqlite_where=text("is_current"),
            postgresql_where=text("is_current"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultation.id", ondelete="CASCADE"), index=True
    )
    municipality_id: Mapped[int] = mapped_column(
        ForeignKey("municipality.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int] = mapped_column(Integer)
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    by_deputy: Mapped[bool] = mapped_column(Boolean, default=False)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    stance: Mapped[Stance] = mapped_column(enum_column(Stance, 24))
    budget_impact: Mapped[BudgetImpact | None] = mapped_column(enum_column(BudgetImpact, 24))
    annual_cost: Mapped[int | None] = mapped_column(BigInteger)  # som a year
    unfunded_mandate: Mapped[bool | None] = mapped_column(Boolean)
    services: Mapped[list[str]] = mapped_column(JSON, default=list)
    comment: Mapped[str | None] = mapped_column(Text)
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    extra_answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    amendments: Mapped[list[Amendment]] = relationship(
        lazy="selectin", order_by="Amendment.position", cascade="all, delete-orphan"
    )


class Amendment(Base):
    __tablename__ = "amendment"

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("answer.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    article: Mapped[str] = mapped_column(String(200))
    # The article reference normalised («ст. 5 ч. 2», «Статья 5, часть 2», «5-берене, 2-бөлүк» alike),
    # so that the same article proposed in different words is one group in the position.
    article_key: Mapped[str] = mapped_column(String(200), default="", index=True)
    wording: Mapped[str] = mapped_column(Text)
    justification: Mapped[str | None] = mapped_column(Text)


class AnswerDraft(Base):
    """A half-finished answer: kept in the database so it survives restarts and the next day."""

    __tablename__ = "answer_draft"
    __table_args__ = (UniqueConstraint("user_id", "consultation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultation.id", ondelete="CASCADE"))
    step: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Raised by every write; a write made from a stale read matches no row (StaleDataError), so two
    # updates of one user handled at once cannot overwrite each other (bot.services.answers).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))

    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": version}
