"""The weekly digest: its content per role (service, no Telegram), nothing to say, once a week, and
what heads and coordinators read in each language, split between items when long (emulator)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import ManualClock
from bot.services import digest
from bot.timing import QuietHours, WeeklyMoment
from devtools.emulator import TelegramUser
from devtools.testing import RunningBot
from handlers.reminders.parts import Item, split
from models import Position, ProposalDecision, ProposalGroup, Role, User
from models.answers import article_key
from models.consultations import ConsultationStatus
from models.deliveries import Delivery
from tests.conftest import ADMIN_ID
from tests.factories import SmallRegistry, add_user
from tests.test_positions import answer_as, publish_as
from tests.test_reminders import tick
from tests.texts import plain, tr

ZONE = ZoneInfo("Asia/Bishkek")


def now_moment(clock: ManualClock) -> WeeklyMoment:
    """The digest moment set to the clock's present instant, whatever weekday the test runs on."""
    local = clock.now().astimezone(ZONE)
    return WeeklyMoment(local.weekday(), local.time())


async def test_content_per_role_nothing_to_say_and_once_a_week(
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    registry: SmallRegistry,
    clock: ManualClock,
) -> None:
    aksai, ashar = registry.ysyk_ata_aimaks[:2]
    coordinator = await add_user(session, 900, role=Role.COORDINATOR, language="ru")
    aksai_head = await add_user(session, 11, role=Role.HEAD, municipality=aksai)
    ashar_head = await add_user(session, 12, role=Role.HEAD, municipality=ashar, language="ru")
    await add_user(session, 13, role=Role.HEAD, municipality=registry.talas_aimaks[0])  # nothing to say
    quiet_one = await add_user(session, 14, role=Role.DEPUTY, municipality=aksai)
    quiet_one.digest_weekly = False
    await session.commit()
    open_one = await publish_as(session, coordinator, registry, clock)
    await answer_as(session, ashar_head, open_one, clock, stance="support")
    closed_one = await publish_as(session, coordinator, registry, clock)
    await answer_as(
        session,
        aksai_head,
        closed_one,
        clock,
        stance="amend",
        amendments=[{"article": "5-берене", "wording": "Жаңы редакция", "justification": "Себеби"}],
    )
    # Closed, position adopted and the outcome recorded this week.
    clock.advance(timedelta(days=1))
    closed_one.status, closed_one.closed_at = ConsultationStatus.CLOSED, clock.now()
    session.add(
        Position(
            consultation_id=closed_one.id,
            text_ky="Ассоциация колдойт.",
            text_ru="Ассоциация поддерживает.",
            drafted_at=clock.now(),
            adopted_at=clock.now(),
            outcome_recorded_at=clock.now(),
        )
    )
    session.add(
        ProposalGroup(
            consultation_id=closed_one.id,
            article_key=article_key("5-берене"),
            decision=ProposalDecision.ACCEPTED,
        )
    )
    await session.commit()
    clock.advance(timedelta(hours=1))
    heads = await digest.head_contents(session, clock.now() - digest.WEEK, clock.now())
    assert heads[aksai.id]["waiting"] == [{"cid": open_one.id, "deadline": open_one.deadline.isoformat()}]  # type: ignore[union-attr]
    assert heads[aksai.id]["published"] == [closed_one.id]  # answered already: not waiting
    assert heads[aksai.id]["closed"] == [closed_one.id]
    assert heads[aksai.id]["outcomes"] == [{"cid": closed_one.id, "accepted": 1}]
    assert "waiting" not in heads[ashar.id] and "outcomes" not in heads[ashar.id]
    assert registry.talas_aimaks[0].id not in heads
    staff, applications = await digest.coordinator_contents(session, clock.now() - digest.WEEK, clock.now())
    [entry] = staff[coordinator.id]["open"]
    assert (entry["cid"], entry["targeted"], entry["answered"], entry["week_ago"]) == (open_one.id, 12, 1, 0)
    assert staff[coordinator.id]["to_adopt"] == [closed_one.id]
    assert applications == 0
    # The run: one delivery per person with something to say; the deputy who turned it off gets none.
    run = await digest.send_digest(session_factory, clock.now(), now_moment(clock), ZONE, None)
    assert run is not None and run.people == 3
    chats = set(await session.scalars(select(Delivery.chat_id).where(Delivery.kind == digest.DIGEST_KIND)))
    assert chats == {11, 12, 900}
    assert await digest.send_digest(session_factory, clock.now(), now_moment(clock), ZONE, None) is None
    # A week later, the response rate's change is counted from the week before.
    moment = now_moment(clock)
    clock.advance(timedelta(days=7))
    staff, _n = await digest.coordinator_contents(session, clock.now() - digest.WEEK, clock.now())
    assert staff[coordinator.id]["open"][0]["week_ago"] == 1
    await digest.send_digest(session_factory, clock.now(), moment, ZONE, None)
    assert (
        await session.scalar(select(func.count()).select_from(Delivery).where(Delivery.chat_id == 900)) == 2
    )


