"""The screens of the oblast → district → municipality picker (sign-up, /invite, /revoke)."""

from __future__ import annotations

from dataclasses import dataclass

from aiogram import html
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import InvalidInput, stale_button
from bot.i18n import _, current_locale
from bot.services import places
from handlers.callbacks import PlaceLevel
from handlers.keyboards import municipalities_keyboard, oblast_keyboard, oblasts_keyboard
from models import District, Municipality, Oblast


@dataclass(frozen=True)
class Screen:
    text: str
    markup: InlineKeyboardMarkup | None = None

    async def send(self, message: Message) -> None:
        await message.answer(self.text, reply_markup=self.markup)

    async def edit(self, query: CallbackQuery) -> None:
        """In place of the pressed message: answer the press, then edit (a repeated press changes nothing)."""
        await query.answer()
        await query.message.edit_text(self.text, reply_markup=self.markup)  # type: ignore[union-attr]


@dataclass(frozen=True)
class OblastContents:
    oblast: Oblast
    districts: list[District]
    cities: list[Municipality]  # cities of oblast rank, directly under the oblast

    @property
    def sole_municipality_id(self) -> int | None:
        """Bishkek and Osh: an oblast-level unit that is one municipality."""
        return self.cities[0].id if not self.districts and len(self.cities) == 1 else None


async def oblasts_screen(session: AsyncSession, *, own: bool = True) -> Screen:
    """``own``: the user picks their own municipality (sign-up); staff pick someone else's (/invite)."""
    oblasts = await places.oblasts(session)
    if not oblasts:
        raise InvalidInput(_("The municipal registry is empty. Please ask the association to load it."))
    text = (
        _("Choose your oblast, or type part of your municipality's name.")
        if own
        else _("Choose the oblast, or type part of the municipality's name.")
    )
    return Screen(text, oblasts_keyboard(oblasts, current_locale()))


async def oblast_contents(session: AsyncSession, oblast_id: int) -> OblastContents:
    oblast = await session.get(Oblast, oblast_id)
    if oblast is None:
        raise stale_button()
    districts = await places.districts_of(session, oblast.id)
    cities = await places.municipalities_without_district(session, oblast.id)
    return OblastContents(oblast, districts, cities)


def oblast_screen(contents: OblastContents, back: CallbackData) -> Screen:
    locale = current_locale()
    return Screen(
        _("{oblast}: choose the district or the city.").format(
            oblast=html.quote(contents.oblast.name(locale))
        ),
        oblast_keyboard(contents.districts, contents.cities, locale, back),
    )


async def district_screen(
    session: AsyncSession, district_id: int, page: int, back: CallbackData, *, own: bool = True
) -> Screen:
    district = await session.get(District, district_id)
    if district is None:
        raise stale_button()
    locale = current_locale()
    municipalities = await places.municipalities_of_district(session, district.id, page, locale)
    text = _("{district}: choose your municipality.") if own else _("{district}: choose the municipality.")
    return Screen(
        text.format(district=html.quote(district.name(locale))),
        municipalities_keyboard(
            municipalities, locale, level=PlaceLevel.DISTRICT, parent_id=district.id, back=back
        ),
    )


async def search_screen(session: AsyncSession, text: str, page: int, back: CallbackData) -> Screen:
    results = await places.search_municipalities(session, text, page, current_locale())
    return search_results_screen(text, results, back)


def search_results_screen(text: str, results: places.Page[Municipality], back: CallbackData) -> Screen:
    return Screen(
        _("Municipalities matching «{text}»:").format(text=html.quote(text)),
        municipalities_keyboard(results, current_locale(), level=PlaceLevel.SEARCH, parent_id=0, back=back),
    )
