"""Approval requests without Telegram: registering with its terms, the letter's parts and refusals, the
answer, what followed it (every move and its refusal), the near-term alerts once each, the letter
opened back."""

from __future__ import annotations

import io
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from docx import Document
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import ManualClock
from bot.config import ProcedureSettings
from bot.documents.approval_letter import approval_letter
from bot.errors import AlreadyDone, InvalidInput, NotAllowed, StaleAction
from bot.i18n import format_official_day
from bot.presentation.drafting import draft_text
from bot.services import consultations, positions
from bot.services.procedures import after_answer, alerts, approval, calendar, letter, log
from models import ApprovalRequest, Consultation, Role, User
from models.consultations import ConsultationStatus
from models.deliveries import Delivery
from models.procedures import (
    AppealResult,
    ApprovalDecision,
    ApprovalStatus,
    ConciliationResult,
    RemarksAccepted,
    StateBodyKind,
    TermUnit,
)
from tests.factories import SmallRegistry, add_user
from tests.test_positions import answer_as, publish_as

ZONE = ZoneInfo("Asia/Bishkek")
LETTERHEAD = ProcedureSettings(SIGNATORY_NAME="Ж. Асанов", _env_file=None)  # type: ignore[call-arg]


def today(clock: ManualClock) -> date:
    return clock.now().astimezone(ZONE).date()


async def fresh(session: AsyncSession, *rows: object) -> None:
    """After a refusal: the transaction rolled back (as a handler's session ends) and the rows read anew."""
    await session.rollback()
    for row in rows:
        await session.refresh(row)


async def staff(session: AsyncSession) -> User:
    return await add_user(
        session, 700, role=Role.COORDINATOR, language="ru", full_name="Координатор Ассоциации"
    )


async def register(
    session: AsyncSession, actor: User, consultation: Consultation, clock: ManualClock, **overrides: object
) -> ApprovalRequest:
    values: dict[str, object] = {
        "body_kind": StateBodyKind.MINISTRY,
        "body_name": "Министерство финансов Кыргызской Республики",
        "incoming_number": "01-2/345",
        "incoming_date": today(clock) - timedelta(days=1),
        "term_days": 20,
        "term_unit": TermUnit.WORKING,
        "calendar": calendar.WorkCalendar(),
        "margin": 3,
        "now": clock.now(),
        "zone": ZONE,
        **overrides,
    }
    return await approval.register(session, actor, consultation.id, **values)  # type: ignore[arg-type]


async def test_registering_sets_the_terms_and_the_draft_deadline(
    session: AsyncSession, registry: SmallRegistry, clock: ManualClock
) -> None:
    actor = await staff(session)
    draft = await consultations.create_draft(session, actor, clock.now())
    request = await register(session, actor, draft, clock, term_days=10)
    work = calendar.WorkCalendar()
    incoming = today(clock) - timedelta(days=1)
    assert request.due_on == work.add_working_days(incoming, 10)
    assert request.heads_due_on == work.subtract_working_days(request.due_on, 3)
    assert work.working_days_left(request.heads_due_on, request.due_on) == 3
    await session.refresh(draft)
    assert draft.deadline is not None and draft.deadline.astimezone(ZONE).date() == request.heads_due_on
    assert draft.deadline.astimezone(ZONE).hour == 18
    # Once is enough; a second registration is refused.
    with pytest.raises(AlreadyDone):
        await register(session, actor, draft, clock)
    entries = await log.history(session, draft.id)
    assert [e.kind for e in entries] == [log.EventKind.REGISTERED]
    assert entries[0].actor == "Координатор Ассоциации"


