"""The staff's oblast → district → municipality picker (/invite, /revoke), with paging and search.

Each staff tool handles the final choice (a ``PickPlace`` press of the municipality level) in its own
state; sign-up runs the same screens through its flow (handlers/signup.py).
"""

from __future__ import annotations

from aiogram import F, Router, html
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import InvalidInput, stale_button
from bot.flows.signup import SEARCH_MAX, SEARCH_MIN, normalize_search
from bot.i18n import _, current_locale
from bot.services import places
from handlers.callbacks import PickPlace, PlaceLevel
from handlers.filters import not_command
from handlers.states import PICKER_STATES
from handlers.views.places import (
    district_screen,
    oblast_contents,
    oblast_screen,
    oblasts_screen,
    search_results_screen,
    search_screen,
)
from models import District

TO_OBLASTS = PickPlace(level=PlaceLevel.OBLASTS)


def create_router() -> Router:
    router = Router(name="picker")
    router.callback_query.filter(StateFilter(*PICKER_STATES))

    @router.callback_query(PickPlace.filter(F.level == PlaceLevel.OBLASTS))
    async def to_oblasts(query: CallbackQuery, session: AsyncSession) -> None:
        """Back to the list of oblasts."""
        await (await oblasts_screen(session, own=False)).edit(query)

    @router.callback_query(PickPlace.filter(F.level == PlaceLevel.OBLAST))
    async def open_oblast(query: CallbackQuery, callback_data: PickPlace, session: AsyncSession) -> None:
        """An oblast's districts and cities."""
        await oblast_screen(await oblast_contents(session, callback_data.id), TO_OBLASTS).edit(query)

    @router.callback_query(PickPlace.filter(F.level == PlaceLevel.DISTRICT))
    async def open_district(query: CallbackQuery, callback_data: PickPlace, session: AsyncSession) -> None:
        """A page of a district's municipalities."""
        back = await _oblast_of_district(session, callback_data.id)
        screen = await district_screen(session, callback_data.id, callback_data.page, back, own=False)
        await screen.edit(query)

    @router.callback_query(PickPlace.filter(F.level == PlaceLevel.SEARCH))
    async def search_page(
        query: CallbackQuery, callback_data: PickPlace, session: AsyncSession, state: FSMContext
    ) -> None:
        """Another page of search results."""
        text = (await state.get_data()).get("search")
        if not text:
            raise stale_button()
        await (await search_screen(session, text, callback_data.page, TO_OBLASTS)).edit(query)

    @router.message(StateFilter(*PICKER_STATES), not_command)
    async def search(message: Message, session: AsyncSession, state: FSMContext) -> None:
        """Typed text: find municipalities whose name contains it."""
        if message.text is None:
            raise InvalidInput(_("Please choose with the buttons, or type part of the municipality's name."))
        text = normalize_search(message.text)
        if not SEARCH_MIN <= len(text) <= SEARCH_MAX:
            raise InvalidInput(
                _("Please type from 2 to {limit} letters of the name.").format(limit=SEARCH_MAX)
            )
        results = await places.search_municipalities(session, text, 0, current_locale())
        if not results.items:
            await message.answer(
                _(
                    "Nothing found for «{text}». Try another part of the name, or choose from the list."
                ).format(text=html.quote(text))
            )
            await (await oblasts_screen(session, own=False)).send(message)
            return
        await state.update_data(search=text)
        await search_results_screen(text, results, TO_OBLASTS).send(message)

    return router


async def _oblast_of_district(session: AsyncSession, district_id: int) -> PickPlace:
    district = await session.get(District, district_id)
    if district is None:
        raise stale_button()
    return PickPlace(level=PlaceLevel.OBLAST, id=district.oblast_id)
