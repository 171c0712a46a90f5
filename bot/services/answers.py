"""Answers: who may answer, drafts in progress, submitting a new version, and the live view of responses."""

from __future__ import annotations

import copy
import enum
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, delete, func, select, update
from sqlalchemy.exc import IntegrityError, InvalidRequestError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from bot.errors import N_, AlreadyDone, InvalidInput, NotAllowed, StaleAction
from bot.services import audit
from bot.services.consultations import is_target
from bot.services.users import not_allowed
from bot.validation import clean_paragraphs, clean_text
from models import Municipality, Oblast, Role, User
from models.answers import LOCAL_SERVICES, Amendment, Answer, AnswerDraft, BudgetImpact, Stance, article_key
from models.consultations import Consultation, ConsultationStatus, ConsultationTarget

ARTICLE_MAX = 200
LONG_TEXT_MAX = 20_000  # a comment or a wording may come in several Telegram messages
MAX_AMENDMENTS = 50
# The parts of one pasted text are sent at the same moment; a message sent later than this after the
# previous part of a refused paste is the user's next attempt, not the rest of that paste.
PASTE_GAP = timedelta(seconds=10)
DRAFT_WRITE_ATTEMPTS = 5
MAX_ATTACHMENTS = 10
MAX_COST = 10**13  # som; far above any municipal budget
ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024

_MULTIPLIERS = {
    "тыс": 10**3,
    "тысяч": 10**3,
    "тысячи": 10**3,
    "миң": 10**3,
    "мин": 10**3,
    "k": 10**3,
    "к": 10**3,
    "млн": 10**6,
    "миллион": 10**6,
    "миллиона": 10**6,
    "миллионов": 10**6,
    "m": 10**6,
    "млрд": 10**9,
    "миллиард": 10**9,
    "миллиарда": 10**9,
    "миллиардов": 10**9,
}
_NUMBER = re.compile(r"^(\d+(?:[.,]\d+)?)\s*([^\d\s.,]+)?\.?$")


def parse_som(text: str | None) -> int:
    """«1 500 000», «1500000», «1,5 млн», «300 миң», «2 млрд сом» → som; anything else is refused."""
    value = (text or "").strip().lower()
    value = re.sub(r"\s*(сом|som|с)\.?$", "", value)
    value = re.sub(r"(?<=\d)[\s\u00a0\u202f'’](?=\d{3}\b)", "", value)  # thousands separators
    match = _NUMBER.match(value)
    if match is None:
        raise InvalidInput(N_("Please write the amount in som as a number, e.g. 1 500 000 or 1,5 млн."))
    number, unit = match.groups()
    if unit and unit not in _MULTIPLIERS:
        raise InvalidInput(N_("Please write the amount in som as a number, e.g. 1 500 000 or 1,5 млн."))
    if "," in number and not unit and len(number.split(",")[1]) == 3:
        number = number.replace(",", "")  # «1,500» written the English way
    amount = float(number.replace(",", ".")) * _MULTIPLIERS.get(unit or "", 1)
    if amount > MAX_COST:
        raise InvalidInput(N_("That amount is too large. Please check the number."))
    return round(amount)


def clean_article(text: str | None) -> str:
    return clean_text(text, max_length=ARTICLE_MAX)


class Part(enum.Enum):
    """What became of one message of a long text."""

    MORE = "more"  # kept; the rest of a longer text may follow
    DONE = "done"  # the text is whole
    REFUSED = "refused"  # the pasted text is over LONG_TEXT_MAX: none of it kept, the field as before
    IGNORED = "ignored"  # a further part of a text already refused


def too_long() -> InvalidInput:
    return InvalidInput(
        N_(
            "This text is longer than {limit} characters, the most one field of the answer can hold, "
            "so none of it was kept; what was saved before is unchanged. Please shorten it and send it again."
        ),
        limit=LONG_TEXT_MAX,
    )


