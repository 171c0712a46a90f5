"""The answer flow's steps as Telegram messages: the question of a step and its buttons, in the
reader's language. Every button carries the draft's version it was shown for."""

from __future__ import annotations

from aiogram import html
from aiogram.types import InlineKeyboardMarkup

from bot.flows import answer as flow_
from bot.flows.answer import AnswerFlow
from bot.flows.answer_draft import Question
from bot.i18n import _, current_locale, format_number
from bot.labels import impact_label, service_label
from handlers.callbacks import (
    AnswerAddAmendment,
    AnswerBack,
    AnswerContinue,
    AnswerImpact,
    AnswerMandate,
    AnswerMulti,
    AnswerNext,
    AnswerOption,
    AnswerRestart,
    AnswerService,
    AnswerSkip,
    AnswerStance,
    AnswerSubmit,
)
from handlers.keyboards import Row, button, in_rows
from handlers.views.answer import answer_lines, stance_name
from models.answers import LOCAL_SERVICES, BudgetImpact, Stance

SHOWN = 600  # characters of a long text shown on the review screen
REVIEW_MAX = 4000


def _shorten(text: str) -> str:
    if len(text) <= SHOWN:
        return html.quote(text)
    return (
        html.quote(text[:SHOWN])
        + "… "
        + _("({count} characters in all, kept whole)").format(count=format_number(len(text)))
    )


def answer_body(flow: AnswerFlow) -> list[str]:
    """The draft's values, a line each, with the extra questions' answers."""
    data = flow.draft.to_json()
    lines = answer_lines(data, _shorten)
    if flow.survey:
        lines = []  # a survey asks none of the bill's questions
    locale = current_locale()
    for question in flow.questions:
        value = flow.draft.extra.get(str(question.id))
        if value is not None:
            lines.append(
                f"{html.quote(question.text_in(locale))}: {html.quote(extra_value(question, value))}"
            )
    return lines


def extra_value(question: Question, value: object) -> str:
    """An extra question's answer as the reader sees it: options in their language, yes/no, a number."""
    locale = current_locale()
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return ", ".join(question.label(str(v), locale) for v in value)
    if isinstance(value, int | float) and question.kind == "number":
        shown = format_number(value)
        return f"{shown} {_('som')}" if question.unit == "som" else shown
    return question.label(str(value), locale)


def review_text(flow: AnswerFlow) -> str:
    lines = [_("<b>Your answer, please check it:</b>"), "", *answer_body(flow)]
    return "\n".join(lines)[:REVIEW_MAX]


