"""What the coordinator sees of an answer (issue 11): the answers to the consultation's own questions,
each attachment as a button that sends the file back, and both in the documents, in both languages."""

from __future__ import annotations

import csv
import io
import struct
from collections.abc import Awaitable, Callable
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from docx import Document
from docx.document import Document as DocxDocument
from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncSession

from bot import documents
from bot.clock import ManualClock
from bot.i18n import format_number
from bot.services.export_data import export_data
from devtools.emulator import TelegramUser
from devtools.testing import RunningBot
from models import Answer, Consultation, Role, Stance
from tests.factories import EXTRA_QUESTIONS, SmallRegistry, add_user, clock_start, open_consultation
from tests.test_answers import head_of, wait_for_card
from tests.texts import tr

LOCALES = ("ky", "ru")
# A 64×48 GIF header: enough for the emulator to take it as a photo.
PHOTO = b"GIF89a" + struct.pack("<HH", 64, 48) + b"\x00" * 32
QUESTION_1, QUESTION_2 = (q["text"] for q in EXTRA_QUESTIONS)


@pytest.fixture
def publish(
    running_bot: RunningBot, session: AsyncSession, registry: SmallRegistry, clock: ManualClock
) -> Callable[[], Awaitable[Consultation]]:
    async def publish_now() -> Consultation:
        consultation = await open_consultation(session, registry, clock.now() + timedelta(days=10))
        running_bot.pikir.sender.wake()  # type: ignore[union-attr]
        return consultation

    return publish_now


@pytest.mark.parametrize("locale", LOCALES)
async def test_coordinator_reads_the_extra_answers_and_gets_each_attachment_back(
    locale: str,
    publish: Callable[[], Awaitable[Consultation]],
    session: AsyncSession,
    registry: SmallRegistry,
    make_user: Callable[..., TelegramUser],
    clock: ManualClock,
) -> None:
    ak_sai = registry.ysyk_ata_aimaks[0]
    head = await head_of(session, make_user, 8301, ak_sai, locale, now=clock.now())
    await add_user(
        session, 8302, role=Role.COORDINATOR, language=locale, full_name="Координатор", now=clock.now()
    )
    coordinator = make_user(8302, language_code=locale)
    await publish()
    card = await wait_for_card(head)
    # Every step as in tests/test_answers.py: a PDF attached; a photo too, before «Done».
    await head.click(tr("✍ Answer", locale), card)
    await answer_until_attachments(head, locale)
    await head.send_document("smeta.pdf", b"%PDF-1.4 smeta", "application/pdf")
    await head.send_photo(PHOTO)
    await head.click(tr("Done »", locale))
    await head.click("Да")
    await head.click("4")
    await head.click(tr("✅ Submit the answer", locale))

    await coordinator.send("/responses")
    await coordinator.click(coordinator.buttons()[0])
    await coordinator.click(tr("Read the answers", locale))
    replies = await coordinator.click(ak_sai.name(locale))
    view = replies[-1]
    assert tr("<b>Answers to the consultation's own questions:</b>", locale).strip("<b>/:") in view.text
    assert f"{QUESTION_1}: Да" in view.text
    assert f"{QUESTION_2}: 4" in view.text
    assert tr("Attachments: {count}", locale, count=2) in view.text
    buttons = coordinator.buttons(view)
    assert "📎 smeta.pdf" in buttons and f"📎 {tr('photo', locale)}" in buttons

    sent_by = tr(
        "{municipality}: sent by {name} with the answer (version {version}).",
        locale,
        municipality=ak_sai.full_name(locale),
        name="Башчы 8301",
        version=1,
    )
    replies = await coordinator.click("📎 smeta.pdf", view)
    document = replies[-1]
    assert document.document is not None and document.document.data == b"%PDF-1.4 smeta"
    assert document.caption == sent_by
    replies = await coordinator.click(f"📎 {tr('photo', locale)}", view)
    assert replies[-1].photo is not None and replies[-1].caption == sent_by

    # A head cannot ask for the file (the staff-only router refuses the forged press).
    await head.click_data(coordinator.messages[-3].inline_keyboard[0][0]["callback_data"])
    assert head.last_callback_answer


async def answer_until_attachments(head: TelegramUser, locale: str) -> None:
    """The steps before the attachments, as in tests/test_answers.py."""
    await head.click(tr("✏ Support with amendments", locale))
    await head.click(tr("Extra costs", locale))
    await head.send("1,5 млн")
    await head.click(tr("Yes", locale))
    await head.click(tr("drinking water", locale))
    await head.click(tr("Next »", locale))
    await head.send("Комментарий")
    await head.click(tr("➕ Add an amendment", locale))
    await head.send("Статья 12")
    await head.send("Исключить.")
    await head.click(tr("Skip »", locale))
    await head.click(tr("No more amendments »", locale))