@pytest.mark.parametrize(
    ("overrides", "key"),
    [
        ({"term_days": 0}, "The term must be at least one day."),
        ({"term_days": 400}, "The term can be at most {limit} days."),
        ({"incoming_date": "tomorrow"}, "The date of a letter cannot be in the future."),
        ({"incoming_number": ""}, "The message is empty. Please send it as text."),
        ({"body_name": "МФ"}, "That is too short: at least {limit} characters."),
        (
            {"incoming_date": "long ago", "term_days": 3},
            "By these dates the term for the answer has already passed.",
        ),
    ],
)
async def test_registering_refuses_bad_values(
    session: AsyncSession, registry: SmallRegistry, clock: ManualClock, overrides: dict[str, object], key: str
) -> None:
    actor = await staff(session)
    consultation = await publish_as(session, actor, registry, clock)
    if overrides.get("incoming_date") == "tomorrow":
        overrides["incoming_date"] = today(clock) + timedelta(days=1)
    elif overrides.get("incoming_date") == "long ago":
        overrides["incoming_date"] = today(clock) - timedelta(days=60)
    with pytest.raises(InvalidInput) as error:
        await register(session, actor, consultation, clock, **overrides)
    assert error.value.key == key
    assert await session.scalar(select(func.count(ApprovalRequest.id))) == 0


async def test_only_staff_may_register(
    session: AsyncSession, registry: SmallRegistry, clock: ManualClock
) -> None:
    actor = await staff(session)
    consultation = await publish_as(session, actor, registry, clock)
    head = await add_user(session, 803, role=Role.HEAD, municipality=registry.tokmok)
    with pytest.raises(NotAllowed):
        await register(session, head, consultation, clock)
    with pytest.raises(NotAllowed):
        await calendar.set_decree_day(session, actor, today(clock), False, None, clock.now())  # not admin


async def test_letter_answer_and_the_moves_after_it(
    session: AsyncSession, registry: SmallRegistry, clock: ManualClock
) -> None:
    actor = await staff(session)
    consultation = await publish_as(session, actor, registry, clock)
    await register(session, actor, consultation, clock)
    cid = consultation.id
    # No letter before the position is adopted.
    with pytest.raises(StaleAction) as error:
        await approval.record_letter(session, actor, cid, clock.now())
    assert error.value.key == "The letter can be drafted only once the position is adopted."
    await fresh(session, actor)
    consultation = await adopted_after(session, actor, consultation, registry, clock)

    with pytest.raises(InvalidInput, match="choose the decision"):
        await approval.record_letter(session, actor, cid, clock.now())
    tomorrow = today(clock) + timedelta(days=1)
    with pytest.raises(InvalidInput, match="future"):
        await approval.set_letter(session, actor, cid, clock.now(), ZONE, outgoing_date=tomorrow)
    await fresh(session, actor)
    await approval.set_letter(
        session,
        actor,
        cid,
        clock.now(),
        ZONE,
        decision=ApprovalDecision.WITH_REMARKS,
        outgoing_number="12/07",
        outgoing_date=today(clock),
        language="ky",
    )
    with pytest.raises(InvalidInput, match="remarks"):
        await approval.record_letter(session, actor, cid, clock.now())
    keys = [g.key for g in await positions.proposal_groups(session, cid, "ru")]
    assert len(keys) == 2
    await approval.toggle_remark(session, actor, cid, keys[0], keys)  # article 5, from two heads
    with pytest.raises(StaleAction):
        await approval.toggle_remark(session, actor, cid, "forged", keys)
    # Not answered before the letter is generated.
    with pytest.raises(InvalidInput, match="generate the letter"):
        await approval.mark_answered(session, actor, cid, clock.now())
    await approval.record_letter(session, actor, cid, clock.now())
    data = await letter.letter_data(session, cid)
    assert data.remarks == ["ст. 5: Согласовать с айыл окмоту."]

    # The DOCX, opened back: in Kyrgyz, with the official date forms and the numbered remark.
    document = Document(io.BytesIO(approval_letter(data, LETTERHEAD)))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = "\n".join(c.text for t in document.tables for row in t.rows for c in row.cells)
    assert "12/07" in text and "01-2/345" in text
    assert format_official_day(today(clock), "ky") in text and "-жылдын " in text
    assert "1. ст. 5: Согласовать с айыл окмоту." in text
    assert "Статья 12" not in text
    assert "Министерство финансов Кыргызской Республики" in text
    assert "Ж. Асанов" in cells and "Төрага" in cells

    # No appeal before a refusal, no reaction before the answer.
    with pytest.raises(StaleAction):
        await after_answer.record_remarks_accepted(session, actor, cid, RemarksAccepted.SOME, clock.now())
    await fresh(session, actor)
    await approval.mark_answered(session, actor, cid, clock.now())
    with pytest.raises(AlreadyDone):
        await approval.mark_answered(session, actor, cid, clock.now())
    await fresh(session, actor)
    with pytest.raises(StaleAction, match="answer is already sent"):
        await approval.set_letter(session, actor, cid, clock.now(), ZONE, outgoing_number="13")
    await fresh(session, actor)
    await after_answer.record_remarks_accepted(session, actor, cid, RemarksAccepted.ALL, clock.now())
    with pytest.raises(AlreadyDone):
        await after_answer.record_remarks_accepted(session, actor, cid, RemarksAccepted.ALL, clock.now())
    await fresh(session, actor)
    with pytest.raises(StaleAction, match="only after a refusal"):
        await after_answer.file_appeal(session, actor, cid, "Жогорку Кенеш", today(clock), clock.now(), ZONE)
    await fresh(session, actor)
    with pytest.raises(StaleAction, match="approval was obtained"):
        await after_answer.record_adopted_without_approval(
            session, actor, cid, today(clock), clock.now(), ZONE
        )
    await fresh(session, actor)
    kinds = [e.kind for e in await log.history(session, cid)]
    assert kinds == [
        log.EventKind.REGISTERED,
        log.EventKind.LETTER,
        log.EventKind.ANSWERED,
        log.EventKind.REMARKS,
    ]


