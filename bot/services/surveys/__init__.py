"""Surveys: consultations without a bill (questions only), the ready templates (impact follow-up,
local kenesh), impact follow-ups scheduled after an act takes effect, and the tallies."""

from bot.services.surveys.creating import SURVEY_DAYS, Presenter, SurveyContent, add_survey, send_template
from bot.services.surveys.follow_ups import (
    SentFollowUp,
    act_for_follow_up,
    acts_to_follow,
    add_months,
    follow_ups_of,
    schedule_follow_up,
    send_due,
    set_entry_into_force,
)
from bot.services.surveys.tallies import (
    QuestionTally,
    SurveyAnswer,
    SurveyTallies,
    question_tally,
    survey_answers,
    tallies,
)
from bot.services.surveys.templates import (
    AFFECTED_GROUPS,
    FOLLOW_UP_MONTHS,
    IMPACT,
    KENESH,
    TEMPLATES,
    TemplateQuestion,
    question_id,
)
from bot.services.surveys.values import SOM, parse_day, parse_number

__all__ = [
    "AFFECTED_GROUPS",
    "FOLLOW_UP_MONTHS",
    "IMPACT",
    "KENESH",
    "SOM",
    "SURVEY_DAYS",
    "TEMPLATES",
    "Presenter",
    "QuestionTally",
    "SentFollowUp",
    "SurveyAnswer",
    "SurveyContent",
    "SurveyTallies",
    "TemplateQuestion",
    "act_for_follow_up",
    "acts_to_follow",
    "add_months",
    "add_survey",
    "follow_ups_of",
    "parse_day",
    "parse_number",
    "question_id",
    "question_tally",
    "schedule_follow_up",
    "send_due",
    "send_template",
    "set_entry_into_force",
    "survey_answers",
    "tallies",
]
