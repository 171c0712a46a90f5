"""After the association's answer: the state body's reaction to the remarks, a conciliation meeting, an
appeal and its result, or the act adopted without approval. Each is a compare-and-set move of the
approval's status, refused where it makes no sense (no appeal before a refusal, and so on)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import N_, InvalidInput, StaleAction
from bot.services.procedures.approval import (
    check_past_date,
    clean_body_name,
    get_approval,
    move,
    today_in,
)
from bot.services.procedures.log import EventKind, log_event
from bot.services.users import require_staff
from models import ApprovalRequest, User
from models.procedures import (
    AppealResult,
    ApprovalDecision,
    ApprovalStatus,
    ConciliationResult,
    RemarksAccepted,
)

S = ApprovalStatus


def approval_obtained(approval: ApprovalRequest) -> bool:
    """The association agreed, or its remarks were all taken, or the conciliation reached agreement."""
    return (
        approval.decision is ApprovalDecision.APPROVED
        or approval.remarks_accepted is RemarksAccepted.ALL
        or approval.conciliation_result is ConciliationResult.AGREED
    )


def refused(approval: ApprovalRequest) -> bool:
    """There is a disagreement to conciliate or appeal: the association did not approve, or its remarks
    were not (all) taken, and no conciliation settled it."""
    if approval_obtained(approval):
        return False
    return (
        approval.decision is ApprovalDecision.NOT_APPROVED
        or approval.remarks_accepted
        in (
            RemarksAccepted.SOME,
            RemarksAccepted.NONE,
        )
        or approval.conciliation_result in (ConciliationResult.PARTLY, ConciliationResult.NOT_AGREED)
    )


def _check_day(day: date, approval: ApprovalRequest, now: datetime, zone: ZoneInfo) -> None:
    if day > today_in(now, zone):
        raise InvalidInput(N_("The date cannot be in the future."))
    answered = (
        approval.answered_at.astimezone(zone).date() if approval.answered_at else approval.incoming_date
    )
    if day < answered:
        raise InvalidInput(N_("The date cannot be before the association's answer."))


async def record_remarks_accepted(
    session: AsyncSession, actor: User, consultation_id: int, accepted: RemarksAccepted, now: datetime
) -> ApprovalRequest:
    require_staff(actor)
    _consultation, approval = await get_approval(session, consultation_id)
    if approval.decision is ApprovalDecision.APPROVED:
        raise StaleAction(N_("The answer approved the draft without remarks."))
    await move(session, approval, (S.ANSWERED,), S.REACTED)
    approval.remarks_accepted = accepted
    log_event(session, consultation_id, EventKind.REMARKS, actor.id, now, accepted=accepted.value)
    await session.commit()
    return approval


async def record_conciliation(
    session: AsyncSession,
    actor: User,
    consultation_id: int,
    on: date,
    result: ConciliationResult,
    now: datetime,
    zone: ZoneInfo,
) -> ApprovalRequest:
    """A conciliation meeting was held; for an inter-budget consultation its record is the disagreement
    protocol (the position's document)."""
    require_staff(actor)
    consultation, approval = await get_approval(session, consultation_id)
    if approval.status in (S.ANSWERED, S.REACTED) and not refused(approval):
        raise StaleAction(N_("There is no disagreement to conciliate: the approval was obtained."))
    _check_day(on, approval, now, zone)
    await move(session, approval, (S.ANSWERED, S.REACTED), S.CONCILIATION)
    approval.conciliation_on, approval.conciliation_result = on, result
    approval.conciliation_protocol = consultation.inter_budget
    log_event(
        session,
        consultation_id,
        EventKind.CONCILIATION,
        actor.id,
        now,
        date=on.isoformat(),
        result=result.value,
        protocol=consultation.inter_budget,
    )
    await session.commit()
    return approval


async def file_appeal(
    session: AsyncSession,
    actor: User,
    consultation_id: int,
    to: str,
    on: date,
    now: datetime,
    zone: ZoneInfo,
) -> ApprovalRequest:
    require_staff(actor)
    _consultation, approval = await get_approval(session, consultation_id)
    allowed = (S.ANSWERED, S.REACTED, S.CONCILIATION)
    if approval.status in allowed and not refused(approval):
        raise StaleAction(N_("An appeal can be filed only after a refusal."))
    addressee = clean_body_name(to)
    _check_day(on, approval, now, zone)
    if approval.conciliation_on is not None and on < approval.conciliation_on:
        raise InvalidInput(N_("The appeal cannot be dated before the conciliation meeting."))
    await move(session, approval, allowed, S.APPEALED)
    approval.appeal_to, approval.appeal_on = addressee, on
    log_event(session, consultation_id, EventKind.APPEAL, actor.id, now, to=addressee, date=on.isoformat())
    await session.commit()
    return approval


async def record_appeal_result(
    session: AsyncSession, actor: User, consultation_id: int, result: AppealResult, now: datetime
) -> ApprovalRequest:
    require_staff(actor)
    _consultation, approval = await get_approval(session, consultation_id)
    await move(session, approval, (S.APPEALED,), S.APPEAL_DECIDED)
    approval.appeal_result = result
    log_event(session, consultation_id, EventKind.APPEAL_RESULT, actor.id, now, result=result.value)
    await session.commit()
    return approval


async def record_adopted_without_approval(
    session: AsyncSession, actor: User, consultation_id: int, on: date, now: datetime, zone: ZoneInfo
) -> ApprovalRequest:
    """The state body adopted the act without the association's approval: the consequence on record.
    Possible at any stage (even before the answer: the body did not wait), but not once approved."""
    require_staff(actor)
    _consultation, approval = await get_approval(session, consultation_id)
    if approval_obtained(approval):
        raise StaleAction(N_("The approval was obtained; the act cannot be recorded as adopted without it."))
    if on > today_in(now, zone):
        raise InvalidInput(N_("The date cannot be in the future."))
    check_past_date(on, today_in(now, zone))
    if on < approval.incoming_date:
        raise InvalidInput(N_("The date cannot be before the incoming letter."))
    allowed = (S.AWAITING, S.ANSWERED, S.REACTED, S.CONCILIATION, S.APPEALED, S.APPEAL_DECIDED)
    await move(session, approval, allowed, S.ADOPTED_WITHOUT_APPROVAL)
    approval.adopted_on = on
    log_event(session, consultation_id, EventKind.ADOPTED_WITHOUT, actor.id, now, date=on.isoformat())
    await session.commit()
    return approval