async def adopted_after(
    session: AsyncSession,
    actor: User,
    consultation: Consultation,
    registry: SmallRegistry,
    clock: ManualClock,
) -> Consultation:
    """Answers from two heads, then the consultation closed and its position adopted."""
    await fresh(session, actor, consultation, *registry.ysyk_ata_aimaks[:2])
    first = await add_user(session, 811, role=Role.HEAD, municipality=registry.ysyk_ata_aimaks[0])
    second = await add_user(session, 812, role=Role.HEAD, municipality=registry.ysyk_ata_aimaks[1])
    for head, amendments in (
        (first, [{"article": "ст. 5", "wording": "Согласовать с айыл окмоту.", "justification": None}]),
        (
            second,
            [
                {"article": "Статья 5", "wording": "Согласовать с айыл окмоту.", "justification": None},
                {"article": "Статья 12", "wording": "Исключить.", "justification": None},
            ],
        ),
    ):
        await answer_as(session, head, consultation, clock, stance="amend", amendments=amendments)
    await positions.close(session, consultation.id, clock.now(), 0.5, drafter=draft_text, actor=actor)
    await positions.adopt(session, actor, consultation.id, clock.now())
    await session.refresh(consultation)
    assert consultation.status is ConsultationStatus.POSITION_ADOPTED
    return consultation