def render(flow: AnswerFlow, cid: int, version: int) -> tuple[str, InlineKeyboardMarkup]:
    """The question of the flow's current step and its buttons."""
    step, draft = flow.step, flow.draft
    rows: list[Row] = []
    question = flow.question(step)
    if step == flow_.STANCE:
        text = _("What is your municipality's position on this draft?")
        stances = [button(stance_name(s), AnswerStance(cid=cid, v=version, stance=s)) for s in Stance]
        rows += in_rows(stances, 1)
    elif step == flow_.IMPACT:
        text = _("How does it affect the local budget?")
        impacts = [button(impact_label(i), AnswerImpact(cid=cid, v=version, impact=i)) for i in BudgetImpact]
        rows += in_rows(impacts, 1)
    elif step == flow_.COST:
        text = _("The estimated annual cost for your municipality, in som (e.g. 1 500 000 or 1,5 млн).")
    elif step == flow_.MANDATE:
        text = _("Does it give the municipality a new task without funding?")
        rows.append(
            [
                button(_("Yes"), AnswerMandate(cid=cid, v=version, yes=True)),
                button(_("No"), AnswerMandate(cid=cid, v=version, yes=False)),
            ]
        )
    elif step == flow_.SERVICES:
        text = _("Which local services does it touch? Press all that apply, then «Next».")
        services = [
            button(
                ("✅ " if code in draft.services else "") + service_label(code),
                AnswerService(cid=cid, v=version, index=index),
            )
            for index, code in enumerate(LOCAL_SERVICES)
        ]
        rows += in_rows(services, 2)
        rows.append([button(_("Next »"), AnswerNext(cid=cid, v=version))])
    elif step == flow_.COMMENT:
        text = _("Your comment, in your own words (a long text may come in several messages).")
    elif step == flow_.AMENDMENTS:
        count = len(draft.amendments)
        text = (
            _("Amendments proposed so far: {count}.").format(count=count)
            + "\n"
            + _("Do you propose a change to the text of the draft?")
        )
        rows.append([button(_("➕ Add an amendment"), AnswerAddAmendment(cid=cid, v=version))])
        more = _("No more amendments »") if count else _("No amendments »")
        rows.append([button(more, AnswerNext(cid=cid, v=version))])
    elif step == flow_.ARTICLE:
        text = _("Which article, part or clause? E.g. «Article 5, part 2».")
    elif step == flow_.WORDING:
        text = _("The wording you propose for it.")
    elif step == flow_.JUSTIFICATION:
        text = _("Why? A short justification.")
    elif step == flow_.ATTACHMENTS:
        text = _(
            "You may send documents or photos as evidence (attached: {count}). Then press «Done»."
        ).format(count=len(draft.attachments))
        rows.append([button(_("Done »"), AnswerNext(cid=cid, v=version))])
    elif question is not None:
        locale = current_locale()
        text = html.quote(question.text_in(locale))
        if flow.survey:  # «Question 2 of 6»: a survey is only its questions
            number = flow.questions.index(question) + 1
            text = (
                _("Question {number} of {count}").format(number=number, count=len(flow.questions))
                + "\n"
                + text
            )
        chosen = draft.extra.get(str(question.id))
        if question.kind == "single":
            options = [
                button(question.label(option, locale), AnswerOption(cid=cid, v=version, value=index))
                for index, option in enumerate(question.options)
            ]
            rows += in_rows(options, 1)
        elif question.kind == "multi":
            text += "\n" + _("Press all that apply, then «Next».")
            ticked = chosen if isinstance(chosen, list) else []
            options = [
                button(
                    ("✅ " if option in ticked else "") + question.label(option, locale),
                    AnswerMulti(cid=cid, v=version, index=index),
                )
                for index, option in enumerate(question.options)
            ]
            rows += in_rows(options, 1)
            rows.append([button(_("Next »"), AnswerNext(cid=cid, v=version))])
        elif question.kind == "scale":
            if not question.texts:  # a template's question says what its ends mean
                text += "\n" + _("From 1 (not at all) to 5 (very much).")
            values = [button(str(v), AnswerOption(cid=cid, v=version, value=v)) for v in flow_.SCALE]
            rows += in_rows(values, 5)
        elif question.kind == "yesno":
            rows.append(
                [
                    button(_("Yes"), AnswerMandate(cid=cid, v=version, yes=True)),
                    button(_("No"), AnswerMandate(cid=cid, v=version, yes=False)),
                ]
            )
        elif question.kind == "number":
            text += "\n" + (
                _("Write the amount in som, e.g. 1 500 000; a loss with a minus, e.g. -300 000.")
                if question.unit == "som"
                else _("Write a whole number, e.g. 12.")
            )
    else:  # review
        text = review_text(flow)
        rows.append([button(_("✅ Submit the answer"), AnswerSubmit(cid=cid, v=version))])
    navigation = []
    if flow.may_go_back():
        navigation.append(button(_("« Back"), AnswerBack(cid=cid, v=version)))
    if flow.skippable(step):
        navigation.append(button(_("Skip »"), AnswerSkip(cid=cid, v=version)))
    if navigation:
        rows.append(navigation)
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


def resume_offer(cid: int, version: int) -> tuple[str, InlineKeyboardMarkup]:
    choices = [
        button(_("Continue"), AnswerContinue(cid=cid, v=version)),
        button(_("Start over"), AnswerRestart(cid=cid, v=version)),
    ]
    return _("You have an unfinished answer to this consultation."), InlineKeyboardMarkup(
        inline_keyboard=[choices]
    )


def more_parts(flow: AnswerFlow, cid: int, version: int) -> tuple[str, InlineKeyboardMarkup]:
    """A part of a long text arrived: say how much, and offer «Next» in case it was the last."""
    markup = InlineKeyboardMarkup(inline_keyboard=[[button(_("Next »"), AnswerNext(cid=cid, v=version))]])
    text = _("Received {count} characters. Send the rest, or press «Next».").format(
        count=format_number(len(flow.text_so_far()))
    )
    return text, markup


def submitted(flow: AnswerFlow, version: int, deadline: str) -> str:
    """The thanks, followed by what was sent (it replaces the review screen)."""
    thanks = _(
        "Thank you! Your municipality's answer is recorded (version {version}). "
        "You can change it until {deadline} by pressing «Answer» again."
    ).format(version=version, deadline=deadline)
    return "\n".join([thanks, "", *answer_body(flow)])[:REVIEW_MAX]
