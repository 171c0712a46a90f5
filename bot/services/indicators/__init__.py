"""The annual report's indicators for a period, computed in the database (``compute``)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.indicators import activity, procedures, responses, surveys
from bot.services.indicators.period import Period, days_period, published_in, year_period
from bot.services.indicators.results import (
    ActImpact,
    Budget,
    Figure,
    Indicators,
    Kenesh,
    Proposals,
    Response,
    Tally,
    Within,
)
from bot.services.indicators.state import open_consultations


async def compute(session: AsyncSession, period: Period, locale: str) -> Indicators:
    """Every indicator of the period; names of places and acts in ``locale`` (ky or ru)."""
    consultations, survey_count = await activity.consultation_counts(session, period)
    adopted, median_days = await activity.days_to_position(session, period)
    counts = await responses.municipality_counts(session, period, locale)
    return Indicators(
        period=period,
        consultations=consultations,
        surveys=survey_count,
        by_topic=await activity.by_topic(session, period),
        by_initiator=await activity.by_initiator(session, period),
        overall=responses.overall(counts),
        by_oblast=responses.by_place(counts, "oblast"),
        by_district=responses.by_place(counts, "district"),
        by_kind=responses.by_place(counts, "kind"),
        by_month=await responses.by_month(session, period),
        stances=await activity.stances(session, period),
        proposals=await activity.proposals(session, period),
        budget=await activity.budget(session, period),
        impacts=await surveys.impacts(session, period, locale),
        kenesh=await surveys.kenesh(session, period),
        participation=responses.participation(counts),
        median_days_to_position=median_days,
        positions_adopted=adopted,
        approvals_in_term=await procedures.approvals_answered_in_term(session, period),
        committee_minutes=await procedures.sittings_with_opinion_minuted(session, period),
    )


__all__ = [
    "ActImpact",
    "Budget",
    "Figure",
    "Indicators",
    "Kenesh",
    "Period",
    "Proposals",
    "Response",
    "Tally",
    "Within",
    "compute",
    "days_period",
    "open_consultations",
    "published_in",
    "year_period",
]
