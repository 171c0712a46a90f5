"""What the documents of a consultation are made of: its answers with their place in the registry,
the position and its summary, read with a few queries (data only; ``bot.documents`` builds the files).

The builders are plain functions of this data (no database, no Telegram), so a handler can run them in
a thread while the bot goes on answering.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import N_, StaleAction
from bot.services.positions import PositionSummary, group_records, summarise
from models import (
    Amendment,
    Answer,
    BudgetImpact,
    Consultation,
    District,
    Municipality,
    MunicipalityKind,
    Oblast,
    Position,
    ProposalGroup,
    Stance,
    User,
)


@dataclass(frozen=True)
class AnswerRow:
    """One municipality's current answer, with its place in the registry, as the raw sheet lists it."""

    oblast: str
    district: str | None  # None for cities of oblast rank
    municipality: str
    soate: str
    kind: MunicipalityKind
    population: int | None
    author: str | None  # None when the account was deleted
    by_deputy: bool
    version: int
    submitted_at: datetime
    stance: Stance
    budget_impact: BudgetImpact | None
    annual_cost: int | None
    unfunded_mandate: bool | None
    services: list[str]
    comment: str | None
    amendments: int


@dataclass(frozen=True)
class ExportData:
    locale: str  # "ky" or "ru": the document's language, chosen by the coordinator
    zone: ZoneInfo
    consultation: Consultation
    position: Position | None  # None while the consultation is still open
    summary: PositionSummary  # computed in ``locale``
    groups: dict[str, ProposalGroup]  # the coordinator's notes per article_key (may be empty)
    answers: list[AnswerRow]  # one per current answer
    generated_at: datetime


def _name_in(model: type[Oblast] | type[District] | type[Municipality], locale: str):  # type: ignore[no-untyped-def]
    """The name column in ``locale``, Russian where the registry lacks the Kyrgyz one (as proposal_groups)."""
    return func.coalesce(model.name_ky, model.name_ru) if locale == "ky" else model.name_ru


async def export_data(
    session: AsyncSession, consultation_id: int, locale: str, quorum: float, zone: ZoneInfo, now: datetime
) -> ExportData:
    """Everything the documents need, read at once so that building them touches no database."""
    # populate_existing: the coordinator may have changed these in another session a moment ago.
    consultation = await session.get(Consultation, consultation_id, populate_existing=True)
    if consultation is None:
        raise StaleAction(N_("This consultation no longer exists."))
    position = await session.scalar(
        select(Position)
        .where(Position.consultation_id == consultation_id)
        .execution_options(populate_existing=True)
    )
    amendments = (
        select(func.count(Amendment.id)).where(Amendment.answer_id == Answer.id).correlate(Answer)
    ).scalar_subquery()
    # Each column labelled with its AnswerRow field.
    columns = {
        "oblast": _name_in(Oblast, locale),
        "district": _name_in(District, locale),
        "municipality": _name_in(Municipality, locale),
        "soate": Municipality.soate,
        "kind": Municipality.kind,
        "population": Municipality.population,
        "author": User.full_name,
        "by_deputy": Answer.by_deputy,
        "version": Answer.version,
        "submitted_at": Answer.submitted_at,
        "stance": Answer.stance,
        "budget_impact": Answer.budget_impact,
        "annual_cost": Answer.annual_cost,
        "unfunded_mandate": Answer.unfunded_mandate,
        "services": Answer.services,
        "comment": Answer.comment,
        "amendments": amendments,
    }
    rows = await session.execute(
        select(*(column.label(name) for name, column in columns.items()))
        .select_from(Answer)
        .join(Municipality, Municipality.id == Answer.municipality_id)
        .join(Oblast, Oblast.id == Municipality.oblast_id)
        .outerjoin(District, District.id == Municipality.district_id)
        .outerjoin(User, User.id == Answer.author_id)
        .where(Answer.consultation_id == consultation_id, Answer.is_current.is_(True))
        .order_by(Oblast.soate, Municipality.soate)
    )
    answers = [AnswerRow(**{**row._asdict(), "services": list(row.services or [])}) for row in rows]
    records = await group_records(session, consultation_id)
    return ExportData(
        locale=locale,
        zone=zone,
        consultation=consultation,
        position=position,
        summary=await summarise(session, consultation_id, locale, quorum),
        groups=records,
        answers=answers,
        generated_at=now,
    )

