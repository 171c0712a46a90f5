"""The oblast → district → municipality picker, with paging and search by typing part of a name.

Used by sign-up and by staff making an invitation; each of them handles the final choice
(a ``PickPlace(level="municipality")`` press) in its own state.
"""

from __future__ import annotations

from aiogram import F, Router, html
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import InvalidInput, stale_button
from bot.i18n import _, current_locale
from bot.services import places
from handlers.callbacks import PickPlace
from handlers.filters import not_command
from handlers.keyboards import municipalities_keyboard, oblast_keyboard, oblasts_keyboard
from handlers.states import PICKER_STATES
from models import District, Oblast

SEARCH_MAX = 60


async def show_oblasts(message: Message, session: AsyncSession, *, edit: bool = False) -> None:
    """Start (or restart) the picker with the list of oblasts."""
    oblasts = await places.oblasts(session)
    if not oblasts:
        raise InvalidInput(_("The municipal registry is empty. Please ask the association to load it."))
    text = _("Choose your oblast, or type part of your municipality's name.")
    markup = oblasts_keyboard(oblasts, current_locale())
    if edit:
        await message.edit_text(text, reply_markup=markup)
    else:
        await message.answer(text, reply_markup=markup)


def create_router() -> Router:
    router = Router(name="picker")
    router.callback_query.filter(StateFilter(*PICKER_STATES))

    @router.callback_query(PickPlace.filter(F.level == "oblasts"))
    async def to_oblasts(query: CallbackQuery, session: AsyncSession) -> None:
        """Back to the list of oblasts."""
        await show_oblasts(query.message, session, edit=True)  # type: ignore[arg-type]
        await query.answer()

    @router.callback_query(PickPlace.filter(F.level == "oblast"))
    async def open_oblast(query: CallbackQuery, callback_data: PickPlace, session: AsyncSession) -> None:
        """An oblast's districts and cities."""
        oblast = await session.get(Oblast, callback_data.id)
        if oblast is None:
            raise stale_button()
        locale = current_locale()
        districts = await places.districts_of(session, oblast.id)
        cities = await places.municipalities_without_district(session, oblast.id)
        await query.message.edit_text(  # type: ignore[union-attr]
            _("{oblast}: choose the district or the city.").format(oblast=html.quote(oblast.name(locale))),
            reply_markup=oblast_keyboard(districts, cities, locale),
        )
        await query.answer()

    @router.callback_query(PickPlace.filter(F.level == "district"))
    async def open_district(query: CallbackQuery, callback_data: PickPlace, session: AsyncSession) -> None:
        """A page of a district's municipalities."""
        district = await session.get(District, callback_data.id)
        if district is None:
            raise stale_button()
        locale = current_locale()
        page = await places.municipalities_of_district(session, district.id, callback_data.page)
        await _edit_if_changed(
            query,
            _("{district}: choose your municipality.").format(district=html.quote(district.name(locale))),
            municipalities_keyboard(
                page,
                locale,
                level="district",
                parent_id=district.id,
                back=PickPlace(level="oblast", id=district.oblast_id),
            ),
        )

    @router.callback_query(PickPlace.filter(F.level == "search"))
    async def search_page(
        query: CallbackQuery, callback_data: PickPlace, session: AsyncSession, state: FSMContext
    ) -> None:
        """Another page of search results."""
        text = (await state.get_data()).get("search")
        if not text:
            raise stale_button()
        page = await places.search_municipalities(session, text, callback_data.page)
        await _edit_if_changed(
            query,
            _search_title(text),
            municipalities_keyboard(
                page, current_locale(), level="search", parent_id=0, back=PickPlace(level="oblasts")
            ),
        )

    @router.message(StateFilter(*PICKER_STATES), not_command)
    async def search(message: Message, session: AsyncSession, state: FSMContext) -> None:
        """Typed text: find municipalities whose name contains it."""
        if message.text is None:
            raise InvalidInput(_("Please choose with the buttons, or type part of the municipality's name."))
        text = " ".join(message.text.split())
        if len(text) < 2 or len(text) > SEARCH_MAX:
            raise InvalidInput(
                _("Please type from 2 to {limit} letters of the name.").format(limit=SEARCH_MAX)
            )
        page = await places.search_municipalities(session, text)
        if not page.items:
            await message.answer(
                _(
                    "Nothing found for «{text}». Try another part of the name, or choose from the list."
                ).format(text=html.quote(text))
            )
            await show_oblasts(message, session)
            return
        await state.update_data(search=text)
        await message.answer(
            _search_title(text),
            reply_markup=municipalities_keyboard(
                page, current_locale(), level="search", parent_id=0, back=PickPlace(level="oblasts")
            ),
        )

    return router


def _search_title(text: str) -> str:
    return _("Municipalities matching «{text}»:").format(text=html.quote(text))


async def _edit_if_changed(query: CallbackQuery, text: str, markup: InlineKeyboardMarkup) -> None:
    """Edit the picker message; pressing the current page again is not an error."""
    try:
        await query.message.edit_text(text, reply_markup=markup)  # type: ignore[union-attr]
    except TelegramBadRequest as error:
        if "message is not modified" not in error.message:
            raise
    await query.answer()
