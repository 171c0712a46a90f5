"""Surveys in Telegram, for coordinators: /surveys sends the annual local kenesh survey in one press,
and for each act whose outcome is recorded takes its date of entry into force and schedules the impact
follow-ups 6 or 12 months later (the scheduler sends them on the day)."""

from __future__ import annotations

from aiogram import Router, html
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import Settings
from bot.i18n import _, current_locale, format_date, format_datetime, format_number
from bot.outbox import DeliverySender
from bot.presentation.surveys import survey_content
from bot.services import surveys
from handlers.callbacks import (
    FollowUpDate,
    FollowUpMonths,
    FollowUpSchedule,
    FollowUpScreen,
    SurveySend,
    SurveyTemplate,
)
from handlers.filters import not_command, staff_only
from handlers.views.screens import Button, keyboard, replace
from models import User


class FollowUpDialog(StatesGroup):
    entry_into_force = State()  # waiting for the date the act took effect


def _surveys_menu(acts: list) -> tuple[str, list[Button]]:
    text = _(
        "<b>Surveys</b>: questions to the municipalities without a draft law. Their answers feed the "
        "annual report (/report)."
    )
    buttons: list[Button] = [
        (_("📋 Send the annual local kenesh survey"), SurveySend(template=SurveyTemplate.KENESH))
    ]
    if acts:
        text += "\n\n" + _("Acts whose outcome is recorded: choose one to follow up its impact.")
    locale = current_locale()
    buttons += [("🔁 " + a.title(locale)[0][:55], FollowUpScreen(cid=a.id)) for a in acts]
    return text, buttons


async def _follow_up_screen(session: AsyncSession, cid: int, settings: Settings) -> tuple[str, list[Button]]:
    act, position = await surveys.act_for_follow_up(session, cid)
    zone = settings.locale.zone
    lines = [f"<b>{html.quote(act.title(current_locale())[0])}</b>"]
    if position.in_force_at is None:
        lines.append(_("Entry into force: not given yet."))
    else:
        lines.append(_("Entry into force: {date}").format(date=format_date(position.in_force_at, zone)))
    for follow_up in await surveys.follow_ups_of(session, cid):
        if follow_up.sent_at is not None:
            line = _("Impact survey after {months} months: sent on {date}")
        else:
            line = _("Impact survey after {months} months: goes out on {date}")
        lines.append(
            "• " + line.format(months=follow_up.months, date=format_datetime(follow_up.due_at, zone))
        )
    buttons: list[Button] = [(_("📅 Date of entry into force"), FollowUpDate(cid=cid))]
    if position.in_force_at is not None:
        buttons += [
            (_("🔁 Impact survey after 6 months"), FollowUpSchedule(cid=cid, months=FollowUpMonths.SIX)),
            (_("🔁 Impact survey after 12 months"), FollowUpSchedule(cid=cid, months=FollowUpMonths.TWELVE)),
        ]
    return "\n".join(lines), buttons


def create_router() -> Router:
    router = Router(name="surveys")
    router.message.middleware(staff_only)
    router.callback_query.middleware(staff_only)

    @router.message(Command("surveys"))
    async def menu(message: Message, session: AsyncSession) -> None:
        """The ready surveys, and the acts that can be followed up."""
        text, buttons = _surveys_menu(await surveys.acts_to_follow(session))
        await message.answer(text, reply_markup=keyboard(buttons))

    @router.callback_query(SurveySend.filter())
    async def send(
        query: CallbackQuery,
        callback_data: SurveySend,
        user: User,
        session: AsyncSession,
        clock: Clock,
        settings: Settings,
        sender: DeliverySender,
    ) -> None:
        """Make the survey from its template and send it to every municipality at once."""
        survey, broadcast = await surveys.send_template(
            session, user, clock.now(), callback_data.template.value, survey_content
        )
        sender.wake()
        text = _(
            "The local kenesh survey is sent to {people} people; answers are accepted until {deadline}. "
            "/responses shows who answered."
        ).format(
            people=format_number(broadcast.total),
            deadline=format_datetime(survey.deadline, settings.locale.zone),  # type: ignore[arg-type]
        )
        await replace(query, text)

    @router.callback_query(FollowUpScreen.filter())
    async def act(
        query: CallbackQuery, callback_data: FollowUpScreen, session: AsyncSession, settings: Settings
    ) -> None:
        """An act's entry into force and its follow-ups."""
        text, buttons = await _follow_up_screen(session, callback_data.cid, settings)
        await replace(query, text, keyboard(buttons))

    @router.callback_query(FollowUpDate.filter())
    async def ask_date(
        query: CallbackQuery, callback_data: FollowUpDate, session: AsyncSession, state: FSMContext
    ) -> None:
        """Ask for the date the act took effect."""
        await surveys.act_for_follow_up(session, callback_data.cid)
        await state.set_state(FollowUpDialog.entry_into_force)
        await state.set_data({"follow_up_cid": callback_data.cid})
        await replace(query, _("On which day did the act take effect? E.g. 01.07.2026."))

    @router.message(StateFilter(FollowUpDialog.entry_into_force), not_command)
    async def take_date(
        message: Message, user: User, session: AsyncSession, state: FSMContext, settings: Settings
    ) -> None:
        """The typed date: kept, then the act's screen again."""
        cid = int((await state.get_data())["follow_up_cid"])
        day = surveys.parse_day(message.text or "")
        await surveys.set_entry_into_force(session, user, cid, day, settings.locale.zone)
        await state.clear()
        text, buttons = await _follow_up_screen(session, cid, settings)
        await message.answer(text, reply_markup=keyboard(buttons))

    @router.callback_query(FollowUpSchedule.filter())
    async def schedule(
        query: CallbackQuery,
        callback_data: FollowUpSchedule,
        user: User,
        session: AsyncSession,
        clock: Clock,
        settings: Settings,
    ) -> None:
        """Schedule the impact survey; it goes out by itself on its day."""
        months = int(callback_data.months)
        follow_up = await surveys.schedule_follow_up(session, user, callback_data.cid, months, clock.now())
        notice = _("Scheduled: the impact survey goes out on {date}").format(
            date=format_date(follow_up.due_at, settings.locale.zone)
        )
        text, buttons = await _follow_up_screen(session, callback_data.cid, settings)
        await replace(query, text, keyboard(buttons), notice=notice)

    return router