async def test_quiet_hours_hold_the_digest_and_a_late_start_catches_up_within_a_day(
    session_factory: async_sessionmaker[AsyncSession], clock: ManualClock
) -> None:
    quiet = QuietHours.parse("21:00-08:00")
    local = clock.now().astimezone(ZONE)  # noon
    at_22 = WeeklyMoment(local.weekday(), local.replace(hour=22, minute=0).time())
    clock.advance(timedelta(hours=10))  # 22:00: due, but it is night
    assert digest.digest_moment(at_22, clock.now(), ZONE, quiet) is None
    clock.advance(timedelta(hours=10))  # 08:00
    assert digest.digest_moment(at_22, clock.now(), ZONE, quiet) is not None
    clock.advance(timedelta(days=1))  # a bot stopped for more than a day skips that week's digest
    assert digest.digest_moment(at_22, clock.now(), ZONE, quiet) is None


def test_a_long_digest_is_split_between_items() -> None:
    items = (
        [Item("heading:")]
        + [Item(f"• {i:03d} " + "x" * 500) for i in range(20)]
        + [Item("end:"), Item("last")]
    )
    parts = split(items, limit=2000)
    assert [item for part in parts for item in part] == items  # nothing lost, nothing cut, in order
    assert all(sum(len(i.text) + 1 for i in part) - 1 <= 2000 for part in parts)
    assert len(parts) > 1
    # A heading travels with what it introduces, never left alone at the end of a part.
    assert not any(part[-1].text.endswith(":") for part in parts)
    heading_last = [Item("a" * 900), Item("b" * 900), Item("heading:"), Item("c" * 900)]
    assert [[i.text[0] for i in part] for part in split(heading_last, limit=2000)] == [["a", "b"], ["h", "c"]]


async def test_digest_in_both_languages_split_and_nothing_to_say(
    running_bot: RunningBot,
    session: AsyncSession,
    registry: SmallRegistry,
    admin: TelegramUser,
    make_user: Callable[..., TelegramUser],
    clock: ManualClock,
) -> None:
    coordinator = await session.scalar(select(User).where(User.telegram_id == ADMIN_ID))
    titles = []
    for number in range(24):  # published before the heads register, so no cards are sent
        consultation = await publish_as(session, coordinator, registry, clock)  # type: ignore[arg-type]
        consultation.title_ky = f"{number:02d} " + "Жайыт мыйзамынын долбоору " * 9
        consultation.title_ru = f"{number:02d} " + "Проект закона о пастбищах " * 9
        consultation.deadline = clock.now() + timedelta(days=30)  # still open on the digest's day
        titles.append((consultation.title_ky.strip(), consultation.title_ru.strip()))
    await session.commit()
    await add_user(session, 9401, role=Role.HEAD, municipality=registry.tokmok, language="ky")
    await add_user(session, 9402, role=Role.HEAD, municipality=registry.ysyk_ata_aimaks[0], language="ru")
    await add_user(session, 9403, role=Role.HEAD, municipality=registry.talas_aimaks[0], language="ru")
    chats = {}
    for telegram_id, locale in ((9401, "ky"), (9402, "ru"), (9403, "ru")):
        chats[telegram_id] = make_user(telegram_id, language_code=locale)
        await chats[telegram_id].send("/help")
    settings = running_bot.settings
    clock.set(settings.schedule.digest.latest(clock.now(), settings.locale.zone) + timedelta(days=7))
    before, limited = len(admin.messages), admin.emulator.count_429
    # The coordinator's picture meets a 429 once: the retry sends it, and does not repeat the text.
    admin.emulator.fail_next(1, error_code=429, retry_after=1, method="sendPhoto", chat_id=ADMIN_ID)
    await tick(running_bot)
    for telegram_id, locale in ((9401, "ky"), (9402, "ru")):
        chat = chats[telegram_id]
        heading = plain(tr("📰 <b>Pikir: your week</b>", locale))
        start = next(i for i, m in enumerate(chat.messages) if heading in m.text)
        parts = chat.messages[start:]
        assert len(parts) >= 2
        assert all(len(m.text) <= 4096 for m in parts)
        for pair in titles:
            title = pair[0] if locale == "ky" else pair[1]
            assert sum(title in m.text for m in parts) == 1  # each item whole, in one message
        answer = tr("✍ Answer: {title}", locale, title="")
        assert all(any(b.startswith(answer) for b in chat.buttons(m)) for m in parts)
    assert not any("📰" in m.text for m in chats[9403].messages)  # nothing to say: nothing sent
    staff = next(
        m for m in reversed(admin.messages) if plain(tr("📰 <b>Pikir: your week</b>", "ru")) in m.text
    )
    assert plain(tr("📊 <b>Your open consultations:</b>", "ru")) in staff.text
    # The coordinator's digest ends with the one-page «state of consultations», once; a head's has none.
    week = admin.messages[before:]
    heading = plain(tr("📰 <b>Pikir: your week</b>", "ru"))
    headed = [i for i, m in enumerate(week) if heading in (m.text or "")]
    assert len(headed) == 1 and admin.emulator.count_429 > limited
    pictures = [m for m in week if m.photo is not None]
    assert len(pictures) == 1 and week[-1] is pictures[0]
    assert pictures[0].photo.data.startswith(b"\x89PNG")  # type: ignore[union-attr]
    assert all(m.photo is None for chat in chats.values() for m in chat.messages)
