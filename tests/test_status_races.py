"""Two callers racing on each status change, in two sessions as two processes would: exactly one wins,
the other is told calmly that it is already done, and the effect (a version, a broadcast, a position,
a logged transition) happens once. Runs on SQLite, and on PostgreSQL when the suite is pointed at it."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.errors import AlreadyDone, StaleAction
from bot.i18n import error_text
from bot.presentation.drafting import draft_text
from bot.services import answers, consultations, positions, users
from models import ActFate, Answer, AnswerDraft, AuditEntry, Municipality, Position, Role, User, UserStatus
from models.consultations import Consultation, ConsultationEvent, ConsultationStatus, ConsultationTarget
from models.deliveries import Broadcast, Delivery
from tests.factories import SmallRegistry, add_user
from tests.texts import tr

NOW = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
Sessions = async_sessionmaker[AsyncSession]


async def race(
    sessions: Sessions, action: Callable[[AsyncSession], Awaitable[Any]]
) -> tuple[Any, AlreadyDone]:
    """``action`` in two sessions at the same moment: the winner's result and the loser's refusal."""

    async def one() -> Any:
        async with sessions() as session:
            return await action(session)

    results = await asyncio.gather(one(), one(), return_exceptions=True)
    won = [r for r in results if not isinstance(r, BaseException)]
    lost = [r for r in results if isinstance(r, BaseException)]
    assert len(won) == 1 and len(lost) == 1, results
    assert isinstance(lost[0], AlreadyDone), repr(lost[0])
    return won[0], lost[0]


async def count(session: AsyncSession, query: Any) -> int:
    return await session.scalar(select(func.count()).select_from(query.subquery())) or 0


async def events(session: AsyncSession, consultation_id: int, to: ConsultationStatus) -> int:
    return await count(
        session,
        select(ConsultationEvent).where(
            ConsultationEvent.consultation_id == consultation_id, ConsultationEvent.to_status == to
        ),
    )


async def audits(session: AsyncSession, action: str) -> int:
    return await count(session, select(AuditEntry).where(AuditEntry.action == action))


@pytest.fixture
async def people(session: AsyncSession, registry: SmallRegistry) -> dict[str, int]:
    """A coordinator, a second coordinator, and two heads in Chui oblast (user ids)."""
    coordinator = await add_user(session, 900, role=Role.COORDINATOR, full_name="Айгүл Токтосунова")
    second = await add_user(session, 901, role=Role.COORDINATOR, full_name="Нурлан Сапаров")
    head = await add_user(session, 9001, role=Role.HEAD, municipality=registry.tokmok)
    other = await add_user(session, 9002, role=Role.HEAD, municipality=registry.ysyk_ata_aimaks[0])
    return {"coordinator": coordinator.id, "second": second.id, "head": head.id, "other": other.id}


@pytest.fixture
async def draft(session: AsyncSession, registry: SmallRegistry, people: dict[str, int]) -> int:
    """A consultation ready to go out to Chui oblast (its id)."""
    author = await session.get(User, people["coordinator"])
    consultation = await consultations.create_draft(session, author, NOW)  # type: ignore[arg-type]
    await consultations.save_fields(
        session,
        consultation,
        title_ru="Законопроект о пастбищах",
        deadline=NOW + timedelta(days=10),
        audience={"kind": "oblasts", "ids": [registry.chui.id]},
    )
    return consultation.id


async def test_publish_twice_at_once_sends_once(
    session_factory: Sessions,
    session: AsyncSession,
    registry: SmallRegistry,
    people: dict[str, int],
    draft: int,
) -> None:
    async def publish(s: AsyncSession) -> Broadcast:
        actor = await s.get(User, people["coordinator"])
        return await consultations.publish(s, actor, draft, NOW)  # type: ignore[arg-type]

    broadcast, refusal = await race(session_factory, publish)
    assert error_text(refusal) == tr("This consultation is already published.", "ky")
    assert broadcast.total == 2
    assert await count(session, select(Broadcast)) == 1
    assert await count(session, select(Delivery)) == 2  # one per head, not two
    chui = select(Municipality).where(Municipality.oblast_id == registry.chui.id)
    assert await count(session, select(ConsultationTarget)) == await count(session, chui)
    assert await events(session, draft, ConsultationStatus.OPEN) == 1
    assert await audits(session, "consultation.publish") == 1


async def test_close_by_two_at_once_drafts_one_position(
    session_factory: Sessions, session: AsyncSession, people: dict[str, int], draft: int
) -> None:
    actor = await session.get(User, people["coordinator"])
    await consultations.publish(session, actor, draft, NOW)  # type: ignore[arg-type]

    async def close(s: AsyncSession) -> Position:
        coordinator = await s.get(User, people["coordinator"])
        return await positions.close(s, draft, NOW, 0.5, drafter=draft_text, actor=coordinator)

    _position, refusal = await race(session_factory, close)
    assert error_text(refusal) == tr("This consultation is already closed.", "ky")
    assert await count(session, select(Position)) == 1
    assert await events(session, draft, ConsultationStatus.CLOSED) == 1
    assert await audits(session, "consultation.close") == 1
    drafts = select(Broadcast).where(Broadcast.kind == positions.POSITION_DRAFT_KIND)
    assert await count(session, drafts) == 1  # the coordinator is told once


async def test_deadline_in_two_processes_closes_once(
    session_factory: Sessions, session: AsyncSession, people: dict[str, int], draft: int
) -> None:
    actor = await session.get(User, people["coordinator"])
    await consultations.publish(session, actor, draft, NOW)  # type: ignore[arg-type]
    later = NOW + timedelta(days=11)
    closed = await asyncio.gather(
        positions.close_due(session_factory, later, 0.5, draft_text),
        positions.close_due(session_factory, later, 0.5, draft_text),
    )
    assert sorted(closed) == [[], [draft]]
    assert await count(session, select(Position)) == 1
    assert await events(session, draft, ConsultationStatus.CLOSED) == 1


async def test_transition_decides_in_the_database_even_after_both_read_the_old_status(
    session_factory: Sessions, session: AsyncSession, people: dict[str, int], draft: int
) -> None:
    """Both sessions have read «open» before either writes: the conditional UPDATE still lets one through."""
    actor = await session.get(User, people["coordinator"])
    await consultations.publish(session, actor, draft, NOW)  # type: ignore[arg-type]
    async with session_factory() as first, session_factory() as second:
        seen = [await first.get(Consultation, draft), await second.get(Consultation, draft)]
        assert all(c is not None and c.status is ConsultationStatus.OPEN for c in seen)

        async def move(s: AsyncSession, consultation: Consultation) -> None:
            await consultations.transition(s, consultation, ConsultationStatus.CLOSED, None, NOW)
            await s.commit()

        results = await asyncio.gather(
            move(first, seen[0]),  # type: ignore[arg-type]
            move(second, seen[1]),  # type: ignore[arg-type]
            return_exceptions=True,
        )
    assert sorted(type(r).__name__ for r in results) == ["AlreadyDone", "NoneType"], results
    assert await events(session, draft, ConsultationStatus.CLOSED) == 1


async def test_adopt_submit_and_record_outcome_each_happen_once(
    session_factory: Sessions, session: AsyncSession, people: dict[str, int], draft: int
) -> None:
    actor = await session.get(User, people["coordinator"])
    await consultations.publish(session, actor, draft, NOW)  # type: ignore[arg-type]
    await positions.close(session, draft, NOW, 0.5, drafter=draft_text)

    async def as_coordinator(s: AsyncSession, key: str = "coordinator") -> User:
        return await s.get(User, people[key])  # type: ignore[return-value]

    async def adopt(s: AsyncSession) -> Position:
        return await positions.adopt(s, await as_coordinator(s), draft, NOW)

    _position, refusal = await race(session_factory, adopt)
    assert error_text(refusal) == tr("The position is already adopted.", "ky")
    assert await events(session, draft, ConsultationStatus.POSITION_ADOPTED) == 1

    async def mark_submitted(s: AsyncSession) -> Position:
        return await positions.mark_submitted(s, await as_coordinator(s), draft, "Комитет", NOW, NOW)

    _position, refusal = await race(session_factory, mark_submitted)
    assert error_text(refusal) == tr("The position is already marked as submitted.", "ky")
    assert await events(session, draft, ConsultationStatus.SUBMITTED) == 1

    await positions.set_outcome(session, actor, draft, act_fate=ActFate.ADOPTED)  # type: ignore[arg-type]

    async def record(s: AsyncSession) -> int:
        return await positions.record_outcome(s, await as_coordinator(s, "second"), draft, NOW)

    _count, refusal = await race(session_factory, record)
    assert error_text(refusal) == tr("The outcome is already recorded.", "ky")
    assert await events(session, draft, ConsultationStatus.OUTCOME_RECORDED) == 1
    outcomes = select(Broadcast).where(Broadcast.kind == positions.OUTCOME_KIND)
    assert await count(session, outcomes) == 1
    assert await audits(session, "consultation.outcome") == 1


async def test_position_text_cannot_change_once_another_process_adopted_it(
    session_factory: Sessions, session: AsyncSession, people: dict[str, int], draft: int
) -> None:
    actor = await session.get(User, people["coordinator"])
    await consultations.publish(session, actor, draft, NOW)  # type: ignore[arg-type]
    await positions.close(session, draft, NOW, 0.5, drafter=draft_text)
    async with session_factory() as editing, session_factory() as adopting:
        editor = await editing.get(User, people["second"])
        await positions.get_position(editing, draft)  # the editor's screen: still «closed»
        await positions.adopt(adopting, await adopting.get(User, people["coordinator"]), draft, NOW)  # type: ignore[arg-type]
        with pytest.raises(StaleAction):
            await positions.edit_text(editing, editor, draft, "ru", "Новый текст позиции.")  # type: ignore[arg-type]
    position = await session.scalar(select(Position).execution_options(populate_existing=True))
    assert position is not None and position.text_ru != "Новый текст позиции."


async def test_submit_of_one_draft_in_two_sessions_gives_one_version(
    session_factory: Sessions, session: AsyncSession, people: dict[str, int], draft: int
) -> None:
    actor = await session.get(User, people["coordinator"])
    await consultations.publish(session, actor, draft, NOW)  # type: ignore[arg-type]
    head = await session.get(User, people["head"])
    started = await answers.start_draft(session, head, draft, NOW)  # type: ignore[arg-type]
    started.step, started.data = "review", {"history": [], "stance": "support", "comment": "Макул"}
    await session.commit()

    both_loaded = asyncio.Barrier(2)

    async def submit(s: AsyncSession) -> Answer:
        user = await s.get(User, people["head"])
        loaded = await answers.get_draft(s, user, draft)  # type: ignore[arg-type]
        assert loaded is not None  # both presses found the draft
        await both_loaded.wait()  # a loaded machine must not let one press finish before the other reads
        return await answers.submit(s, user, loaded, NOW)  # type: ignore[arg-type]

    answer, refusal = await race(session_factory, submit)
    assert error_text(refusal) == tr("Your answer has already been sent.", "ky")
    assert answer.version == 1
    assert await count(session, select(Answer)) == 1
    assert await count(session, select(AnswerDraft)) == 0
    assert await audits(session, "answer.submit") == 1


async def test_two_coordinators_deciding_one_application(
    session_factory: Sessions, session: AsyncSession, registry: SmallRegistry, people: dict[str, int]
) -> None:
    applicant = await add_user(
        session, 9100, role=Role.HEAD, municipality=registry.talas_aimaks[0], status=UserStatus.PENDING
    )
    decisions = iter([("coordinator", True), ("second", False)])

    async def decide(s: AsyncSession) -> User:
        key, approve = next(decisions)
        actor = await s.get(User, people[key])
        return await users.decide_application(s, actor, applicant.id, approve=approve, now=NOW)  # type: ignore[arg-type]

    decided, refusal = await race(session_factory, decide)
    assert await audits(session, "user.approve") + await audits(session, "user.reject") == 1
    winner = "Айгүл Токтосунова" if decided.status is UserStatus.ACTIVE else "Нурлан Сапаров"
    message = (
        "{name} has already approved this application."
        if decided.status is UserStatus.ACTIVE
        else "{name} has already rejected this application."
    )
    assert error_text(refusal) == tr(message, "ky", name=winner)