# Long texts arrive in parts (Telegram splits at 4096 characters); they are joined and kept whole.
def join_part(
    data: dict[str, Any], holder: dict[str, Any], field: str, text: str, sent_at: datetime, *, more: bool
) -> Part:
    """Put one message of a long text into ``holder[field]``; ``data`` remembers where a paste stands.

    ``more``: the message is as long as Telegram's parts, so the rest of the text may follow. A paste
    whose joined length goes over the limit is refused whole: the field gets back the value it had
    before the paste, and the paste's remaining parts (sent within PASTE_GAP of each other) are ignored
    rather than joined to nothing or refused once each.
    """
    refused = data.pop("refused_paste", None)
    if refused and refused["more"] and sent_at.timestamp() - refused["at"] <= PASTE_GAP.total_seconds():
        data["refused_paste"] = {"at": sent_at.timestamp(), "more": more}
        return Part.IGNORED
    paste = data.pop("in_parts", None)  # True in drafts written before the value was kept
    before = paste.get("before") if isinstance(paste, dict) else None if paste else holder.get(field)
    text = clean_paragraphs(text, max_length=LONG_TEXT_MAX)
    joined = f"{holder[field]}\n{text}" if paste and holder.get(field) else text
    if len(joined) > LONG_TEXT_MAX:
        if before is None:
            holder.pop(field, None)
        else:
            holder[field] = before
        data["refused_paste"] = {"at": sent_at.timestamp(), "more": more}
        return Part.REFUSED
    holder[field] = joined
    if more:
        data["in_parts"] = {"before": before}
        return Part.MORE
    return Part.DONE


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


# ---- submitting --------------------------------------------------------------------------------


def _validated(data: dict[str, Any], consultation: Consultation) -> dict[str, Any]:
    """The draft's values checked once more on the server: a forged or stale draft cannot slip through."""
    try:
        stance = Stance(data.get("stance"))
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


# ---- the coordinator's live view ---------------------------------------------------------------


@dataclass(frozen=True)
class OblastResponses:
    name: str
    targeted: int
    answered: int


@dataclass(frozen=True)
class Responses:
    targeted: int
    answered: int
    by_oblast: list[OblastResponses]

    @property
    def rate(self) -> float:
        return self.answered / self.targeted if self.targeted else 0.0


def _answered_flag():  # type: ignore[no-untyped-def]
    return case((Answer.id.is_not(None), 1), else_=0)


async def responses(session: AsyncSession, consultation_id: int, locale: str) -> Responses:
    """Response rate overall and by oblast, counted in the database."""
    oblast_name = func.coalesce(Oblast.name_ky, Oblast.name_ru) if locale == "ky" else Oblast.name_ru
    rows = (
        await session.execute(
            select(oblast_name, func.count(ConsultationTarget.id), func.sum(_answered_flag()))
            .select_from(ConsultationTarget)
            .join(Municipality, Municipality.id == ConsultationTarget.municipality_id)
            .join(Oblast, Oblast.id == Municipality.oblast_id)
            .outerjoin(
                Answer,
                and_(
                    Answer.consultation_id == ConsultationTarget.consultation_id,
                    Answer.municipality_id == ConsultationTarget.municipality_id,
                    Answer.is_current.is_(True),
                ),
            )
            .where(ConsultationTarget.consultation_id == consultation_id)
            .group_by(Oblast.id, oblast_name)
            .order_by(Oblast.soate)
        )
    ).all()
    by_oblast = [
        OblastResponses(name, int(targeted), int(answered or 0)) for name, targeted, answered in rows
    ]
    return Responses(sum(o.targeted for o in by_oblast), sum(o.answered for o in by_oblast), by_oblast)


async def municipalities_by_answer(
    session: AsyncSession, consultation_id: int, *, answered: bool, offset: int = 0, limit: int = 50
) -> list[Municipality]:
    """Targeted municipalities that have (or have not) answered, by name."""
    has_answer = (
        select(Answer.municipality_id)
        .where(Answer.consultation_id == consultation_id, Answer.is_current.is_(True))
        .scalar_subquery()
    )
    condition = Municipality.id.in_(has_answer) if answered else Municipality.id.not_in(has_answer)
    rows = await session.scalars(
        select(Municipality)
        .join(ConsultationTarget, ConsultationTarget.municipality_id == Municipality.id)
        .where(ConsultationTarget.consultation_id == consultation_id, condition)
        .order_by(Municipality.name_ru)
        .offset(offset)
        .limit(limit)
    )
    return list(rows)
