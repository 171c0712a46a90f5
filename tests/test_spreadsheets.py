"""Every spreadsheet the bot writes keeps text from outside as text: a registry name that looks like a
formula is shown as typed, never run, when the file is opened in Excel (opened back here with openpyxl)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import documents
from bot.i18n import use_locale
from bot.presentation.drafting import draft_text
from bot.services import deliveries, positions
from bot.services.export_data import export_data
from handlers.consultations import outcome_names, report_headers
from models import Answer, Role, Stance
from models.deliveries import Broadcast
from models.registry import search_key
from tests.factories import SmallRegistry, add_user, open_consultation

NOW = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
DEADLINE = NOW + timedelta(days=5)
# A name a registry file may carry, on purpose or by a pasting accident.
FORMULA_NAME = '=HYPERLINK("http://x","y")'


def assert_inert(content: bytes) -> None:
    """The name is in the workbook, in every place as plain text that stays text when edited."""
    cells = [
        cell
        for sheet in load_workbook(io.BytesIO(content)).worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value == FORMULA_NAME
    ]
    assert cells, "the name is missing from the workbook"
    for cell in cells:
        assert cell.data_type == "s", f"{cell.coordinate} is a formula"
        assert cell.quotePrefix, f"{cell.coordinate} would become a formula once edited"


@pytest.fixture
async def consultation_id(session: AsyncSession, registry: SmallRegistry) -> int:
    """Tokmok, renamed to a formula, is asked, has a head, and answered."""
    tokmok = registry.tokmok
    tokmok.name_ru = tokmok.name_ky = FORMULA_NAME
    tokmok.search_name = search_key(FORMULA_NAME, FORMULA_NAME)
    head = await add_user(session, 31, role=Role.HEAD, municipality=tokmok, full_name="Асанов Бакыт")
    consultation = await open_consultation(session, registry, DEADLINE)
    session.add(
        Answer(
            consultation_id=consultation.id,
            municipality_id=tokmok.id,
            version=1,
            author_id=head.id,
            submitted_at=NOW,
            stance=Stance.SUPPORT,
        )
    )
    await session.commit()
    return consultation.id


@pytest.mark.parametrize("locale", ["ky", "ru"])
async def test_delivery_report_keeps_a_formula_name_as_text(
    session: AsyncSession, consultation_id: int, locale: str
) -> None:
    broadcast = await session.scalar(select(Broadcast).where(Broadcast.subject_id == consultation_id))
    assert broadcast is not None
    rows = await deliveries.delivery_report(session, broadcast, locale)
    with use_locale(locale):
        assert_inert(deliveries.report_workbook(rows, report_headers(), outcome_names()))


@pytest.mark.parametrize("locale", ["ky", "ru"])
async def test_answer_exports_keep_a_formula_name_as_text(
    session: AsyncSession, consultation_id: int, locale: str
) -> None:
    await positions.close(session, consultation_id, DEADLINE, quorum=0.5, drafter=draft_text)
    data = await export_data(
        session, consultation_id, locale, 0.5, ZoneInfo("Asia/Bishkek"), DEADLINE
    )
    assert_inert(documents.answers_workbook(data))

    rows = list(csv.reader(io.StringIO(documents.answers_csv(data).decode("utf-8-sig")), delimiter=";"))
    fields = [field for row in rows for field in row if FORMULA_NAME in field]
    assert fields == ["'" + FORMULA_NAME]  # the apostrophe Excel reads as "this is text"
