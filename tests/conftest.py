"""Shared fixtures: a migrated database (SQLite, or PostgreSQL when PIKIR_TEST_DATABASE_URL is set)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.clock import ManualClock
from bot.config import Settings
from bot.db import create_engine, create_session_factory
from bot.migrate import upgrade
from devtools.emulator import BotApiEmulator, TelegramUser
from devtools.testing import RunningBot, settings_for
from models import Base
from tests.factories import SmallRegistry, clock_start, seed_registry

SHARED_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
REGISTRY_CSV = SHARED_DATA / "kg_lsg_units_soate.csv"

POSTGRES_URL = os.environ.get("PIKIR_TEST_DATABASE_URL")
REDIS_URL = os.environ.get("PIKIR_TEST_REDIS_URL")


@pytest.fixture(scope="session")
def _postgres_migrated() -> Iterator[str]:
    """Migrate the PostgreSQL test database once per run; tests then empty the tables between them."""
    assert POSTGRES_URL
    upgrade(POSTGRES_URL)
    yield POSTGRES_URL


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A freshly migrated, empty database for one test."""
    if POSTGRES_URL:
        return request.getfixturevalue("_postgres_migrated")
    url = f"sqlite+aiosqlite:///{tmp_path / 'pikir.db'}"
    upgrade(url)
    return url


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    if engine.dialect.name == "postgresql":
        tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
        async with engine.begin() as connection:
            await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    yield engine
    await engine.dispose()


@pytest.fixture
def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_session_factory(engine)


@pytest.fixture
async def session(session_factory: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    async with session_factory() as session:
        yield session


@pytest.fixture
def registry_csv() -> Path:
    """The real registry of 530 units from ../shared/data, when it is there."""
    if not REGISTRY_CSV.exists():
        pytest.skip("../shared/data/kg_lsg_units_soate.csv is not present")
    return REGISTRY_CSV


# --- the running bot against the Bot API emulator -------------------------------------------------

ADMIN_ID = 1_000


@pytest.fixture
def clock() -> ManualClock:
    """Noon in Bishkek on a Wednesday about a year from today (PIKIR_TEST_CLOCK_SHIFT_DAYS); no fixed date."""
    return ManualClock(clock_start())


@pytest.fixture
async def emulator() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator() as emulator:
        yield emulator


@pytest.fixture
async def redis_url() -> str | None:
    """Redis for FSM state when CI asks for it; the test database (15) is emptied first."""
    if not REDIS_URL:
        return None
    from redis.asyncio import Redis

    client = Redis.from_url(REDIS_URL)
    await client.flushdb()
    await client.aclose()
    return REDIS_URL


@pytest.fixture
def settings(emulator: BotApiEmulator, database_url: str, redis_url: str | None) -> Settings:
    return settings_for(emulator.url, database_url, admin_ids=[ADMIN_ID], redis_url=redis_url)


@pytest.fixture
async def running_bot(
    settings: Settings, session_factory: async_sessionmaker[AsyncSession], clock: ManualClock
) -> AsyncIterator[RunningBot]:
    async with RunningBot(settings, session_factory, clock=clock) as running:
        yield running


@pytest.fixture
async def registry(session: AsyncSession) -> SmallRegistry:
    return await seed_registry(session)


@pytest.fixture
def make_user(emulator: BotApiEmulator) -> Callable[..., TelegramUser]:
    def make(user_id: int, language_code: str | None = "ky", first_name: str = "Test") -> TelegramUser:
        return TelegramUser(emulator, user_id, first_name=first_name, language_code=language_code)

    return make


@pytest.fixture
async def admin(running_bot: RunningBot, make_user: Callable[..., TelegramUser]) -> TelegramUser:
    """The ADMIN_IDS account, having chosen Russian."""
    user = make_user(ADMIN_ID, "ru", "Admin")
    await user.send("/start")
    await user.click("Русский")
    return user
