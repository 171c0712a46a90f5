"""Sign-up through the emulator: invitation links, choosing the municipality, approval, refusals."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import ManualClock
from devtools.emulator import TelegramUser
from devtools.testing import RunningBot
from handlers.callbacks import ApplicationDecision, Decision
from models import AuditEntry, Invite, Role, User, UserStatus
from tests.conftest import ADMIN_ID
from tests.factories import SmallRegistry, add_user
from tests.texts import tr

LANGUAGE_BUTTON = {"ky": "Кыргызча", "ru": "Русский"}
INVITE_LINK = re.compile(r"https://t\.me/(\w+)\?start=([\w-]+)")


async def user_row(session: AsyncSession, telegram_id: int) -> User:
    session.expire_all()
    user = await session.scalar(select(User).where(User.telegram_id == telegram_id))
    assert user is not None
    return user


async def make_invite(admin: TelegramUser, registry: SmallRegistry, locale: str = "ru") -> str:
    """The admin makes a head's invitation for the first Ysyk-Ata aimak and returns its code."""
    await admin.send("/invite")
    await admin.click(registry.chui.name(locale))
    await admin.click(registry.ysyk_ata.name(locale))
    replies = await admin.click(registry.ysyk_ata_aimaks[0].name(locale))
    match = INVITE_LINK.search(replies[-1].text)
    assert match, replies[-1].text
    assert match.group(1) == "pikir_test_bot"
    return match.group(2)


async def start_in(user: TelegramUser, locale: str, payload: str = "") -> list:
    await user.send(f"/start {payload}".strip())
    return await user.click(LANGUAGE_BUTTON[locale])


@pytest.mark.parametrize("locale", ["ky", "ru"])
async def test_head_signs_up_by_invite_link(
    locale: str,
    admin: TelegramUser,
    registry: SmallRegistry,
    make_user: Callable[..., TelegramUser],
    session: AsyncSession,
) -> None:
    code = await make_invite(admin, registry)
    head = make_user(2001, language_code=None)
    replies = await start_in(head, locale, code)
    municipality = registry.ysyk_ata_aimaks[0]
    assert municipality.name(locale) in replies[-1].text
    assert tr("Please write your full name (surname, name, patronymic).", locale) in replies[-1].text

    await head.send("Асанов Бакыт Жумабекович")
    replies = await head.send("Айыл өкмөтүнүн башчысы")
    assert tr("You are registered.", locale) in replies[-1].text

    user = await user_row(session, 2001)
    assert (user.role, user.status, user.municipality_id) == (Role.HEAD, UserStatus.ACTIVE, municipality.id)
    assert user.full_name == "Асанов Бакыт Жумабекович" and user.language == locale
    invite = await session.scalar(select(Invite).where(Invite.code == code))
    assert invite is not None and invite.used_by_id == user.id

    # The link is single-use: somebody else opening it is told so and offered the normal way.
    other = make_user(2002, language_code=None)
    replies = await start_in(other, locale, code)
    assert tr("This invitation link has already been used. Ask your association for a new one.", locale) in (
        replies[-1].text
    )
    assert tr("Register by choosing my municipality", locale) in other.buttons()
    assert (await user_row(session, 2002)).role is Role.NONE


@pytest.mark.parametrize("locale", ["ky", "ru"])
async def test_head_chooses_municipality_and_is_approved(
    locale: str,
    admin: TelegramUser,
    registry: SmallRegistry,
    make_user: Callable[..., TelegramUser],
    session: AsyncSession,
) -> None:
    head = make_user(3001, language_code=None, first_name="Бакыт")
    await start_in(head, locale)
    await head.click(registry.chui.name(locale))
    await head.click(registry.ysyk_ata.name(locale))
    last = registry.ysyk_ata_aimaks[-1]
    assert last.name(locale) not in head.buttons()  # 11 aimaks: the last one is on page 2
    await head.click("▶")
    await head.click(last.name(locale))
    await head.click(tr("I am the head (ayil okmotu head or mayor)", locale))
    await head.send("Бакыт Асанов")
    replies = await head.send("Глава айыл окмоту 🇰🇬")
    assert last.name(locale) in replies[-1].text and "🇰🇬" in replies[-1].text
    await head.click(tr("Send the application", locale))
    assert (await user_row(session, 3001)).status is UserStatus.PENDING

    # The admin (in Russian) got the card and approves it.
    card = admin.last_message
    assert last.name("ru") in card.text and "Бакыт Асанов" in card.text
    await admin.click(tr("✅ Approve", "ru"))
    assert tr("✅ Approved by {name}.", "ru", name="Admin") in admin.last_message.text

    told = head.last_message
    assert tr("Your application is approved. Welcome to Pikir!", locale) in told.text
    user = await user_row(session, 3001)
    assert (user.status, user.role, user.municipality_id) == (UserStatus.ACTIVE, Role.HEAD, last.id)
    actions = set(await session.scalars(select(AuditEntry.action)))
    assert {"user.apply", "user.approve"} <= actions