# ---- the documents ---------------------------------------------------------------------------------


def _answer(
    cid: int, municipality_id: int, extra: dict[str, object], attachments: list[dict[str, object]]
) -> Answer:
    return Answer(
        consultation_id=cid,
        municipality_id=municipality_id,
        version=1,
        is_current=True,
        submitted_at=clock_start(),
        stance=Stance.SUPPORT,
        services=[],
        extra_answers=extra,
        attachments=attachments,
    )


def _headed(paper: DocxDocument, header: str) -> list[list[str]]:
    table = next(t for t in paper.tables if header in [c.text for c in t.rows[0].cells])
    return [[cell.text for cell in row.cells] for row in table.rows]


@pytest.mark.parametrize("locale", LOCALES)
async def test_documents_carry_the_extra_answers_tallies_and_the_attachments(
    locale: str, session: AsyncSession, registry: SmallRegistry
) -> None:
    now = clock_start()
    consultation = await open_consultation(session, registry, now + timedelta(days=5))
    ak_sai, ashar, baitik = registry.ysyk_ata_aimaks[:3]
    pdf = {"file_id": "F1", "kind": "document", "name": "smeta.pdf"}
    photo = {"file_id": "F2", "kind": "photo", "name": None}
    session.add_all(
        [
            _answer(consultation.id, ak_sai.id, {"1": "Да", "2": 4}, [pdf, photo]),
            _answer(consultation.id, ashar.id, {"1": "Нет", "2": 5}, []),
            _answer(consultation.id, baitik.id, {"1": "Да"}, []),
        ]
    )
    await session.commit()
    data = await export_data(session, consultation.id, locale, 0.5, ZoneInfo("Asia/Bishkek"), now)

    workbook = load_workbook(io.BytesIO(documents.answers_workbook(data)))
    raw = list(workbook[tr("Answers", locale)].iter_rows(values_only=True))
    column = {header: index for index, header in enumerate(raw[0])}
    by_name = {row[column[tr("Municipality", locale)]]: row for row in raw[1:]}
    first = by_name[ak_sai.name(locale)]
    assert first[column[QUESTION_1]] == "Да" and first[column[QUESTION_2]] == 4  # a number
    assert first[column[tr("Attachments", locale)]] == f"smeta.pdf; {tr('photo', locale)}"
    assert by_name[baitik.name(locale)][column[QUESTION_2]] is None
    tallies = [row for row in workbook[tr("Extra questions", locale)].iter_rows(values_only=True) if row[0]]
    assert tallies[0][:2] == (QUESTION_1, tr("Answers", locale))
    assert tallies[1][:2] == ("Да", 2) and tallies[1][2] == pytest.approx(2 / 3)
    assert tallies[2][:2] == ("Нет", 1)
    assert tallies[3] == (tr("Municipalities that answered the question", locale), 3, None)
    assert tallies[4][0] == QUESTION_2
    assert tallies[5][:2] == (tr("Mean (from 1 to 5)", locale), pytest.approx(4.5))
    assert tallies[6][:2] == (tr("Municipalities that answered the question", locale), 2)

    rows = list(csv.reader(io.StringIO(documents.answers_csv(data).decode("utf-8-sig")), delimiter=";"))
    csv_column = {header: index for index, header in enumerate(rows[0])}
    csv_first = next(r for r in rows if r[csv_column[tr("Municipality", locale)]] == ak_sai.name(locale))
    assert csv_first[csv_column[QUESTION_1]] == "Да" and csv_first[csv_column[QUESTION_2]] == "4"

    paper = Document(io.BytesIO(documents.position_paper(data)))
    headings = [p.text for p in paper.paragraphs if p.style.name.startswith("Heading")]
    assert tr("Answers to the consultation's own questions", locale) in headings
    assert QUESTION_1 in headings and QUESTION_2 in headings
    texts = [p.text for p in paper.paragraphs]
    mean = tr("Mean: {mean} on a scale from 1 to 5.", locale, mean=format_number(4.5, locale))
    assert mean in texts
    choices = _headed(paper, tr("Answer", locale))
    assert choices[1][:2] == ["Да", "2"] and choices[2][:2] == ["Нет", "1"]
    attachments = _headed(paper, tr("Attachments", locale))
    assert attachments[1:] == [["1", ak_sai.name(locale), f"smeta.pdf\n{tr('photo', locale)}"]]
    assert tr("Attachments sent with the answers", locale) in headings
