"""An expert conclusion through the emulator, in Kyrgyz and in Russian: two experts asked, each writing
part by part (one across a restart of the bot), the combined conclusion opened back."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from docx import Document
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import ManualClock
from bot.i18n import format_official_day, use_locale
from bot.presentation.procedure_labels import part_title, verdict_label
from devtools.emulator import TelegramUser
from devtools.testing import RunningBot
from models import ExpertAssignment, Role
from models.procedures import ExpertStatus, ExpertVerdict
from tests.factories import SmallRegistry, add_user
from tests.test_approval_bot import ZONE, answered_consultation, coordinator_chat, today
from tests.test_consultations import wait_until
from tests.texts import plain, tr

GIVE = "✍ Give the expert conclusion"


async def write_parts(chat: TelegramUser, locale: str, texts: list[str | None]) -> None:
    for text in texts:
        if text is None:
            await chat.click(tr("Skip", locale))
        else:
            await chat.send(text)


@pytest.mark.parametrize("locale", ["ky", "ru"])
async def test_two_experts_and_the_conclusion(
    running_bot: RunningBot,
    session: AsyncSession,
    registry: SmallRegistry,
    make_user: Callable[..., TelegramUser],
    clock: ManualClock,
    locale: str,
) -> None:
    admin = await coordinator_chat(make_user, locale)
    _author, consultation = await answered_consultation(session, registry, clock)
    await add_user(
        session,
        9401,
        role=Role.HEAD,
        municipality=registry.ysyk_ata_aimaks[3],
        full_name="Токтоев Эрлан",
        language="ky",
    )
    await add_user(session, 9402, role=Role.COORDINATOR, full_name="Петрова Анна", language="ru")
    head_chat, staff_chat = make_user(9401, "ky"), make_user(9402, "ru")
    await head_chat.send("/help")
    await staff_chat.send("/help")

    await admin.send("/expertise")
    await admin.click(consultation.title(locale)[0])
    for name in ("Токтоев Эрлан", "Петрова Анна"):
        await admin.click(tr("➕ Ask an expert", locale))
        await admin.click(name)
    await admin.click(tr("➕ Ask an expert", locale))
    await admin.click("Петрова Анна")  # asked twice: refused, nothing doubled
    assert admin.last_callback_alert
    assert len(list(await session.scalars(select(ExpertAssignment)))) == 2

    # The first expert, in Kyrgyz, writes every part but one.
    await wait_until(lambda: any(tr(GIVE, "ky") in m.buttons for m in head_chat.messages))
    await head_chat.click(tr(GIVE, "ky"))
    await write_parts(
        head_chat,
        "ky",
        [
            "ЖӨБ мыйзамына шайкеш.",
            "Бюджет кодексине шайкеш эмес.",
            "Жылына 2 млн сом.",
            None,
            "Суу кызматы.",
            "Тобокелдик бар.",
            "Каржылоону кошуу.",
        ],
    )
    await head_chat.click(verdict_label_in(ExpertVerdict.WITH_REMARKS, "ky"))
    await head_chat.click(tr("✅ Submit", "ky"))
    assert tr("Thank you: your expert conclusion is submitted to the association.", "ky") in plain(
        head_chat.last_message.text  # type: ignore[union-attr]
    )

    # The second expert, in Russian, across a restart of the bot: the first part is kept.
    await wait_until(lambda: any(tr(GIVE, "ru") in m.buttons for m in staff_chat.messages))
    await staff_chat.click(tr(GIVE, "ru"))
    await staff_chat.send("Соответствует закону о МСУ.")
    await running_bot.restart()
    await staff_chat.click(tr(GIVE, "ru"))
    with use_locale("ru"):
        second = part_title("budget_law")
    assert second in plain(staff_chat.last_message.text)  # type: ignore[union-attr]
    await write_parts(
        staff_chat, "ru", [None, "Расходы не покрыты.", "Да, новые полномочия.", None, None, None]
    )
    await staff_chat.click(verdict_label_in(ExpertVerdict.NEGATIVE, "ru"))
    await staff_chat.click(tr("✅ Submit", "ru"))
    await staff_chat.click_data(f"expsubmit:{consultation.id}")  # again (an old message): nothing changes
    assert staff_chat.last_callback_alert
    statuses = [a.status for a in await session.scalars(select(ExpertAssignment))]
    assert statuses == [ExpertStatus.SUBMITTED, ExpertStatus.SUBMITTED]

    # The conclusion, in the coordinator's language, opened back.
    await admin.send("/expertise")
    await admin.click(consultation.title(locale)[0])
    name = {"ky": "Кыргызча", "ru": "Русский"}[locale]
    await admin.click(tr("📄 Expert conclusion (DOCX), {language}", locale, language=name))
    await wait_until(lambda: any(m.document for m in admin.messages))
    sent = next(m for m in reversed(admin.messages) if m.document).document
    assert sent is not None and sent.file_name.endswith(f"-expertise-{locale}.docx")
    text = "\n".join(p.text for p in Document(io.BytesIO(sent.data)).paragraphs)
    with use_locale(locale):
        titles = [part_title(p) for p in ("lsg_law", "finance", "recommendations")]
        negative = verdict_label(ExpertVerdict.NEGATIVE)
    assert all(t in text for t in titles)
    assert "Токтоев Эрлан: Жылына 2 млн сом." in text and "Петрова Анна: Расходы не покрыты." in text
    assert "Петрова Анна: Соответствует закону о МСУ." in text
    assert (
        tr("Answered: {answered} of {targeted} ({rate}%).", locale, answered=2, targeted=12, rate="16,7")
        in text
    )
    assert format_official_day(today(clock), locale) in text
    assert tr("Conclusion of the expertise: {verdict}.", locale, verdict=negative) in text
    assert ZONE is not None


def verdict_label_in(verdict: ExpertVerdict, locale: str) -> str:
    with use_locale(locale):
        return verdict_label(verdict)
