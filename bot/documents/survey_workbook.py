"""A survey's tallies and answers (XLSX): a sheet of tallies per question, a sheet of answers.

(Both this and a bill's workbook, ``bot/documents/tables.py``, count with
``bot.services.question_tallies.tally``; their sheets are laid out differently: a bill's shows
shares, a survey's sums and averages.)
"""

from __future__ import annotations

import io

from openpyxl import Workbook

from bot.i18n import _, use_locale
from bot.presentation.formats import percent
from bot.services.surveys import SurveyAnswer, SurveyTallies
from bot.spreadsheets import append_row


def _shown(tally_key: str, kind: str) -> str:
    if kind == "yesno":
        return _("Yes") if tally_key == "yes" else _("No")
    return tally_key


def survey_workbook(tallies: SurveyTallies, answers: list[SurveyAnswer], locale: str) -> bytes:
    with use_locale(locale):
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = "tallies"
        append_row(
            sheet,
            [
                _("Answered: {answered} of {targeted} ({rate}%).").format(
                    answered=tallies.answered, targeted=tallies.targeted, rate=percent(tallies.rate)
                )
            ],
            bold=True,
        )
        append_row(sheet, [_("Question"), _("Answer"), _("Answers"), _("In all"), _("Average")], bold=True)
        for tally in tallies.questions:
            question = tally.question
            wording = question.text_in(locale)
            if question.kind == "number":
                append_row(sheet, [wording, "", tally.answered, tally.total or 0, tally.mean])
            elif question.kind == "text":
                append_row(sheet, [wording, "", tally.answered])
                for text in tally.texts:
                    append_row(sheet, ["", text])
            else:
                append_row(sheet, [wording, "", tally.answered, None, tally.mean])
                for key, count in tally.counts.items():
                    append_row(sheet, ["", question.label(_shown(key, question.kind), locale), count])
        sheet.column_dimensions["A"].width = 60
        sheet.column_dimensions["B"].width = 30
        raw = workbook.create_sheet("answers")
        questions = [t.question for t in tallies.questions]
        append_row(
            raw, [_("Oblast"), _("Municipality"), "СОАТЕ", *(q.text_in(locale) for q in questions)], bold=True
        )
        for answer in answers:
            values = []
            for question in questions:
                value = answer.values.get(str(question.id))
                if isinstance(value, bool):
                    value = _("Yes") if value else _("No")
                elif isinstance(value, list):
                    value = ", ".join(question.label(str(v), locale) for v in value)
                elif isinstance(value, str):
                    value = question.label(value, locale)
                values.append(value)
            append_row(raw, [answer.oblast, answer.municipality, answer.soate, *values])
        raw.freeze_panes = "D2"
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()
