"""Who may answer a consultation now, and the answer's draft in progress, written without losing a step."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, select
from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from bot.errors import N_, NotAllowed, StaleAction
from bot.services.consultations import is_target
from bot.services.users import not_allowed
from models import Role, User
from models.answers import AnswerDraft
from models.consultations import Consultation, ConsultationStatus, ConsultationTarget

DRAFT_WRITE_ATTEMPTS = 5


# ---- who may answer ----------------------------------------------------------------------------


def _may_answer(user: User) -> None:
    if not user.has_role(Role.HEAD, Role.DEPUTY) or user.municipality_id is None:
        raise not_allowed(user, N_("Only the head of a municipality or an approved deputy can answer."))


def _open_for(consultation: Consultation | None, targeted: bool, now: datetime) -> Consultation:
    if consultation is None or consultation.status is ConsultationStatus.DRAFT:
        raise StaleAction(N_("This consultation no longer exists."))
    if not targeted:
        raise NotAllowed(N_("This consultation was not sent to your municipality."))
    if consultation.status is not ConsultationStatus.OPEN or (
        consultation.deadline is not None and consultation.deadline <= now
    ):
        raise StaleAction(N_("This consultation is closed; answers are no longer accepted."))
    return consultation


async def answerable(session: AsyncSession, user: User, consultation_id: int, now: datetime) -> Consultation:
    """The consultation, if this user may answer it for their municipality now."""
    _may_answer(user)
    consultation = await session.get(Consultation, consultation_id)
    if consultation is None or consultation.status is ConsultationStatus.DRAFT:
        return _open_for(consultation, True, now)
    return _open_for(consultation, await is_target(session, consultation_id, user.municipality_id), now)


async def draft_to_answer(
    session: AsyncSession, user: User, consultation_id: int, now: datetime
) -> tuple[AnswerDraft | None, Consultation]:
    """The user's draft (if any) and the consultation, checked as ``answerable`` does, in ONE query:
    a button press of the answer reads nothing else (the consultation, its target row, the draft)."""
    _may_answer(user)
    targeted = (
        select(ConsultationTarget.id)
        .where(
            ConsultationTarget.consultation_id == consultation_id,
            ConsultationTarget.municipality_id == user.municipality_id,
        )
        .exists()
    )
    row = (
        await session.execute(
            select(Consultation, AnswerDraft, targeted)
            .outerjoin(
                AnswerDraft,
                and_(AnswerDraft.consultation_id == Consultation.id, AnswerDraft.user_id == user.id),
            )
            .where(Consultation.id == consultation_id)
        )
    ).first()
    consultation, draft, is_targeted = row if row is not None else (None, None, False)
    return draft, _open_for(consultation, bool(is_targeted), now)


# ---- drafts ------------------------------------------------------------------------------------


async def get_draft(session: AsyncSession, user: User, consultation_id: int) -> AnswerDraft | None:
    return await session.scalar(
        select(AnswerDraft).where(
            AnswerDraft.user_id == user.id, AnswerDraft.consultation_id == consultation_id
        )
    )


async def start_draft(session: AsyncSession, user: User, consultation_id: int, now: datetime) -> AnswerDraft:
    """A fresh draft, replacing any earlier unfinished one of this user for this consultation."""
    await session.execute(
        delete(AnswerDraft).where(
            AnswerDraft.user_id == user.id, AnswerDraft.consultation_id == consultation_id
        )
    )
    draft = AnswerDraft(
        user_id=user.id, consultation_id=consultation_id, step="stance", data={"history": []}, updated_at=now
    )
    session.add(draft)
    await session.commit()
    return draft


def _changed_meanwhile() -> StaleAction:
    return StaleAction(
        N_(
            "Your answer was changed by another of your messages at the same moment; nothing was lost. "
            "Please check the latest message and repeat the last step if needed."
        )
    )


async def save_draft(
    session: AsyncSession, draft: AnswerDraft, step: str, data: dict[str, Any], now: datetime
) -> None:
    """Write the draft; if another update wrote it since it was read, that write stays and this is refused."""
    draft.step, draft.data, draft.updated_at = step, dict(data), now
    try:
        await session.commit()
    except StaleDataError:
        await session.rollback()
        raise _changed_meanwhile() from None


async def change_draft(
    session: AsyncSession,
    draft: AnswerDraft,
    change: Callable[[str, dict[str, Any]], tuple[str, dict[str, Any]]],
    now: datetime,
) -> None:
    """Apply ``change`` (step, data → new step, data) to the draft and write it, compare-and-set on its
    version: when another update wrote the draft since it was read, read it again and apply ``change``
    to that, so neither write is lost."""
    for _attempt in range(DRAFT_WRITE_ATTEMPTS):
        draft.step, draft.data = change(draft.step, copy.deepcopy(draft.data))
        draft.updated_at = now
        try:
            await session.commit()
            return
        except StaleDataError:
            await session.rollback()
        try:
            await session.refresh(draft)
        except InvalidRequestError:  # the draft is gone: submitted or started over meanwhile
            raise _changed_meanwhile() from None
    raise _changed_meanwhile()

