"""Inline keyboards shared by several handlers."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.flows.signup import Language
from bot.i18n import _
from bot.services.places import Page
from handlers.callbacks import ApplicationDecision, Decision, LanguageChoice, PickPlace, PlaceLevel
from models import District, Municipality, Oblast

LANGUAGES = {Language.KY: "Кыргызча", Language.RU: "Русский"}  # on buttons, each in its own language


def in_language(language: Language | str) -> str:
    """A language inside a sentence of the reader's language: «кыргыз тилинде», «на кыргызском языке»."""
    return _("in Kyrgyz") if Language(language) is Language.KY else _("in Russian")


def language_name(language: Language | str) -> str:
    """A language named in the reader's language: «кыргыз тили», «кыргызский»."""
    return _("Kyrgyz") if Language(language) is Language.KY else _("Russian")

Row = list[InlineKeyboardButton]


# Screens shown at every press build their keyboards with these rather than InlineKeyboardBuilder,
# which deep-copies its buttons at every step (several per cent of the CPU of a press).
def button(text: str, data: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data.pack())


def in_rows(buttons: Sequence[InlineKeyboardButton], width: int) -> list[Row]:
    """The buttons, ``width`` to a row."""
    return [list(buttons[start : start + width]) for start in range(0, len(buttons), width)]


def language_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for code, name in LANGUAGES.items():
        builder.button(text=name, callback_data=LanguageChoice(code=code))
    return builder.as_markup()


def oblasts_keyboard(oblasts: list[Oblast], locale: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for oblast in oblasts:
        builder.button(
            text=oblast.name(locale), callback_data=PickPlace(level=PlaceLevel.OBLAST, id=oblast.id)
        )
    builder.adjust(2)
    return builder.as_markup()


def oblast_keyboard(
    districts: list[District], cities: list[Municipality], locale: str, back: CallbackData
) -> InlineKeyboardMarkup:
    """An oblast's districts, then its cities that have no district."""
    builder = InlineKeyboardBuilder()
    for district in districts:
        builder.button(
            text=district.name(locale), callback_data=PickPlace(level=PlaceLevel.DISTRICT, id=district.id)
        )
    for city in cities:
        builder.button(
            text=city.name(locale), callback_data=PickPlace(level=PlaceLevel.MUNICIPALITY, id=city.id)
        )
    builder.adjust(2)
    builder.row(*back_button(back).buttons)
    return builder.as_markup()


def municipalities_keyboard(
    page: Page[Municipality], locale: str, *, level: PlaceLevel, parent_id: int, back: CallbackData
) -> InlineKeyboardMarkup:
    """One page of municipalities with ◀ ▶ when there are more pages."""
    builder = InlineKeyboardBuilder()
    for municipality in page.items:
        builder.button(
            text=page.labels.get(municipality.id) or municipality.name(locale),
            callback_data=PickPlace(level=PlaceLevel.MUNICIPALITY, id=municipality.id),
        )
    builder.adjust(1)
    navigation = InlineKeyboardBuilder()
    if page.page > 0:
        navigation.button(text="◀", callback_data=PickPlace(level=level, id=parent_id, page=page.page - 1))
    if page.pages > 1:
        navigation.button(
            text=f"{page.page + 1}/{page.pages}",
            callback_data=PickPlace(level=level, id=parent_id, page=page.page),
        )
    if page.page + 1 < page.pages:
        navigation.button(text="▶", callback_data=PickPlace(level=level, id=parent_id, page=page.page + 1))
    builder.attach(navigation)
    builder.attach(back_button(back))
    return builder.as_markup()


def back_button(target: CallbackData) -> InlineKeyboardBuilder:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("« Back"), callback_data=target)
    return builder


def decision_keyboard(user_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    approve = ApplicationDecision(action=Decision.APPROVE, user_id=user_id)
    builder.button(text=_("✅ Approve"), callback_data=approve)
    reject = ApplicationDecision(action=Decision.REJECT, user_id=user_id)
    builder.button(text=_("❌ Reject"), callback_data=reject)
    return builder.as_markup()
