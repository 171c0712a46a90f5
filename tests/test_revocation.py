"""Taking rights back: /revoke in the bot, `python -m bot revoke`, and ADMIN_IDS as the bootstrap only."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import admin_cli
from bot.clock import ManualClock
from bot.config import DatabaseSettings, Settings
from bot.i18n import use_locale
from bot.migrate import upgrade
from devtools.emulator import BotApiEmulator, TelegramUser
from devtools.testing import RunningBot, settings_for
from handlers.callbacks import AnswerSubmit, PersonAction
from handlers.texts import role_name
from models import Answer, AuditEntry, Consultation, Role, User, UserStatus
from models.users import AdminSource
from tests.conftest import ADMIN_ID
from tests.factories import SmallRegistry, add_user, open_consultation
from tests.texts import tr

WITHDRAWN = (
    "Your rights in Pikir have been withdrawn. If you think this is a mistake, contact your association."
)
TOLD = (
    "Your rights in Pikir as {role} have been withdrawn by the association. "
    "If you think this is a mistake, contact your association."
)


async def row(session: AsyncSession, telegram_id: int) -> User:
    user = await session.scalar(
        select(User).where(User.telegram_id == telegram_id).execution_options(populate_existing=True)
    )
    assert user is not None
    return user


def told(user: TelegramUser, role: Role, locale: str) -> bool:
    """The person got the notice, in their language."""
    with use_locale(locale):
        text = tr(TOLD, locale, role=role_name(role))
    return any(m.text == text for m in user.messages)


def menu(emulator: BotApiEmulator, telegram_id: int) -> set[str]:
    return {command["command"] for command in emulator.visible_commands(telegram_id)}


async def test_admin_revokes_a_coordinator_whose_open_screens_stop_working(
    admin: TelegramUser,
    registry: SmallRegistry,
    make_user: Callable[..., TelegramUser],
    session: AsyncSession,
    emulator: BotApiEmulator,
    clock: ManualClock,
) -> None:
    consultation = await open_consultation(session, registry, clock.now() + timedelta(days=10))
    coordinator = make_user(900, "ru", "Coordinator")
    await coordinator.send("/lang")
    await coordinator.click("Русский")
    assert "new" in menu(emulator, 900)
    # The coordinator has the answers view and the wizard open.
    await coordinator.send("/responses")
    stats = (await coordinator.click("Законопроект о пастбищах"))[-1]
    wizard = (await coordinator.send("/new"))[-1]
    draft_id = await session.scalar(select(func.max(Consultation.id)))

    await admin.send("/revoke")
    await admin.click("🚫 Координатор")
    replies = await admin.click(tr("🚫 Yes, revoke", "ru"))
    assert replies[-1].text.startswith("🚫 Координатор") and "Admin" in replies[-1].text

    coordinator_row = await row(session, 900)
    assert (coordinator_row.role, coordinator_row.status) == (Role.COORDINATOR, UserStatus.REVOKED)
    coordinator_id = coordinator_row.id
    admin_id = (await row(session, ADMIN_ID)).id
    entry = await session.scalar(select(AuditEntry).where(AuditEntry.action == "user.revoke"))
    assert entry is not None and (entry.actor_id, entry.object_id) == (admin_id, coordinator_id)
    assert entry.details == {"role": "coordinator", "via": "bot"}
    assert told(coordinator, Role.COORDINATOR, "ru")
    assert "new" not in menu(emulator, 900) and "drafts" in menu(emulator, 900)

    # Every old button and command is refused, saying why, and changes nothing.
    await coordinator.click(tr("Who has not answered", "ru"), message=stats)
    assert coordinator.last_callback_alert and coordinator.last_callback_answer == tr(WITHDRAWN, "ru")
    await coordinator.click(tr("⏹ Close the consultation now", "ru"), message=stats)
    assert coordinator.last_callback_answer == tr(WITHDRAWN, "ru")
    await coordinator.click(tr("Skip »", "ru"), message=wizard)
    assert coordinator.last_callback_answer == tr(WITHDRAWN, "ru")
    replies = await coordinator.send("/new")
    assert replies[-1].text == tr(WITHDRAWN, "ru")
    assert (await session.get(Consultation, consultation.id, populate_existing=True)).status.value == "open"  # type: ignore[union-attr]
    assert await session.scalar(select(func.max(Consultation.id))) == draft_id

    # A second press of the same confirmation finds nobody to revoke.
    await admin.click_data(PersonAction(action="do", user_id=coordinator_id).pack())
    gone = tr("This person has no rights to take back (already revoked?).", "ru")
    assert admin.last_callback_answer == gone


async def test_coordinator_deactivates_a_head_who_then_cannot_submit(
    running_bot: RunningBot,
    registry: SmallRegistry,
    make_user: Callable[..., TelegramUser],
    session: AsyncSession,
    clock: ManualClock,
) -> None:
    consultation = await open_consultation(session, registry, clock.now() + timedelta(days=10))
    aimak = registry.ysyk_ata_aimaks[0]
    await add_user(session, 2001, role=Role.HEAD, municipality=aimak, language="ky")
    head = make_user(2001, "ky", "Head")
    coordinator = make_user(900, "ru", "Coordinator")

    await head.send("/drafts")
    await head.click_data(f"cons:answer:{consultation.id}")
    replies = await head.click(tr("👍 Support", "ky"))
    assert tr("How does it affect the local budget?", "ky") in replies[-1].text
    impact = replies[-1]

    await coordinator.send("/revoke")
    assert coordinator.buttons() == [tr("🏘 A head or deputy of a municipality", "ru")]  # not an admin
    await coordinator.click(tr("🏘 A head or deputy of a municipality", "ru"))
    await coordinator.click(registry.chui.name("ru"))
    await coordinator.click(registry.ysyk_ata.name("ru"))
    await coordinator.click(aimak.name("ru"))
    await coordinator.click("🚫 Асанов Бакыт")
    await coordinator.click(tr("🚫 Yes, revoke", "ru"))

    head_row = await row(session, 2001)
    assert head_row.status is UserStatus.REVOKED
    entry = await session.scalar(select(AuditEntry).where(AuditEntry.action == "user.revoke"))
    assert entry is not None and entry.actor_id == (await row(session, 900)).id
    assert told(head, Role.HEAD, "ky")

    # Mid-answer: the step's buttons, a forged «Submit» and typed text are all refused.
    await head.click(impact.buttons[0], message=impact)
    assert head.last_callback_answer == tr(WITHDRAWN, "ky")
    await head.click_data(AnswerSubmit(cid=consultation.id, v=2).pack())
    assert head.last_callback_answer == tr(WITHDRAWN, "ky")
    await head.click_data(f"cons:answer:{consultation.id}")
    assert head.last_callback_answer == tr(WITHDRAWN, "ky")
    assert await session.scalar(select(func.count(Answer.id))) == 0
    # The revoked head no longer sees the consultation either.
    replies = await head.send("/drafts")
    assert replies[-1].text == tr("There are no open consultations right now.", "ky")


async def test_admin_ids_is_only_the_bootstrap(
    running_bot: RunningBot,
    settings: Settings,
    database_url: str,
    session_factory: async_sessionmaker[AsyncSession],
    session: AsyncSession,
    make_user: Callable[..., TelegramUser],
    emulator: BotApiEmulator,
    clock: ManualClock,
) -> None:
    listed = make_user(ADMIN_ID, "ru", "Listed")
    await listed.send("/lang")
    await listed.click("Русский")
    database = DatabaseSettings(DATABASE_URL=database_url, REDIS_URL="", _env_file=None)
    assert await admin_cli.add_admin(database, 1500) == 0
    assert (await row(session, 1500)).admin_source is AdminSource.COMMAND_LINE
    assert (await row(session, ADMIN_ID)).admin_source is AdminSource.SETTINGS

    # ADMIN_ID leaves the list: at the next start it loses the rights the list gave, and is told.
    await running_bot.stop()
    without = settings_for(emulator.url, database_url, admin_ids=[1501])
    async with RunningBot(without, session_factory, clock=clock):
        assert (await row(session, ADMIN_ID)).status is UserStatus.REVOKED
        assert (await row(session, 1500)).status is UserStatus.ACTIVE  # add-admin does not depend on the list
        assert (await row(session, 1501)).role is Role.ADMIN
        assert told(listed, Role.ADMIN, "ru")
        assert "coordinator" not in menu(emulator, ADMIN_ID)
        replies = await listed.send("/coordinator")
        assert replies[-1].text == tr(WITHDRAWN, "ru")
        entry = await session.scalar(
            select(AuditEntry).where(AuditEntry.action == "user.admin_left_settings")
        )
        assert entry is not None and entry.actor_id is None
    # Listed again, admin again.
    async with RunningBot(settings, session_factory, clock=clock):
        replies = await listed.send("/coordinator")
        assert tr("Invitation for a new coordinator.", "ru") in replies[-1].text


async def test_revoke_from_the_command_line(
    running_bot: RunningBot,
    settings: Settings,
    database_url: str,
    registry: SmallRegistry,
    session: AsyncSession,
    make_user: Callable[..., TelegramUser],
    emulator: BotApiEmulator,
) -> None:
    await add_user(session, 2001, role=Role.DEPUTY, municipality=registry.tokmok, language="ru")
    deputy = make_user(2001, "ru", "Deputy")
    await deputy.send("/help")
    database = DatabaseSettings(DATABASE_URL=database_url, REDIS_URL="", _env_file=None)

    assert await admin_cli.revoke(database, 2001, settings, locale="ky") == 0
    deputy_row = await row(session, 2001)
    assert deputy_row.status is UserStatus.REVOKED
    entry = await session.scalar(select(AuditEntry).where(AuditEntry.action == "user.revoke"))
    assert entry is not None and entry.actor_id is None and entry.details["via"] == "command line"
    assert told(deputy, Role.DEPUTY, "ru")
    # Again: nothing to take back; an ADMIN_IDS admin: the list is the place; an unknown id: said so.
    assert await admin_cli.revoke(database, 2001, None, locale="ky") == 1
    assert await admin_cli.revoke(database, ADMIN_ID, None, locale="ky") == 1
    assert (await row(session, ADMIN_ID)).status is UserStatus.ACTIVE
    assert await admin_cli.revoke(database, 424242, None, locale="ky") == 1
    # Without the bot token the revocation itself still works.
    await add_user(session, 2002, role=Role.HEAD, municipality=registry.tokmok, language="ru")
    assert await admin_cli.revoke(database, 2002, None, locale="ky") == 0
    assert (await row(session, 2002)).status is UserStatus.REVOKED


def test_migration_tells_existing_admins_where_their_rights_came_from(tmp_path: Path) -> None:
    """Upgrading keeps working deployments right: the latest grant in the audit log decides."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0004")
    with sqlite3.connect(tmp_path / "old.db") as db:
        for user_id, role in ((1, "admin"), (2, "admin"), (3, "admin"), (4, "coordinator")):
            db.execute(
                "INSERT INTO app_user (id, telegram_id, role, status, created_at) "
                "VALUES (?, ?, ?, 'active', '2026-01-01')",
                (user_id, 100 + user_id, role),
            )
        for object_id, action in (
            (1, "user.admin_from_settings"),
            (2, "user.admin_from_settings"),
            (2, "user.admin_from_command_line"),  # add-admin after the list: the command line wins
            (4, "user.admin_from_settings"),  # not an admin any more: nothing to record
        ):
            db.execute(
                "INSERT INTO audit_log (at, action, object_type, object_id, details) "
                "VALUES ('2026-01-01', ?, 'user', ?, '{}')",
                (action, object_id),
            )
    upgrade(url, "head")
    with sqlite3.connect(tmp_path / "old.db") as db:
        sources = dict(db.execute("SELECT id, admin_source FROM app_user").fetchall())
    assert sources == {1: "settings", 2: "command_line", 3: None, 4: None}
