"""Surveys: a consultation without a bill, only questions; made from a template and sent in one step."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.consultations import open_draft
from bot.services.users import require_staff
from models import User
from models.consultations import Consultation, ConsultationEvent, ConsultationKind, ConsultationStatus
from models.deliveries import Broadcast

SURVEY_DAYS = timedelta(days=30)  # how long a template survey stays open


@dataclass(frozen=True)
class SurveyContent:
    """A survey's words in both languages and its questions as stored (``extra_questions``)."""

    title_ky: str
    title_ru: str
    questions: list[dict[str, Any]]
    summary_ky: str | None = None
    summary_ru: str | None = None
    topics: list[str] = field(default_factory=list)


# Words for a template: (template, the act followed up or None, months after entry into force or None).
Presenter = Callable[[str, Consultation | None, int | None], SurveyContent]


async def add_survey(
    session: AsyncSession,
    now: datetime,
    content: SurveyContent,
    *,
    audience: dict[str, Any],
    deadline: datetime,
    actor_id: int | None,
    template: str | None = None,
    follows_id: int | None = None,
) -> Consultation:
    """A survey draft and its first logged event; the caller commits (or opens it first)."""
    survey = Consultation(
        status=ConsultationStatus.DRAFT,
        kind=ConsultationKind.SURVEY,
        template=template,
        follows_id=follows_id,
        title_ky=content.title_ky,
        title_ru=content.title_ru,
        summary_ky=content.summary_ky,
        summary_ru=content.summary_ru,
        topics=list(content.topics),
        audience=audience,
        deadline=deadline,
        extra_questions=content.questions,
        created_by_id=actor_id,
        created_at=now,
    )
    session.add(survey)
    await session.flush()
    session.add(
        ConsultationEvent(
            consultation_id=survey.id,
            from_status=None,
            to_status=ConsultationStatus.DRAFT,
            actor_id=actor_id,
            at=now,
            note=template,
        )
    )
    return survey


async def send_template(
    session: AsyncSession,
    actor: User,
    now: datetime,
    template: str,
    presenter: Presenter,
    *,
    audience: dict[str, Any] | None = None,
    report_chat_id: int | None = None,
    report_locale: str | None = None,
) -> tuple[Consultation, Broadcast]:
    """Make a survey from ``template`` and send it at once (the coordinator's one step)."""
    require_staff(actor)
    survey = await add_survey(
        session,
        now,
        presenter(template, None, None),
        audience=audience or {"kind": "all"},
        deadline=now + SURVEY_DAYS,
        actor_id=actor.id,
        template=template,
    )
    broadcast = await open_draft(
        session, survey, actor.id, now, report_chat_id=report_chat_id, report_locale=report_locale
    )
    await session.commit()
    return survey, broadcast
