"""The position's lifecycle: closing the consultation and drafting the text, editing it, adopting it,
marking it submitted; and the notices to the coordinators.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.errors import N_, InvalidInput, StaleAction
from bot.services import audit
from bot.services.consultations import check_transition, transition
from bot.services.positions.summary import Drafter, summarise
from bot.services.status import compare_and_set
from bot.services.users import require_staff
from bot.validation import clean_paragraphs, clean_text
from models import Position, Role, User, UserStatus
from models.consultations import Consultation, ConsultationStatus
from models.deliveries import Broadcast, Delivery

POSITION_TEXT_MAX = 4000  # one Telegram message
ADDRESSEE_MAX = 300
POSITION_DRAFT_KIND = "position_draft"  # the summary and drafted text, to the coordinators


async def get_position(session: AsyncSession, consultation_id: int) -> tuple[Consultation, Position]:
    """The consultation and its position, for a staff member's screen; a forged id is refused."""
    consultation = await session.get(Consultation, consultation_id)
    position = await session.scalar(select(Position).where(Position.consultation_id == consultation_id))
    if consultation is None or position is None:
        raise StaleAction(N_("This consultation has no position yet: it is not closed."))
    return consultation, position


async def close(
    session: AsyncSession,
    consultation_id: int,
    now: datetime,
    quorum: float,
    *,
    drafter: Drafter,
    actor: User | None = None,
) -> Position:
    """Freeze the answers, draft the position in both languages with ``drafter``, and tell the
    coordinators; all in one transaction, so the drafted texts are those of the frozen answers."""
    if actor is not None:
        require_staff(actor)
    consultation = await session.get(Consultation, consultation_id)
    if consultation is None:
        raise StaleAction(N_("This consultation no longer exists."))
    # First: of the scheduler, a coordinator's press and its repetitions only one closes and drafts.
    await transition(
        session,
        consultation,
        ConsultationStatus.CLOSED,
        actor.id if actor else None,
        now,
        note="early" if actor else "deadline",
    )
    consultation.closed_at = now
    texts = {
        locale: drafter(await summarise(session, consultation_id, locale, quorum), consultation, locale)
        for locale in ("ky", "ru")
    }
    position = Position(
        consultation_id=consultation_id, text_ky=texts["ky"], text_ru=texts["ru"], drafted_at=now
    )
    session.add(position)
    await notify(session, POSITION_DRAFT_KIND, consultation_id, _coordinators(consultation), now)
    audit.record(
        session,
        "consultation.close",
        actor_id=actor.id if actor else None,
        now=now,
        object_type="consultation",
        object_id=consultation_id,
    )
    await session.commit()
    return position


def _coordinators(consultation: Consultation) -> Select[tuple[int, int]]:
    """Who gets the drafted position: its author, or all active staff when it came from the command line."""
    staff = select(User.id, User.telegram_id).where(
        User.status == UserStatus.ACTIVE, User.role.in_([Role.COORDINATOR, Role.ADMIN])
    )
    if consultation.created_by_id is not None:
        staff = staff.where(User.id == consultation.created_by_id)
    return staff


async def notify(
    session: AsyncSession, kind: str, consultation_id: int, recipients: Select[tuple[int, int]], now: datetime
) -> int:
    """A broadcast of ``kind`` about the consultation, one pending delivery per recipient; their number."""
    broadcast = Broadcast(kind=kind, subject_id=consultation_id, created_at=now)
    session.add(broadcast)
    await session.flush()
    people = (await session.execute(recipients)).all()
    session.add_all(
        Delivery(
            broadcast_id=broadcast.id, user_id=user_id, chat_id=chat_id, kind=kind, payload={}, not_before=now
        )
        for user_id, chat_id in people
    )
    broadcast.total = len(people)
    return broadcast.total


