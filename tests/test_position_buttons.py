"""The coordinator's position and answers buttons through the emulator: forged presses are refused by
the button's filter before any handler runs, and the screens change in place."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import ManualClock
from devtools.emulator import TelegramUser
from devtools.testing import RunningBot
from models import Consultation, Position, Role, User
from models.consultations import ConsultationStatus
from tests.conftest import ADMIN_ID
from tests.factories import SmallRegistry, add_user
from tests.test_consultations import wait_until
from tests.test_positions import answer_as, publish_as
from tests.texts import tr

STALE = "This button is no longer active. Please use the latest message."


async def closed_from_the_bot(admin: TelegramUser, consultation: Consultation) -> None:
    """The coordinator closes early from /responses and waits for the drafted position."""
    await admin.send("/responses")
    await admin.click(consultation.title_ru)  # type: ignore[arg-type]
    await admin.click(tr("⏹ Close the consultation now", "ru"))
    await admin.click(tr("⏹ Yes, close it now", "ru"))
    opener = tr("📝 Open the position", "ru")
    await wait_until(lambda: opener in admin.buttons())


async def test_a_forged_value_is_refused_and_the_pending_input_survives(
    running_bot: RunningBot,
    session: AsyncSession,
    registry: SmallRegistry,
    admin: TelegramUser,
    clock: ManualClock,
) -> None:
    """While the coordinator types the position's new text, presses with a language, a file format,
    a decision, a fate or a page that no button carries are refused, change no message, and leave the
    typing in place: the text sent next is saved."""
    coordinator = await session.scalar(select(User).where(User.telegram_id == ADMIN_ID))
    consultation = await publish_as(session, coordinator, registry, clock)  # type: ignore[arg-type]
    cid = consultation.id
    await closed_from_the_bot(admin, consultation)
    await admin.click(tr("📝 Open the position", "ru"))
    await admin.click(tr("📄 Text in Russian", "ru"))
    await admin.click(tr("✏ Edit this text", "ru"))

    for forged in (
        f"postext:{cid}:en",  # no such language
        f"posedit:{cid}:kk",
        f"posfile:{cid}:exe:ky",  # no such format
        f"posfile:{cid}:docx",  # a field missing
        f"posdecide:{cid}:0:maybe",  # no such decision
        f"posprop:{cid}:-1",  # no negative index
        f"posfate:{cid}:lost",
        f"pos:{cid}:text:ru",  # the old format, one action for everything
        f"respanswered:{cid}:-1",  # no negative page
        f"respanswer:{cid}:x",  # not an id
    ):
        changes = await admin.click_data(forged)
        assert changes == [], forged
        assert admin.last_callback_alert and admin.last_callback_answer == tr(STALE, "ru"), forged

    await admin.send("Ассоциация поддерживает проект.")
    position = await session.scalar(select(Position).where(Position.consultation_id == cid))
    await session.refresh(position)
    assert position.text_ru == "Ассоциация поддерживает проект."  # type: ignore[union-attr]


async def test_a_head_is_refused_every_coordinator_button_whatever_the_consultation(
    running_bot: RunningBot,
    session: AsyncSession,
    registry: SmallRegistry,
    admin: TelegramUser,
    make_user: Callable[..., TelegramUser],
    clock: ManualClock,
) -> None:
    """A head forging the coordinator's buttons, for the consultation put before him or another one,
    gets the refusal and nothing else: no screen, no change."""
    coordinator = await session.scalar(select(User).where(User.telegram_id == ADMIN_ID))
    theirs = await publish_as(session, coordinator, registry, clock)  # type: ignore[arg-type]
    other = await publish_as(session, coordinator, registry, clock)  # type: ignore[arg-type]
    aksai = registry.ysyk_ata_aimaks[0]
    head = await add_user(session, 9301, role=Role.HEAD, municipality=aksai, language="ru", now=clock.now())
    await answer_as(session, head, theirs, clock, stance="support")
    chat = make_user(9301, language_code="ru")
    await chat.send("/help")
    mid = registry.ysyk_ata_aimaks[0].id
    refusal = tr("Only association coordinators can do this.", "ru")
    for cid in (theirs.id, other.id):
        for forged in (
            f"posclose:{cid}",
            f"poscloseok:{cid}",
            f"pos:{cid}",
            f"postext:{cid}:ru",
            f"posdecide:{cid}:0:accepted",
            f"posrecord:{cid}",
            f"posfile:{cid}:csv:ru",
            f"resp:{cid}",
            f"respanswer:{cid}:{mid}",
        ):
            changes = await chat.click_data(forged)
            assert changes == [], forged
            assert chat.last_callback_alert and chat.last_callback_answer == refusal, forged
        # A value no button carries is refused by the filter, before the role is even looked at.
        await chat.click_data(f"posfile:{cid}:exe:ru")
        assert chat.last_callback_answer == tr(STALE, "ru")
    for consultation in (theirs, other):
        await session.refresh(consultation)
        assert consultation.status is ConsultationStatus.OPEN
    assert await session.scalar(select(Position.id)) is None


async def test_the_answers_screens_change_in_place(
    running_bot: RunningBot,
    session: AsyncSession,
    registry: SmallRegistry,
    admin: TelegramUser,
    clock: ManualClock,
) -> None:
    """From /responses to one answer and back, and on to closing: one message, edited at each press."""
    coordinator = await session.scalar(select(User).where(User.telegram_id == ADMIN_ID))
    consultation = await publish_as(session, coordinator, registry, clock)  # type: ignore[arg-type]
    aksai = registry.ysyk_ata_aimaks[0]
    head = await add_user(session, 9401, role=Role.HEAD, municipality=aksai, language="ru", now=clock.now())
    await answer_as(session, head, consultation, clock, stance="oppose", comment="Нет средств.")
    await admin.send("/responses")
    screen = admin.last_message
    assert screen is not None
    count = len(admin.messages)

    await admin.click(consultation.title_ru)  # type: ignore[arg-type]
    assert tr("Answered: {answered} of {targeted} ({rate}%).", "ru", answered=1, targeted=12, rate=8) in (
        screen.text
    )
    await admin.click(tr("Who has not answered", "ru"))
    assert tr("Not answered yet ({count}):", "ru", count=11) in screen.text
    await admin.click(tr("◀ Back", "ru"))
    await admin.click(tr("Read the answers", "ru"))
    await admin.click(registry.ysyk_ata_aimaks[0].name("ru"))
    assert "Нет средств." in screen.text
    await admin.click(tr("◀ Back", "ru"))
    await admin.click(tr("◀ Back", "ru"))
    await admin.click(tr("⏹ Close the consultation now", "ru"))
    await admin.click(tr("⏹ Yes, close it now", "ru"))
    closed = tr("The consultation is closed. The drafted position will follow in a moment.", "ru")
    assert screen.text == closed
    # Besides the drafted position, which comes as a notice of its own, no new message.
    opener = tr("📝 Open the position", "ru")
    assert len([m for m in admin.messages if opener not in admin.buttons(m)]) == count
    assert len(screen.history) == 9  # the list, then eight screens before the last
