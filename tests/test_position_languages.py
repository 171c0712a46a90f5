"""A Kyrgyz-speaking coordinator: each group of proposals is headed in the reader's language, and adopting
after rewriting only one of the two texts asks first (the Russian side is in tests/test_positions.py)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import ManualClock
from devtools.emulator import TelegramUser
from devtools.testing import RunningBot
from models import Position, Role, User
from models.consultations import ConsultationStatus
from tests.conftest import ADMIN_ID
from tests.factories import SmallRegistry, add_user
from tests.test_position_buttons import closed_from_the_bot
from tests.test_positions import answer_as, publish_as
from tests.texts import plain, tr


async def test_a_kyrgyz_coordinator_is_warned_and_reads_kyrgyz_headings(
    running_bot: RunningBot,
    session: AsyncSession,
    registry: SmallRegistry,
    admin: TelegramUser,
    clock: ManualClock,
    make_user: Callable[..., TelegramUser],
) -> None:
    coordinator = await session.scalar(select(User).where(User.telegram_id == ADMIN_ID))
    consultation = await publish_as(session, coordinator, registry, clock)  # type: ignore[arg-type]
    cid = consultation.id
    for telegram_id, municipality, article in (
        (9301, registry.tokmok, "ст. 5"),  # typed the Russian way
        (9302, registry.ysyk_ata_aimaks[0], "Статья 5"),
    ):
        head = await add_user(
            session, telegram_id, role=Role.HEAD, municipality=municipality, language="ru", now=clock.now()
        )
        amendment = {"article": article, "wording": "Айыл өкмөтү менен макулдашуу.", "justification": None}
        await answer_as(session, head, consultation, clock, stance="amend", amendments=[amendment])
    await closed_from_the_bot(admin, consultation)
    await admin.send("/lang")
    await admin.click("Кыргызча")

    # The drafted position and the proposals screen say «5-берене», though both heads typed it in Russian.
    await admin.click(tr("📝 Open the position", "ru"))
    replies = await admin.click(tr("📄 Text in Kyrgyz", "ky"))
    heading = plain(tr("<b>The position, in {language}:</b>", "ky", language="кыргыз тилинде"))
    assert plain(replies[-1].text).startswith(heading)  # «Позициянын тексти кыргыз тилинде:»
    assert "5-берене (2)" in replies[-1].text and "ст. 5" not in replies[-1].text

    # Only the Kyrgyz text is rewritten: adopting asks first, naming the languages in Kyrgyz.
    await admin.click(tr("✏ Edit this text", "ky"))
    await admin.send("Ассоциация долбоорду 5-беренеге түзөтүүлөр менен колдойт.")
    await admin.click(tr("◀ Back to the position", "ky"))
    replies = await admin.click(tr("✅ Adopt the position", "ky"))
    assert plain(replies[-1].text) == tr(
        "⚠ You edited the text in {edited}, but the text in {drafted} is still the bot's draft: "
        "the two papers may say different things. Adopt anyway?",
        "ky",
        edited="кыргыз тилинде",
        drafted="орус тилинде",
    )
    # «Edit the other text» leads to the Russian one; once both are rewritten, adopting asks nothing.
    replies = await admin.click(tr("✏ Edit the other text", "ky"))
    assert "орус тилинде" in replies[-1].text
    await admin.send("Ассоциация поддерживает проект с поправками к статье 5.")
    await admin.click(tr("◀ Back to the position", "ky"))
    await admin.click(tr("✅ Adopt the position", "ky"))
    await session.refresh(consultation)
    assert consultation.status is ConsultationStatus.POSITION_ADOPTED
    position = await session.scalar(select(Position).where(Position.consultation_id == cid))
    assert position is not None and position.text_ky_edited and position.text_ru_edited
