"""The ready survey templates, as data: each question's key, kind, unit and option keys.

The wording in both languages is the channel's (``bot.presentation.surveys``); a survey made from a
template stores it with the questions, so that a head reads it in their own language.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.services.surveys.values import SOM

IMPACT = "impact"  # what an act did once in force, asked 6 or 12 months later
KENESH = "kenesh"  # the annual survey of the local keneshes' work
FOLLOW_UP_MONTHS = (6, 12)

AFFECTED_GROUPS = (
    "families",
    "pensioners",
    "farmers",
    "entrepreneurs",
    "youth",
    "disabled",
    "low_income",
    "everyone",
)


@dataclass(frozen=True)
class TemplateQuestion:
    key: str
    kind: str  # number, scale, yesno, multi, text
    unit: str | None = None
    options: tuple[str, ...] = ()


TEMPLATES: dict[str, tuple[TemplateQuestion, ...]] = {
    IMPACT: (
        TemplateQuestion("budget_change", "number", SOM),
        TemplateQuestion("services_change", "scale"),
        TemplateQuestion("unfunded_duties", "yesno"),
        TemplateQuestion("affected_groups", "multi", options=AFFECTED_GROUPS),
        TemplateQuestion("comment", "text"),
    ),
    KENESH: (
        TemplateQuestion("sessions", "number", "count"),
        TemplateQuestion("decisions", "number", "count"),
        TemplateQuestion("public_hearings", "number", "count"),
        TemplateQuestion("budget_hearings", "number", "count"),
        TemplateQuestion("deputy_reports", "number", "count"),
        TemplateQuestion("vacancies", "number", "count"),
    ),
}


def question_id(template: str, key: str) -> int:
    """The question's id within its survey: its place in the template, from 1."""
    return next(i for i, q in enumerate(TEMPLATES[template], start=1) if q.key == key)