async def close_due(
    session_factory: async_sessionmaker[AsyncSession], now: datetime, quorum: float, drafter: Drafter
) -> list[int]:
    """Close every open consultation whose deadline has passed; the scheduler calls this every minute."""
    async with session_factory() as session:
        due = list(
            await session.scalars(
                select(Consultation.id).where(
                    Consultation.status == ConsultationStatus.OPEN, Consultation.deadline <= now
                )
            )
        )
    closed = []
    for consultation_id in due:
        async with session_factory() as session:
            try:
                await close(session, consultation_id, now, quorum, drafter=drafter)
            except (StaleAction, IntegrityError):
                continue  # another process (or the coordinator) closed it a moment ago
            closed.append(consultation_id)
    return closed


async def require_status(
    session: AsyncSession, consultation: Consultation, *allowed: ConsultationStatus
) -> None:
    """The consultation is in one of ``allowed``, and stays so until the caller commits: the status is
    set to itself, compare-and-set, so a transition racing with this change waits for it or wins."""
    status = consultation.status
    refusal = StaleAction(N_("This step is not possible for the consultation in its current state."))
    if status not in allowed:
        raise refusal
    if not await compare_and_set(session, Consultation, consultation.id, status, status):
        await session.rollback()
        raise refusal


async def edit_text(
    session: AsyncSession, actor: User, consultation_id: int, locale: str, text: str | None
) -> Position:
    require_staff(actor)
    consultation, position = await get_position(session, consultation_id)
    cleaned = clean_paragraphs(text, max_length=POSITION_TEXT_MAX)
    await require_status(session, consultation, ConsultationStatus.CLOSED)  # not once it is adopted
    if locale == "ky":
        position.text_ky, position.text_ky_edited = cleaned, True
    else:
        position.text_ru, position.text_ru_edited = cleaned, True
    await session.commit()
    return position


def still_drafted(position: Position) -> str | None:
    """The language ("ky" or "ru") whose text is still the bot's draft while the other was rewritten:
    the two papers may then say different things. None when both or neither were edited."""
    if position.text_ky_edited and not position.text_ru_edited:
        return "ru"
    if position.text_ru_edited and not position.text_ky_edited:
        return "ky"
    return None


async def adopt(
    session: AsyncSession, actor: User, consultation_id: int, now: datetime, *, confirmed: bool = False
) -> Position:
    """Freeze the position. With only one text edited, the other still the bot's draft, it is adopted only
    once the coordinator has confirmed (``confirmed``) that this is meant."""
    require_staff(actor)
    consultation, position = await get_position(session, consultation_id)
    if not confirmed and still_drafted(position) is not None:
        raise InvalidInput(N_("One text was edited and the other was not; please confirm the adoption."))
    await transition(session, consultation, ConsultationStatus.POSITION_ADOPTED, actor.id, now)
    position.adopted_at, position.adopted_by_id = now, actor.id
    await session.commit()
    return position


def clean_addressee(text: str | None) -> str:
    return clean_text(text, max_length=ADDRESSEE_MAX, min_length=3)


async def mark_submitted(
    session: AsyncSession, actor: User, consultation_id: int, addressee: str, on: datetime, now: datetime
) -> Position:
    """Sent to the committee or ministry: to whom and on which day (not in the future)."""
    require_staff(actor)
    consultation, position = await get_position(session, consultation_id)
    check_transition(consultation, ConsultationStatus.SUBMITTED)
    # Calendar days in the zone the date was given in: «today» typed in Bishkek is noon there, which
    # may still be ahead of now, and the adoption's UTC day may be the day before Bishkek's.
    if on.date() > now.astimezone(on.tzinfo).date():
        raise InvalidInput(N_("The date of submission cannot be in the future."))
    if position.adopted_at is not None and on.date() < position.adopted_at.astimezone(on.tzinfo).date():
        raise InvalidInput(N_("The position cannot be submitted before it was adopted."))
    addressee = clean_addressee(addressee)
    await transition(session, consultation, ConsultationStatus.SUBMITTED, actor.id, now, note=addressee)
    position.addressee, position.submitted_on = addressee, on
    await session.commit()
    return position
