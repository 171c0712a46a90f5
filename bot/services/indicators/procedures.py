"""Indicators of the formal procedures (issue 13): approval requests and committee sittings.

Which period a thing belongs to:
- an approval request belongs to the period of its incoming letter's date (``incoming_date``, a
  calendar date already in Bishkek); it was answered in term when the Bishkek date of ``answered_at``
  (the moment the answer was sent) is on or before ``due_on``, the association's own term. A request
  still unanswered counts in the total and not as in term (the report is made after the period).
- a committee sitting belongs to the period of its ``starts_at`` (a moment: the period's bounds are
  Bishkek midnights). Only sittings whose outcome is on record (status ``recorded``) count: for a
  sitting still only scheduled nobody knows yet what entered the minutes. ``within`` counts the
  minutes that hold the opinion in full (``yes``); ``partly`` is reported separately, not in
  ``within``.

A period without any request or sitting gives a ``Within`` with a zero total (the report says
"none in the period"); None is kept in the type for a report built without these figures.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.indicators.period import Period
from bot.services.indicators.results import Within
from models.procedures import ApprovalRequest, CommitteeSitting, MinutesEntry, SittingStatus


def _answered_by(due_on: date, period: Period) -> datetime:
    """The first moment after the due day ends in the period's zone."""
    return datetime.combine(due_on + timedelta(days=1), time(0, 0), period.zone)


async def approvals_answered_in_term(session: AsyncSession, period: Period) -> Within | None:
    """Approval requests received in the period, and how many the association answered within term."""
    # The period is chosen in SQL; the per-row comparison "answered before the end of the due day in
    # Bishkek" is done here, because a time-zone shift of a column is written differently in SQLite
    # and PostgreSQL, and a year holds a few dozen requests at most.
    rows = await session.execute(
        select(ApprovalRequest.due_on, ApprovalRequest.answered_at).where(
            ApprovalRequest.incoming_date >= period.first_day,
            ApprovalRequest.incoming_date <= period.last_day,
        )
    )
    total = within = 0
    for due_on, answered_at in rows:
        total += 1
        if answered_at is not None and answered_at < _answered_by(due_on, period):
            within += 1
    return Within(total=total, within=within)


async def sittings_with_opinion_minuted(session: AsyncSession, period: Period) -> Within | None:
    """Committee sittings of the period on record, and in how many the opinion entered the minutes
    in full (``within``) or in part (``partly``)."""
    minutes = CommitteeSitting.minutes
    row = (
        await session.execute(
            select(
                func.count(CommitteeSitting.id),
                func.count(CommitteeSitting.id).filter(minutes == MinutesEntry.YES),
                func.count(CommitteeSitting.id).filter(minutes == MinutesEntry.PARTLY),
            ).where(
                CommitteeSitting.status == SittingStatus.RECORDED,
                CommitteeSitting.starts_at >= period.start,
                CommitteeSitting.starts_at < period.end,
            )
        )
    ).one()
    return Within(total=row[0], within=row[1], partly=row[2])