async def test_rejected_applicant_is_told_and_can_apply_again(
    admin: TelegramUser,
    registry: SmallRegistry,
    make_user: Callable[..., TelegramUser],
    session: AsyncSession,
) -> None:
    deputy = make_user(3101, language_code=None)
    await start_in(deputy, "ky")
    await deputy.send("Кара-Ой")  # search by part of the name
    await deputy.click(registry.talas_aimaks[1].name("ky"))
    await deputy.click(tr("I am a staff member (deputy)", "ky"))
    await deputy.send("Айгүл Токтосунова")
    await deputy.send("Башкы адис")
    await deputy.click(tr("Send the application", "ky"))
    await admin.click(tr("❌ Reject", "ru"))
    assert (
        tr(
            "Your application was not approved. If you think this is a mistake, contact your association, "
            "or send /start to apply again.",
            "ky",
        )
        in deputy.last_message.text
    )
    user = await user_row(session, 3101)
    assert (user.status, user.role) == (UserStatus.REJECTED, Role.DEPUTY)

    replies = await deputy.send("/start")
    assert tr("Choose your oblast, or type part of your municipality's name.", "ky") in replies[-1].text


async def test_unknown_user_cannot_reach_coordinator_actions(
    running_bot: RunningBot,
    registry: SmallRegistry,
    make_user: Callable[..., TelegramUser],
    session: AsyncSession,
    clock: ManualClock,
) -> None:
    pending = await add_user(
        session,
        4001,
        role=Role.HEAD,
        municipality=registry.tokmok,
        status=UserStatus.PENDING,
        now=clock.now(),
    )
    stranger = make_user(4002, language_code="ru")
    await start_in(stranger, "ru")
    refusal = tr("Only association coordinators can do this.", "ru")
    for command in ("/applications", "/invite", "/import"):
        replies = await stranger.send(command)
        assert replies[-1].text == refusal, command
    replies = await stranger.send("/coordinator")
    assert replies[-1].text == tr("Only administrators can appoint coordinators.", "ru")

    # A forged approve press for the pending application changes nothing.
    await stranger.click_data(f"app:approve:{pending.id}")
    assert stranger.last_callback_answer == refusal
    assert (await user_row(session, 4001)).status is UserStatus.PENDING
    assert await session.scalar(select(Invite)) is None


async def test_stale_and_forged_buttons_change_nothing(
    admin: TelegramUser,
    registry: SmallRegistry,
    make_user: Callable[..., TelegramUser],
    session: AsyncSession,
    clock: ManualClock,
) -> None:
    await add_user(
        session, 5001, role=Role.COORDINATOR, language="ky", full_name="Нурлан Сапаров", now=clock.now()
    )
    coordinator = make_user(5001)
    applicant = await add_user(
        session,
        5002,
        role=Role.HEAD,
        municipality=registry.tokmok,
        status=UserStatus.PENDING,
        now=clock.now(),
    )
    await coordinator.send("/applications")
    await admin.send("/applications")
    await admin.click(tr("✅ Approve", "ru"))

    # The coordinator's copy of the card now says who decided, in Kyrgyz, and has no buttons left.
    card = coordinator.messages[-1]
    assert tr("✅ Approved by {name}.", "ky", name="Admin") in card.text
    assert coordinator.buttons(card) == []
    # A press made before the edit arrived (the same callback) still says who decided.
    stale = ApplicationDecision(action=Decision.REJECT, user_id=applicant.id)
    await coordinator.click_data(stale.pack(), card)
    assert coordinator.last_callback_answer == tr(
        "{name} has already approved this application.", "ky", name="Admin"
    )
    assert (await user_row(session, 5002)).status is UserStatus.ACTIVE

    # Buttons that were never sent, or are from a finished step.
    for data in ("pick:oblast:99999:0", "app:approve:abc", "lang:xx", "garbage", "signup:submit"):
        await coordinator.click_data(data)
        assert coordinator.last_callback_answer, data
    assert (await user_row(session, 5001)).language == "ky"


async def test_language_switch_changes_following_messages(
    running_bot: RunningBot, make_user: Callable[..., TelegramUser], registry: SmallRegistry
) -> None:
    user = make_user(6001, language_code="ru")
    await start_in(user, "ky")
    ky_help = (await user.send("/help"))[-1].text
    await user.send("/lang")
    await user.click("Русский")
    ru_help = (await user.send("/help"))[-1].text
    assert ky_help != ru_help
    assert tr("/lang: change the language", "ru") in ru_help
    assert tr("/lang: change the language", "ky") in ky_help
    replies = await user.send("/nonsense")
    assert replies[-1].text == tr("I do not know this command. /help shows what you can do.", "ru")


