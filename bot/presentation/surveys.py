"""The ready surveys' words in Kyrgyz and Russian, stored with each survey made from a template; and
the drafted text of a closed survey."""

from __future__ import annotations

from bot.i18n import _, use_locale
from bot.presentation.formats import answered_sentence
from bot.services.positions import PositionSummary
from bot.services.surveys import AFFECTED_GROUPS, IMPACT, TEMPLATES, SurveyContent
from models.consultations import Consultation

LOCALES = ("ky", "ru")


def question_wording(key: str) -> str:
    """A template question in the current locale."""
    return {
        "budget_change": _(
            "By how much did the local budget change in a year because of this act, in som? "
            "Write a loss with a minus."
        ),
        "services_change": _("How did local services change? 1: much worse, 3: no change, 5: much better."),
        "unfunded_duties": _("Did the act give the municipality new duties without funding?"),
        "affected_groups": _("Which groups of residents did it affect most?"),
        "comment": _("What else changed? A short comment."),
        "sessions": _("How many sessions did the local kenesh hold this year?"),
        "decisions": _("How many decisions did the local kenesh adopt this year?"),
        "public_hearings": _("How many public hearings were held this year?"),
        "budget_hearings": _("How many public hearings on the local budget were held this year?"),
        "deputy_reports": _("How many reports of deputies to their voters were held this year?"),
        "vacancies": _("How many deputy seats of the local kenesh are vacant now?"),
    }[key]


def group_label(key: str) -> str:
    return {
        "families": _("families with children"),
        "pensioners": _("pensioners"),
        "farmers": _("farmers and herders"),
        "entrepreneurs": _("entrepreneurs"),
        "youth": _("young people"),
        "disabled": _("people with disabilities"),
        "low_income": _("low-income households"),
        "everyone": _("all residents alike"),
    }.get(key, key)


def _title(template: str, act: Consultation | None, months: int | None, locale: str) -> str:
    if template == IMPACT and act is not None:
        return _("What «{title}» changed: {months} months after it took effect").format(
            title=act.title(locale)[0], months=months or 0
        )
    return _("Annual survey: the work of the local kenesh")


def _summary(template: str) -> str:
    if template == IMPACT:
        return _(
            "The act is in force. Please tell the association what it actually changed for your "
            "municipality: the answers go into the annual report to the Jogorku Kenesh."
        )
    return _(
        "Facts, not opinions: please give the year's figures of your local kenesh. "
        "They go into the annual report to the Jogorku Kenesh."
    )


def survey_content(template: str, act: Consultation | None, months: int | None) -> SurveyContent:
    """A template's survey in both languages, ready to store (``bot.services.surveys.Presenter``)."""
    texts: dict[str, dict[str, str]] = {}
    titles: dict[str, str] = {}
    summaries: dict[str, str] = {}
    labels: dict[str, list[str]] = {}
    for locale in LOCALES:
        with use_locale(locale):
            titles[locale] = _title(template, act, months, locale)[:300]
            summaries[locale] = _summary(template)
            for question in TEMPLATES[template]:
                texts.setdefault(question.key, {})[locale] = question_wording(question.key)
            labels[locale] = [group_label(g) for g in AFFECTED_GROUPS]
    questions = []
    for number, question in enumerate(TEMPLATES[template], start=1):
        item = {
            "id": number,
            "key": question.key,
            "type": question.kind,
            "text": texts[question.key]["ru"],
            "texts": texts[question.key],
            "options": list(question.options),
        }
        if question.unit:
            item["unit"] = question.unit
        if question.options:
            item["labels"] = labels
        questions.append(item)
    topics = list(act.topics) if act is not None and template == IMPACT else []
    return SurveyContent(
        title_ky=titles["ky"],
        title_ru=titles["ru"],
        questions=questions,
        summary_ky=summaries["ky"],
        summary_ru=summaries["ru"],
        topics=topics,
    )


def survey_text(summary: PositionSummary, consultation: Consultation, locale: str) -> str:
    """What the bot drafts when a survey closes: who answered; the figures are in its tallies."""
    with use_locale(locale):
        title = consultation.title(locale)[0]
        return (
            _("The association surveyed the municipalities: «{title}».").format(title=title)
            + " "
            + answered_sentence(summary.answered, summary.targeted, summary.rate)
        )


__all__ = ["group_label", "question_wording", "survey_content", "survey_text"]
