"""Submitting: the draft becomes the municipality's current answer, a new version; the earlier stay."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import N_, AlreadyDone, InvalidInput
from bot.services import audit
from bot.services.answers.drafts import answerable
from bot.services.answers.parsing import MAX_AMENDMENTS, MAX_ATTACHMENTS
from models import Role, User
from models.answers import LOCAL_SERVICES, Amendment, Answer, AnswerDraft, BudgetImpact, Stance, article_key
from models.consultations import Consultation


def _validated(data: dict[str, Any], consultation: Consultation) -> dict[str, Any]:
    """The draft's values checked once more on the server: a forged or stale draft cannot slip through."""
    try:
        # A survey asks no stance on a bill; its answers are stored as «no opinion» and counted apart.
        stance = Stance.NO_OPINION if consultation.is_survey else Stance(data.get("stance"))
    except ValueError:
        raise InvalidInput(N_("Please choose your position first.")) from None
    impact = BudgetImpact(data["impact"]) if data.get("impact") in {i.value for i in BudgetImpact} else None
    services = [s for s in data.get("services", []) if s in LOCAL_SERVICES]
    questions = {str(q["id"]): q for q in consultation.extra_questions}
    extra = {key: value for key, value in (data.get("extra") or {}).items() if key in questions}
    return {
        "stance": stance,
        "budget_impact": impact,
        "annual_cost": data.get("cost"),
        "unfunded_mandate": data.get("mandate"),
        "services": services,
        "comment": data.get("comment") or None,
        "attachments": list(data.get("attachments") or [])[:MAX_ATTACHMENTS],
        "extra_answers": extra,
    }


def already_sent() -> AlreadyDone:
    return AlreadyDone(N_("Your answer has already been sent."))


async def submit(session: AsyncSession, user: User, draft: AnswerDraft, now: datetime) -> Answer:
    """Make the draft the municipality's current answer; earlier versions stay in the history.

    One draft gives one version, however often «Submit» is pressed and in however many processes:
    the draft is deleted in the version's transaction, and only the caller whose DELETE removed it
    goes on; the others are told the answer was already sent."""
    consultation = await answerable(session, user, draft.consultation_id, now)
    values = _validated(draft.data, consultation)
    amendments = [a for a in draft.data.get("amendments", []) if a.get("article") and a.get("wording")]
    # Plain values: a rollback below expires the ORM objects.
    author = {
        "consultation_id": consultation.id,
        "municipality_id": user.municipality_id,
        "author_id": user.id,
        "by_deputy": user.role is Role.DEPUTY,
    }
    draft_id = draft.id
    for attempt in range(5):
        # The first write: a second press waits here for the first one's commit, then finds no draft.
        claimed = await session.execute(delete(AnswerDraft).where(AnswerDraft.id == draft_id))
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            await session.rollback()
            raise already_sent()
        try:
            answer = await _write_version(session, author, values, amendments, now)
        except IntegrityError:
            # Someone else of this municipality submitted at the same moment: go again on top of theirs.
            await session.rollback()
            if attempt == 4:
                raise
            continue
        audit.record(
            session,
            "answer.submit",
            actor_id=author["author_id"],
            now=now,
            object_type="answer",
            object_id=answer.id,
            consultation_id=author["consultation_id"],
            version=answer.version,
        )
        await session.commit()
        return answer
    raise AssertionError("unreachable")


async def _write_version(
    session: AsyncSession,
    author: dict[str, Any],
    values: dict[str, Any],
    amendments: list[dict[str, Any]],
    now: datetime,
) -> Answer:
    where = and_(
        Answer.consultation_id == author["consultation_id"],
        Answer.municipality_id == author["municipality_id"],
    )
    latest = await session.scalar(select(func.max(Answer.version)).where(where)) or 0
    await session.execute(update(Answer).where(where, Answer.is_current.is_(True)).values(is_current=False))
    answer = Answer(
        **author,
        version=latest + 1,
        is_current=True,
        submitted_at=now,
        **values,
        amendments=[
            Amendment(
                position=index,
                article=a["article"],
                article_key=article_key(a["article"]),
                wording=a["wording"],
                justification=a.get("justification"),
            )
            for index, a in enumerate(amendments[:MAX_AMENDMENTS])
        ],
    )
    session.add(answer)
    await session.flush()
    return answer


async def current_answer(session: AsyncSession, consultation_id: int, municipality_id: int) -> Answer | None:
    return await session.scalar(
        select(Answer).where(
            Answer.consultation_id == consultation_id,
            Answer.municipality_id == municipality_id,
            Answer.is_current.is_(True),
        )
    )


async def versions(session: AsyncSession, consultation_id: int, municipality_id: int) -> list[Answer]:
    rows = await session.scalars(
        select(Answer)
        .where(Answer.consultation_id == consultation_id, Answer.municipality_id == municipality_id)
        .order_by(Answer.version)
    )
    return list(rows)

