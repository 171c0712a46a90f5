"""Every domain time comes from the bot's Clock, never from the machine's: the suite runs on any date."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import ManualClock
from bot.services import consultations
from devtools.emulator import TelegramUser
from devtools.testing import RunningBot
from models import Base, User
from models.base import UTCDateTime
from tests.conftest import ADMIN_ID
from tests.factories import SmallRegistry, clock_start
from tests.test_signup import make_invite, start_in
from tests.texts import tr

ROOT = Path(__file__).resolve().parent.parent
# The one place allowed to read the wall clock, and the emulator, which plays Telegram (its own clock).
ALLOWED = {ROOT / "bot" / "clock.py"}
EMULATOR = ROOT / "bot" / "emulator"
WALL_CLOCK = re.compile(
    r"\b(?:datetime|date)\.(?:now|utcnow|today)\(|\btime\.time\(\)|default=utcnow"
    r"|\bfunc\.(?:now|current_timestamp)\(|CURRENT_TIMESTAMP"
)
# Times that are ahead of "now" by design: the consultation's deadline, an invitation's expiry.
FUTURE = {("consultation", "deadline"), ("invite", "expires_at")}


def test_only_the_clock_reads_the_wall_clock() -> None:
    offending = []
    for folder in ("bot", "models", "handlers"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path in ALLOWED or EMULATOR in path.parents:
                continue
            for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
                if WALL_CLOCK.search(line):
                    offending.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offending == [], "read the time from bot.clock.Clock instead:\n" + "\n".join(offending)


def test_no_stored_time_has_a_default() -> None:
    """A time the service forgot fails (NOT NULL) instead of quietly taking the machine's date."""
    defaulted = [
        f"{table.name}.{column.name}"
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, UTCDateTime)
        and (column.default is not None or column.server_default is not None or column.onupdate is not None)
    ]
    assert defaulted == []


@pytest.fixture(params=[-365, 365], ids=["clock-a-year-behind-the-machine", "clock-a-year-ahead"])
def clock(request: pytest.FixtureRequest) -> ManualClock:
    """The bot's clock a year off the machine's date: a time taken from the wall clock is a year off too."""
    return ManualClock(clock_start(request.param))


async def stored_times(session: AsyncSession) -> dict[tuple[str, str], list[datetime]]:
    """Every time in the database, by (table, column)."""
    session.expire_all()
    found: dict[tuple[str, str], list[datetime]] = {}
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, UTCDateTime):
                values = await session.scalars(select(column).where(column.is_not(None)))
                found[(table.name, column.name)] = list(values)
    return found


async def wait_until(predicate: Callable[[], bool]) -> None:
    for _ in range(400):
        if predicate():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the condition was not met in time")


async def test_bot_keeps_its_own_time_whatever_the_machines_date(
    running_bot: RunningBot,
    admin: TelegramUser,
    registry: SmallRegistry,
    make_user: Callable[..., TelegramUser],
    session: AsyncSession,
    clock: ManualClock,
) -> None:
    start = clock.now()
    # A head joins by an invitation link; the admin was made at start-up and wrote first.
    code = await make_invite(admin, registry)
    head = make_user(2001, language_code=None)
    await start_in(head, "ru", code)
    await head.send("Асанов Бакыт Жумабекович")
    replies = await head.send("Айыл өкмөтүнүн башчысы")
    assert tr("You are registered.", "ru") in replies[-1].text

    # What the service queues "now" is due for the sender on the same clock: the head gets the card.
    clock.advance(timedelta(hours=1))
    author = await session.scalar(select(User).where(User.telegram_id == ADMIN_ID))
    assert author is not None and author.created_at == start
    consultation = await consultations.create_draft(session, author, clock.now())
    await consultations.save_fields(
        session,
        consultation,
        title_ru="Законопроект о пастбищах",
        deadline=clock.now() + timedelta(days=10),
        audience={"kind": "all"},
    )
    await consultations.publish(session, author, consultation.id, clock.now())
    running_bot.pikir.sender.wake()  # type: ignore[union-attr]
    await wait_until(lambda: any(tr("✍ Answer", "ru") in head.buttons(m) for m in head.messages))

    # At the deadline the position is drafted, and its author is told.
    clock.advance(timedelta(days=10, minutes=1))
    assert await running_bot.pikir.check_deadlines() == [consultation.id]  # type: ignore[union-attr]
    opener = tr("📝 Open the position", "ru")
    await wait_until(lambda: any(opener in admin.buttons(m) for m in admin.messages))

    times = await stored_times(session)
    for must_be_there in (
        ("app_user", "created_at"),
        ("audit_log", "at"),
        ("invite", "used_at"),
        ("delivery", "not_before"),
        ("delivery", "sent_at"),
        ("position", "drafted_at"),
    ):
        assert times[must_be_there], must_be_there
    wrong = {
        f"{table}.{column}": [value.isoformat() for value in values if not start <= value <= clock.now()]
        for (table, column), values in times.items()
        if (table, column) not in FUTURE
    }
    assert {name: values for name, values in wrong.items() if values} == {}
