"""Indicators of the formal procedures (approval requests, committee sittings: issue 13).

Until those procedures are recorded in Pikir these return None, and the report says the figure is
not available; wire them to the procedures' tables once they exist.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.indicators.period import Period
from bot.services.indicators.results import Within


async def approvals_answered_in_term(session: AsyncSession, period: Period) -> Within | None:
    """Approval requests received in the period, and how many the association answered within term."""
    return None


async def sittings_with_opinion_minuted(session: AsyncSession, period: Period) -> Within | None:
    """Committee sittings of the period, and in how many the association's opinion entered the minutes."""
    return None
