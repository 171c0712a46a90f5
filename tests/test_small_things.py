"""Small things that looked careless (issue 11, item 7), each as the person concerned sees it, in both
languages: the first greeting, the /invite picker's wording, text typed where buttons answer, the other
staff members' copies of a decided application, the preview cards, the delivery report's sheet, and an
unknown population."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import documents
from bot.clock import ManualClock
from bot.services import consultations
from bot.services.export_data import export_data
from devtools.emulator import TelegramUser
from devtools.testing import RunningBot
from handlers.callbacks import ConsultationAction, ConsultationIntent
from handlers.common import CHOOSE_LANGUAGE
from models import Answer, Broadcast, ConsultationTarget, Role, Stance, UserStatus
from tests.conftest import ADMIN_ID
from tests.factories import SmallRegistry, add_user, clock_start, open_consultation
from tests.texts import tr

LOCALES = ("ky", "ru")
LANGUAGE_BUTTON = {"ky": "Кыргызча", "ru": "Русский"}
REGISTRY_CSV = (
    "soate_code,name_ru,kind,oblast_ru,oblast_soate\n"
    "41707400000010,г. Талас,city,Таласская область,41707000000000\n"
).encode()


@pytest.mark.parametrize("locale", LOCALES)
async def test_a_new_admins_first_start_is_a_welcome_not_a_welcome_back(
    locale: str, running_bot: RunningBot, make_user: Callable[..., TelegramUser]
) -> None:
    admin = make_user(ADMIN_ID, locale)
    await admin.send("/start")
    replies = await admin.click(LANGUAGE_BUTTON[locale])
    greeting = replies[-1].text
    assert greeting.startswith(tr("Welcome to Pikir!", locale))
    assert tr("Welcome back!", locale) not in greeting
    replies = await admin.send("/start")
    assert replies[-1].text.startswith(tr("Welcome back!", locale))


@pytest.mark.parametrize("locale", LOCALES)
async def test_the_invite_picker_speaks_of_the_municipality_not_yours(
    locale: str,
    running_bot: RunningBot,
    registry: SmallRegistry,
    session: AsyncSession,
    make_user: Callable[..., TelegramUser],
    clock: ManualClock,
) -> None:
    await add_user(session, 5401, role=Role.COORDINATOR, language=locale, now=clock.now())
    coordinator = make_user(5401, language_code=locale)
    replies = await coordinator.send("/invite")
    assert replies[-1].text == tr("Choose the oblast, or type part of the municipality's name.", locale)
    await coordinator.click(registry.chui.name(locale))
    replies = await coordinator.click(registry.ysyk_ata.name(locale))
    district = registry.ysyk_ata.name(locale)
    assert replies[-1].text == tr("{district}: choose the municipality.", locale, district=district)
    # A head signing up still chooses «your» municipality.
    applicant = make_user(5402, locale)
    await applicant.send("/start")
    replies = await applicant.click(LANGUAGE_BUTTON[locale])
    picker = replies[-1].text
    assert tr("Choose your oblast, or type part of your municipality's name.", locale) in picker


@pytest.mark.parametrize("locale", LOCALES)
async def test_text_typed_where_buttons_answer_is_told_to_use_them(
    locale: str,
    running_bot: RunningBot,
    registry: SmallRegistry,
    session: AsyncSession,
    make_user: Callable[..., TelegramUser],
    clock: ManualClock,
) -> None:
    # The very first step, the language: the buttons come again, under the request.
    newcomer = make_user(5403, locale)
    await newcomer.send("/start")
    replies = await newcomer.send("Салам")
    assert replies[-1].text.startswith(tr("Please choose with the buttons below.", locale))
    assert CHOOSE_LANGUAGE in replies[-1].text
    assert newcomer.buttons(replies[-1]) == ["Кыргызча", "Русский"]
    assert tr("I did not expect a message here. /help shows what you can do.", locale) not in replies[-1].text

    # The registry import waits for «Apply» or «Cancel».
    await add_user(session, 5404, role=Role.COORDINATOR, language=locale, now=clock.now())
    coordinator = make_user(5404, language_code=locale)
    await coordinator.send("/import")
    await coordinator.send_document("registry.csv", REGISTRY_CSV, "text/csv")
    replies = await coordinator.send("да")
    assert replies[-1].text == tr("Please choose with the buttons of the message above, or /cancel.", locale)


@pytest.mark.parametrize("decider_locale", LOCALES)
async def test_once_decided_the_other_copies_say_who_decided_and_lose_their_buttons(
    decider_locale: str,
    running_bot: RunningBot,
    registry: SmallRegistry,
    session: AsyncSession,
    make_user: Callable[..., TelegramUser],
    clock: ManualClock,
) -> None:
    other_locale = "ru" if decider_locale == "ky" else "ky"
    await add_user(
        session, 5405, role=Role.COORDINATOR, language=decider_locale, full_name="Айбек", now=clock.now()
    )
    await add_user(session, 5406, role=Role.COORDINATOR, language=other_locale, now=clock.now())
    decider, other = make_user(5405, decider_locale), make_user(5406, other_locale)
    await add_user(
        session,
        5407,
        role=Role.HEAD,
        municipality=registry.tokmok,
        status=UserStatus.PENDING,
        now=clock.now(),
    )
    await other.send("/applications")
    await decider.send("/applications")
    await decider.click(tr("❌ Reject", decider_locale))
    card = other.messages[-1]
    assert tr("❌ Rejected by {name}.", other_locale, name="Айбек") in card.text
    assert other.buttons(card) == []


@pytest.mark.parametrize("locale", LOCALES)
async def test_preview_cards_have_no_answer_button_to_press(
    locale: str,
    running_bot: RunningBot,
    session: AsyncSession,
    make_user: Callable[..., TelegramUser],
    clock: ManualClock,
) -> None:
    coordinator_row = await add_user(session, 5408, role=Role.COORDINATOR, language=locale, now=clock.now())
    draft = await consultations.create_draft(session, coordinator_row, clock.now())
    await consultations.save_fields(session, draft, title_ky="Жайыттар", title_ru="Пастбища")
    coordinator = make_user(5408, locale)
    await coordinator.send("/help")
    replies = await coordinator.click_data(
        ConsultationAction(action=ConsultationIntent.EDIT, id=draft.id).pack()
    )
    cards = [m for m in replies if "Жайыттар" in (m.text or "") or "Пастбища" in (m.text or "")]
    assert len(cards) == 2
    # Each card in its language, as heads will see it, less the button that would start an answer.
    for card, card_locale in zip(cards, LOCALES, strict=True):
        assert coordinator.buttons(card) == [tr("📖 Read more", card_locale)]
    heading = tr("Heads will also have the «✍ Answer» button under it.", locale)
    assert sum(heading in (m.text or "") for m in replies) == 2


@pytest.mark.parametrize("locale", LOCALES)
async def test_delivery_report_sheet_is_named_in_the_readers_language(
    locale: str,
    running_bot: RunningBot,
    registry: SmallRegistry,
    session: AsyncSession,
    make_user: Callable[..., TelegramUser],
    clock: ManualClock,
) -> None:
    consultation = await open_consultation(session, registry, clock.now() + timedelta(days=5))
    broadcast = await session.scalar(select(Broadcast).where(Broadcast.subject_id == consultation.id))
    assert broadcast is not None
    await add_user(session, 5409, role=Role.COORDINATOR, language=locale, now=clock.now())
    coordinator = make_user(5409, locale)
    await coordinator.send("/help")
    replies = await coordinator.click_data(
        ConsultationAction(action=ConsultationIntent.REPORT, id=broadcast.id).pack()
    )
    report = replies[-1].document
    assert report is not None
    assert load_workbook(io.BytesIO(report.data)).sheetnames == [tr("Delivery report", locale)[:31]]


@pytest.mark.parametrize("locale", LOCALES)
async def test_an_unknown_population_is_unknown_not_zero(
    locale: str, session: AsyncSession, registry: SmallRegistry
) -> None:
    now = clock_start()
    consultation = await open_consultation(session, registry, now + timedelta(days=5))
    # Talas aimaks have no population in the registry; Ак-Сай has 5 000.
    talas = registry.talas_aimaks[0]
    session.add(ConsultationTarget(consultation_id=consultation.id, municipality_id=talas.id))
    for municipality, stance in ((registry.ysyk_ata_aimaks[0], Stance.SUPPORT), (talas, Stance.OPPOSE)):
        session.add(
            Answer(
                consultation_id=consultation.id,
                municipality_id=municipality.id,
                version=1,
                is_current=True,
                submitted_at=now,
                stance=stance,
                services=[],
            )
        )
    await session.commit()
    data = await export_data(session, consultation.id, locale, 0.5, ZoneInfo("Asia/Bishkek"), now)
    unknown = tr("unknown", locale)

    workbook = load_workbook(io.BytesIO(documents.answers_workbook(data)))
    rows = {row[0]: row for row in workbook[tr("Tallies", locale)].iter_rows(values_only=True) if row}
    assert rows[tr("Support", locale)][3] == 5_000
    assert rows[tr("Oppose", locale)][3] == unknown
    assert rows[tr("No opinion", locale)][3] == 0  # nobody: zero people, rightly

    paper = Document(io.BytesIO(documents.position_paper(data)))
    stances = next(t for t in paper.tables if t.rows[0].cells[0].text == tr("Opinion", locale))
    by_stance = {row.cells[0].text: row.cells[3].text for row in stances.rows[1:]}
    assert by_stance[tr("Oppose", locale)] == unknown
    assert by_stance[tr("Support", locale)].replace("\xa0", " ") in ("5 000", "5,000", "5 000")