async def test_bad_input_is_refused_and_nothing_is_lost(
    running_bot: RunningBot,
    registry: SmallRegistry,
    make_user: Callable[..., TelegramUser],
    session: AsyncSession,
) -> None:
    head = make_user(7001, language_code=None)
    await start_in(head, "ru")
    await head.click(registry.chui.name("ru"))
    await head.click(registry.tokmok.name("ru"))
    await head.click(tr("I am the head (ayil okmotu head or mayor)", "ru"))

    replies = await head.send("Б" * 500)
    assert replies[-1].text == tr(
        "That is too long: {length} characters, at most {limit}. Please shorten it and send again.",
        "ru",
        length=500,
        limit=120,
    )
    replies = await head.send_sticker()
    assert replies[-1].text == tr("Please send this as a text message.", "ru")
    replies = await head.send("   ")
    assert replies[-1].text in (
        tr("The message is empty. Please send it as text.", "ru"),
        tr("Please send this as a text message.", "ru"),
    )
    await head.send("Мамытов Эрлан")
    replies = await head.send("Мэр")
    # Everything given before the bad input is still there.
    summary = replies[-1].text
    assert "Мамытов Эрлан" in summary and registry.tokmok.name("ru") in summary


# Bidi overrides and isolates, zero-width space, marks and joiners, the BOM: all invisible in a chat.
INVISIBLE = "\u202e\u202a\u2066\u2069\u200b\u200d\u200f\ufeff\u2060"


async def test_invisible_characters_are_removed_from_name_and_position(
    admin: TelegramUser,
    registry: SmallRegistry,
    make_user: Callable[..., TelegramUser],
    session: AsyncSession,
) -> None:
    head = make_user(7101, language_code=None)
    await start_in(head, "ru")
    await head.click(registry.chui.name("ru"))
    await head.click(registry.tokmok.name("ru"))
    await head.click(tr("I am the head (ayil okmotu head or mayor)", "ru"))
    # With U+202E the coordinator would read «\u202eвонасА» as «Асанов»: somebody else's name.
    await head.send("\u202eвонасА\u2066 Бакыт\u2069\u200b\ufeff")
    replies = await head.send("Мэр\u200f\u2060 го\u200dрода\u202a")
    summary = replies[-1].text
    assert "вонасА Бакыт" in summary and "Мэр города" in summary
    assert not set(INVISIBLE) & set(summary)
    await head.click(tr("Send the application", "ru"))

    card = admin.last_message.text
    assert "вонасА Бакыт" in card and "Мэр города" in card
    assert not set(INVISIBLE) & set(card)
    user = await user_row(session, 7101)
    assert (user.full_name, user.position) == ("вонасА Бакыт", "Мэр города")


async def test_expired_invite_is_refused(
    admin: TelegramUser,
    registry: SmallRegistry,
    make_user: Callable[..., TelegramUser],
    clock: ManualClock,
    session: AsyncSession,
) -> None:
    code = await make_invite(admin, registry)
    clock.advance(timedelta(days=8))
    late = make_user(8001, language_code=None)
    replies = await start_in(late, "ky", code)
    assert (
        tr("This invitation link has expired. Ask your association for a new one.", "ky") in replies[-1].text
    )
    replies = await late.send("/start not-a-real-code")
    assert (
        tr("This invitation link is not valid. Ask your association for a new one.", "ky") in replies[-1].text
    )
    assert (await user_row(session, 8001)).role is Role.NONE


async def test_half_finished_sign_up_survives_a_restart(
    running_bot: RunningBot,
    registry: SmallRegistry,
    make_user: Callable[..., TelegramUser],
    session: AsyncSession,
) -> None:
    head = make_user(9001, language_code=None)
    await start_in(head, "ky")
    await head.click(registry.chui.name("ky"))
    await head.click(registry.tokmok.name("ky"))
    await head.click(tr("I am the head (ayil okmotu head or mayor)", "ky"))
    await head.send("Жумабеков Алмаз")
    await running_bot.restart()
    replies = await head.send("Мэр")
    assert "Жумабеков Алмаз" in replies[-1].text
    await head.click(tr("Send the application", "ky"))
    assert (await user_row(session, 9001)).status is UserStatus.PENDING


async def test_coordinator_appointed_by_admin(
    admin: TelegramUser,
    make_user: Callable[..., TelegramUser],
    session: AsyncSession,
    registry: SmallRegistry,
) -> None:
    replies = await admin.send("/coordinator")
    code = INVITE_LINK.search(replies[-1].text).group(2)  # type: ignore[union-attr]
    newcomer = make_user(9101, language_code=None)
    await start_in(newcomer, "ru", code)
    await newcomer.send("Сапарова Гульнара")
    replies = await newcomer.send("Специалист ассоциации")
    assert "/applications" in replies[-1].text
    user = await user_row(session, 9101)
    assert (user.role, user.status) == (Role.COORDINATOR, UserStatus.ACTIVE)
    menu = [command["command"] for command in newcomer.emulator.visible_commands(9101)]
    assert "applications" in menu and "coordinator" not in menu
    assert "coordinator" in [command["command"] for command in admin.emulator.visible_commands(ADMIN_ID)]
