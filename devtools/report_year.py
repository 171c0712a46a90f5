"""A year of consultations written straight into the database, for the annual report's tests and
benchmark: each consultation described by a spec (targets, answers, decisions), inserted in bulk.

The specs are plain data, so a test can compute what every indicator should be from them by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from models import Amendment, Answer, Position, ProposalDecision, ProposalGroup, Stance
from models.answers import article_key
from models.consultations import (
    Consultation,
    ConsultationEvent,
    ConsultationKind,
    ConsultationStatus,
    ConsultationTarget,
)
from models.surveys import FollowUp

CHUNK = 2_000


@dataclass
class AnswerSpec:
    municipality_id: int
    stance: Stance = Stance.SUPPORT
    cost: int | None = None
    unfunded: bool | None = None
    articles: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)
    earlier_versions: int = 0  # replaced answers before the current one: never counted


@dataclass
class ConsultationSpec:
    published_at: datetime
    targets: list[int]
    answers: list[AnswerSpec] = field(default_factory=list)
    title: str = "Законопроект"
    topics: list[str] = field(default_factory=lambda: ["local_budget"])
    initiator: str | None = None
    kind: ConsultationKind = ConsultationKind.BILL
    template: str | None = None
    follows_id: int | None = None
    follow_up_months: int | None = None
    extra_questions: list[dict[str, Any]] = field(default_factory=list)
    status: ConsultationStatus = ConsultationStatus.CLOSED
    adopted_after: timedelta | None = None
    decisions: dict[str, ProposalDecision] = field(default_factory=dict)  # by article as written
    in_force_at: datetime | None = None


async def insert_consultation(session: AsyncSession, spec: ConsultationSpec) -> int:
    """The consultation, its targets, answers (with earlier versions), amendments and position."""
    published = spec.published_at
    consultation = Consultation(
        status=spec.status,
        kind=spec.kind,
        template=spec.template,
        follows_id=spec.follows_id,
        title_ky=spec.title,
        title_ru=spec.title,
        topics=list(spec.topics),
        initiator=spec.initiator,
        audience={"kind": "list", "ids": list(spec.targets)},
        deadline=published + timedelta(days=14),
        extra_questions=spec.extra_questions,
        created_at=published - timedelta(days=1),
        published_at=published,
        closed_at=published + timedelta(days=14) if spec.status is not ConsultationStatus.OPEN else None,
    )
    session.add(consultation)
    await session.flush()
    cid = consultation.id
    session.add(ConsultationEvent(consultation_id=cid, from_status=None, to_status=spec.status, at=published))
    await _bulk(
        session, ConsultationTarget, [{"consultation_id": cid, "municipality_id": m} for m in spec.targets]
    )
    rows = []
    for answer in spec.answers:
        for version in range(1, answer.earlier_versions + 2):
            current = version == answer.earlier_versions + 1
            rows.append(
                {
                    "consultation_id": cid,
                    "municipality_id": answer.municipality_id,
                    "version": version,
                    "is_current": current,
                    "by_deputy": False,
                    "submitted_at": published + timedelta(days=1, minutes=version),
                    # An earlier version says something else: counting it would show.
                    "stance": answer.stance if current else Stance.OPPOSE,
                    "annual_cost": answer.cost if current else 999_999_999,
                    "unfunded_mandate": answer.unfunded if current else True,
                    "services": [],
                    "attachments": [],
                    "extra_answers": answer.extra if current else {},
                }
            )
    await _bulk(session, Answer, rows)
    with_articles = {a.municipality_id: a.articles for a in spec.answers if a.articles}
    if with_articles:
        ids = dict(
            (
                await session.execute(
                    select(Answer.municipality_id, Answer.id).where(
                        Answer.consultation_id == cid, Answer.is_current.is_(True)
                    )
                )
            ).all()
        )
        await _bulk(
            session,
            Amendment,
            [
                {
                    "answer_id": ids[mid],
                    "position": index,
                    "article": article,
                    "article_key": article_key(article),
                    "wording": "Новая редакция.",
                }
                for mid, articles in with_articles.items()
                for index, article in enumerate(articles)
            ],
        )
    if spec.status not in (ConsultationStatus.OPEN, ConsultationStatus.DRAFT):
        adopted = published + spec.adopted_after if spec.adopted_after is not None else None
        session.add(
            Position(
                consultation_id=cid,
                text_ky="…",
                text_ru="…",
                drafted_at=published + timedelta(days=14),
                adopted_at=adopted,
                in_force_at=spec.in_force_at,
            )
        )
    for article, decision in spec.decisions.items():
        session.add(ProposalGroup(consultation_id=cid, article_key=article_key(article), decision=decision))
    if spec.follows_id is not None:
        session.add(
            FollowUp(
                consultation_id=spec.follows_id,
                months=spec.follow_up_months or 6,
                due_at=published,
                created_at=published - timedelta(days=180),
                survey_id=cid,
                sent_at=published,
            )
        )
    await session.commit()
    return cid


async def _bulk(session: AsyncSession, model: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), CHUNK):
        await session.execute(insert(model), rows[start : start + CHUNK])