async def test_refusal_conciliation_appeal_and_adoption_without_approval(
    session: AsyncSession, registry: SmallRegistry, clock: ManualClock
) -> None:
    actor = await staff(session)
    consultation = await publish_as(session, actor, registry, clock, inter_budget=True)
    cid = consultation.id
    await register(session, actor, consultation, clock)
    await adopted_after(session, actor, consultation, registry, clock)
    keys = [g.key for g in await positions.proposal_groups(session, cid, "ru")]
    await approval.set_letter(
        session,
        actor,
        cid,
        clock.now(),
        ZONE,
        decision=ApprovalDecision.NOT_APPROVED,
        outgoing_number="15",
        outgoing_date=today(clock),
        remarks_text="1. Нет финансирования.\n2) Нарушает закон о МСУ.",
    )
    await approval.record_letter(session, actor, cid, clock.now())
    assert (await letter.letter_data(session, cid)).remarks == [
        "Нет финансирования.",
        "Нарушает закон о МСУ.",
    ]
    assert keys  # the groups were there, but the coordinator's own text is what the letter says
    await approval.mark_answered(session, actor, cid, clock.now())
    clock.advance(timedelta(days=7))
    # A meeting dated before the answer, or in the future, is refused.
    with pytest.raises(InvalidInput, match="before the association's answer"):
        await after_answer.record_conciliation(
            session,
            actor,
            cid,
            today(clock) - timedelta(days=30),
            ConciliationResult.NOT_AGREED,
            clock.now(),
            ZONE,
        )
    with pytest.raises(InvalidInput, match="future"):
        await after_answer.record_conciliation(
            session,
            actor,
            cid,
            today(clock) + timedelta(days=1),
            ConciliationResult.NOT_AGREED,
            clock.now(),
            ZONE,
        )
    await fresh(session, actor)
    request = await after_answer.record_conciliation(
        session, actor, cid, today(clock), ConciliationResult.NOT_AGREED, clock.now(), ZONE
    )
    assert request.conciliation_protocol  # inter-budget: the disagreement protocol records it
    # A reaction to the remarks comes before a conciliation, not after.
    with pytest.raises(StaleAction):
        await after_answer.record_remarks_accepted(session, actor, cid, RemarksAccepted.NONE, clock.now())
    await fresh(session, actor)
    with pytest.raises(StaleAction):  # no appeal result before an appeal
        await after_answer.record_appeal_result(session, actor, cid, AppealResult.UPHELD, clock.now())
    await fresh(session, actor)
    await after_answer.file_appeal(session, actor, cid, "Жогорку Кеңеш", today(clock), clock.now(), ZONE)
    with pytest.raises(AlreadyDone):
        await after_answer.file_appeal(session, actor, cid, "Жогорку Кеңеш", today(clock), clock.now(), ZONE)
    await fresh(session, actor)
    await after_answer.record_appeal_result(session, actor, cid, AppealResult.DISMISSED, clock.now())
    await after_answer.record_adopted_without_approval(session, actor, cid, today(clock), clock.now(), ZONE)
    request = await session.scalar(select(ApprovalRequest).where(ApprovalRequest.consultation_id == cid))
    await session.refresh(request)
    assert request is not None and request.status is ApprovalStatus.ADOPTED_WITHOUT_APPROVAL
    kinds = [e.kind for e in await log.history(session, cid)]
    assert kinds[-4:] == [
        log.EventKind.CONCILIATION,
        log.EventKind.APPEAL,
        log.EventKind.APPEAL_RESULT,
        log.EventKind.ADOPTED_WITHOUT,
    ]


async def test_near_term_alerts_once_each(
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    registry: SmallRegistry,
    clock: ManualClock,
) -> None:
    actor = await staff(session)
    consultation = await publish_as(session, actor, registry, clock)
    request = await register(session, actor, consultation, clock, incoming_date=today(clock), term_days=8)
    assert request.due_on > today(clock)
    alerted_days = []
    while today(clock) <= request.due_on + timedelta(days=2):
        for _twice in range(2):  # a second run the same day (or a second process) sends nothing
            if await alerts.send_near_term_alerts(session_factory, clock.now(), ZONE):
                alerted_days.append(today(clock))
        clock.advance(timedelta(days=1))
    lefts = [d.payload["left"] for d in await session.scalars(select(Delivery).order_by(Delivery.id))]
    assert lefts == [5, 2, 1]
    assert len(alerted_days) == 3
    assert all(d.user_id == actor.id for d in await session.scalars(select(Delivery)))


async def test_alerts_stop_once_answered_and_catch_up_with_one(
    session: AsyncSession,
    session_factory: async_sessionmaker[AsyncSession],
    registry: SmallRegistry,
    clock: ManualClock,
) -> None:
    actor = await staff(session)
    consultation = await publish_as(session, actor, registry, clock)
    # Registered with 1 working day left: one alert, covering 5, 2 and 1, not three.
    await register(session, actor, consultation, clock, incoming_date=today(clock), term_days=1)
    assert await alerts.send_near_term_alerts(session_factory, clock.now(), ZONE) == [consultation.id]
    assert await alerts.send_near_term_alerts(session_factory, clock.now(), ZONE) == []
    assert alerts.alert_due(4, []) == [5]
    assert alerts.alert_due(4, [5]) == []
    assert alerts.alert_due(0, [5]) == [2, 1]
    assert alerts.alert_due(-1, []) == []
    request = await session.scalar(select(ApprovalRequest))
    await session.refresh(request)
    assert request is not None and request.alerts_sent == [5, 2, 1]
    request.status = ApprovalStatus.ANSWERED
    await session.commit()
    clock.advance(timedelta(days=1))
    assert await alerts.send_near_term_alerts(session_factory, clock.now(), ZONE) == []
