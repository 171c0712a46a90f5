"""Updating the registry by sending a file to the bot: preview, apply, refuse a bad file."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from devtools.emulator import TelegramUser
from models import Municipality
from tests.texts import tr

GOOD_CSV = (
    "soate_code,name_ru,name_ky,kind,district_ru,district_soate,oblast_ru,oblast_soate,population\n"
    "41707215800000,Арал айылный аймак,Арал айыл аймагы,ayil_aimak,Таласский район,41707215000000,"
    "Таласская область,41707000000000,4200\n"
    "41707400000010,г. Талас,Талас шаары,city,,,Таласская область,41707000000000,41000\n"
).encode()
BAD_CSV = (
    "soate_code,name_ru,kind,oblast_ru,oblast_soate\n"
    "41707215801000,Кара-Ой айылный аймак,ayil_aimak,Таласская область,41707000000000\n"
    "4170721580200,Кок-Ой айылный аймак,village,Таласская область,41707000000000\n"
).encode()


async def municipality_count(session: AsyncSession) -> int:
    return await session.scalar(select(func.count()).select_from(Municipality)) or 0


async def test_coordinator_imports_a_registry_file(admin: TelegramUser, session: AsyncSession) -> None:
    replies = await admin.send("/import")
    assert "soate_code" in replies[-1].text
    replies = await admin.send("not a file")
    assert replies[-1].text == tr("Please send a .csv or .xlsx file.", "ru")

    replies = await admin.send_document("registry.csv", GOOD_CSV, "text/csv")
    assert tr("Checked, nothing saved yet:", "ru") in replies[-1].text
    assert await municipality_count(session) == 0  # a preview only
    replies = await admin.click(tr("Apply the changes", "ru"))
    assert tr("The registry is updated:", "ru") in replies[-1].text
    assert await municipality_count(session) == 2
    talas = await session.scalar(select(Municipality).where(Municipality.soate == "41707400000010"))
    assert talas is not None and talas.population == 41000 and talas.district_id is None

    # A file with mistakes is refused whole, naming the rows and columns; nothing changes.
    await admin.send("/import")
    replies = await admin.send_document("registry.csv", BAD_CSV, "text/csv")
    refusal = replies[-1].text
    assert tr("The file was not imported, nothing changed:", "ru") in refusal
    assert "3" in refusal and "soate_code" in refusal and "kind" in refusal
    assert await municipality_count(session) == 2


async def test_a_head_cannot_import(running_bot: object, make_user: Callable[..., TelegramUser]) -> None:
    user = make_user(4444, language_code="ky")
    replies = await user.send("/import")
    assert replies[-1].text == tr("Only association coordinators can do this.", "ky")
