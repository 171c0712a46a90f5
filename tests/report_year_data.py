"""A small year on the small registry, described so that every indicator can be worked out by hand
(the expectations are in tests/test_indicators.py, each with its sum written out)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.presentation.surveys import survey_content
from bot.services.surveys import IMPACT, KENESH
from devtools.report_year import AnswerSpec, ConsultationSpec, insert_consultation
from models import ProposalDecision, Stance
from models.consultations import Consultation, ConsultationKind, ConsultationStatus
from tests.factories import SmallRegistry, clock_start

BISHKEK = ZoneInfo("Asia/Bishkek")
S, AM, OP, NO = Stance.SUPPORT, Stance.SUPPORT_WITH_AMENDMENTS, Stance.OPPOSE, Stance.NO_OPINION


def report_year() -> int:
    return clock_start().year


def on(month: int, day: int, hour: int = 12, minute: int = 0, year: int | None = None) -> datetime:
    return datetime(year or report_year(), month, day, hour, minute, tzinfo=BISHKEK)


@dataclass
class YearIds:
    c1: int
    c2: int
    c3: int
    c4: int
    outside: int
    impact: int
    kenesh: int


async def seed_year(session: AsyncSession, r: SmallRegistry) -> YearIds:
    a = [m.id for m in r.ysyk_ata_aimaks]
    t = [m.id for m in r.talas_aimaks]
    k = r.tokmok.id
    everyone = [*a, *t, k]
    y = report_year()
    outside = await insert_consultation(
        session,
        ConsultationSpec(
            published_at=on(12, 31, 23, 0, year=y - 1),  # the last hour of the year before: not counted
            targets=everyone,
            answers=[AnswerSpec(m, OP, cost=1_000_000, unfunded=True, articles=("ст. 9",)) for m in everyone],
            initiator="Кабинет Министров",
            adopted_after=timedelta(days=1),
        ),
    )
    c1 = await insert_consultation(
        session,
        ConsultationSpec(
            published_at=on(2, 10),
            title="Закон о местных бюджетах",
            targets=[*a, k],
            answers=[
                AnswerSpec(a[0], S, cost=100_000, unfunded=True, articles=("ст. 5",)),
                AnswerSpec(a[1], AM, cost=200_000, articles=("Статья 5", "ст. 7")),
                AnswerSpec(a[2], OP, unfunded=False),
                AnswerSpec(k, S, earlier_versions=1),
            ],
            topics=["local_budget", "land"],
            initiator="Кабинет Министров",
            status=ConsultationStatus.OUTCOME_RECORDED,
            adopted_after=timedelta(days=20),
            decisions={"ст. 5": ProposalDecision.ACCEPTED, "ст. 7": ProposalDecision.REJECTED},
            in_force_at=on(1, 1, 0, 0),
        ),
    )
    c2 = await insert_consultation(
        session,
        ConsultationSpec(
            published_at=on(3, 5),
            targets=[*t, a[0]],
            answers=[AnswerSpec(t[0], OP, cost=50_000, articles=("ст. 2",)), AnswerSpec(a[0], NO)],
            topics=["water"],
            initiator="Кабинет Министров",
            adopted_after=timedelta(days=10),
            decisions={"ст. 2": ProposalDecision.PARTLY_ACCEPTED},
        ),
    )
    c3 = await insert_consultation(
        session,
        # The first half hour of the year in Bishkek (still the year before in UTC): counted.
        ConsultationSpec(published_at=on(1, 1, 0, 30), targets=everyone, topics=["local_budget"]),
    )
    c4 = await insert_consultation(
        session,
        ConsultationSpec(
            published_at=on(3, 20),
            targets=a[:5],
            answers=[AnswerSpec(m, S, articles=("ст. 1",) if m == a[3] else ()) for m in a[:5]],
            topics=[],
            initiator="Депутаты Жогорку Кенеша",
            adopted_after=timedelta(days=30),
        ),
    )
    act = await session.get(Consultation, c1)
    assert act is not None
    impact_questions = survey_content(IMPACT, act, 6).questions
    impact = await insert_consultation(
        session,
        ConsultationSpec(
            published_at=on(8, 1),
            targets=[*a, k],
            answers=[
                AnswerSpec(
                    a[0],
                    NO,
                    extra={
                        "1": -300_000,
                        "2": 2,
                        "3": True,
                        "4": ["pensioners", "farmers"],
                        "5": "Меньше денег",
                    },
                ),
                AnswerSpec(a[1], NO, extra={"1": 100_000, "2": 4, "3": False, "4": ["pensioners"]}),
                AnswerSpec(k, NO, extra={"1": -100_000, "2": 3}),
            ],
            kind=ConsultationKind.SURVEY,
            template=IMPACT,
            follows_id=c1,
            follow_up_months=6,
            extra_questions=impact_questions,
            topics=["local_budget"],
        ),
    )
    kenesh_questions = survey_content(KENESH, None, None).questions
    kenesh = await insert_consultation(
        session,
        ConsultationSpec(
            published_at=on(11, 1),
            targets=everyone,
            answers=[
                AnswerSpec(a[0], NO, extra={"1": 6, "2": 40, "3": 2, "4": 1, "5": 3, "6": 0}),
                AnswerSpec(t[0], NO, extra={"1": 4, "2": 20, "3": 1, "4": 1, "5": 0, "6": 2}),
            ],
            kind=ConsultationKind.SURVEY,
            template=KENESH,
            extra_questions=kenesh_questions,
            topics=[],
        ),
    )
    return YearIds(c1, c2, c3, c4, outside, impact, kenesh)
