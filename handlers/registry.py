"""Updating the municipal registry by sending a CSV or XLSX file to the bot (coordinators and admins)."""

from __future__ import annotations

from aiogram import Bot, F, Router, html
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.errors import InvalidInput, stale_button
from bot.i18n import _
from bot.presentation.registry import describe_changes, describe_problem
from bot.services.registry import MAX_FILE_BYTES, RegistryFileError, import_registry, parse_registry_file
from bot.services.users import require_staff
from handlers.callbacks import RegistryAction, RegistryIntent
from handlers.filters import not_command
from handlers.states import RegistryUpload
from handlers.texts import fit_message
from models import User

ACCEPTED_SUFFIXES = (".csv", ".xlsx")


async def _rows_from_document(bot: Bot, file_id: str, file_name: str) -> list:  # type: ignore[type-arg]
    content = await bot.download(file_id)
    try:
        return parse_registry_file(content.read(), file_name)  # type: ignore[union-attr]
    except RegistryFileError as error:
        problems = "\n".join(f"• {html.quote(describe_problem(problem))}" for problem in error.problems)
        raise InvalidInput(_("The file was not imported, nothing changed:") + "\n" + problems) from error


def create_router() -> Router:
    router = Router(name="registry")

    @router.message(Command("import"))
    async def ask_file(message: Message, user: User, state: FSMContext) -> None:
        """Explain the file and wait for it."""
        require_staff(user)
        await state.set_state(RegistryUpload.file)
        await message.answer(
            _(
                "Send the registry as a CSV or XLSX file. Required columns: soate_code, name_ru, kind; "
                "optional: name_ky, district_ru, district_soate, oblast_ru, oblast_soate, population, "
                "associations. "
                "I will show what changes before anything is saved."
            )
        )

    @router.message(StateFilter(RegistryUpload.file), F.document)
    async def file_received(
        message: Message, user: User, session: AsyncSession, state: FSMContext, bot: Bot, clock: Clock
    ) -> None:
        """Check the file and show what would change (a dry run)."""
        require_staff(user)
        document = message.document
        name = document.file_name or ""  # type: ignore[union-attr]
        if not name.lower().endswith(ACCEPTED_SUFFIXES):
            raise InvalidInput(_("Please send a .csv or .xlsx file."))
        if (document.file_size or 0) > MAX_FILE_BYTES:  # type: ignore[union-attr]
            raise InvalidInput(_("The file is too large: at most 20 MB."))
        rows = await _rows_from_document(bot, document.file_id, name)  # type: ignore[union-attr]
        changes = await import_registry(session, rows, dry_run=True, now=clock.now(), actor_id=user.id)
        await state.set_state(RegistryUpload.confirm)
        await state.update_data(file_id=document.file_id, file_name=name)  # type: ignore[union-attr]
        builder = InlineKeyboardBuilder()
        builder.button(text=_("Apply the changes"), callback_data=RegistryAction(action=RegistryIntent.APPLY))
        builder.button(text=_("Cancel"), callback_data=RegistryAction(action=RegistryIntent.CANCEL))
        await message.answer(
            fit_message(_("Checked, nothing saved yet:") + "\n" + html.quote(describe_changes(changes))),
            reply_markup=builder.as_markup(),
        )

    @router.message(StateFilter(RegistryUpload.file), not_command)
    async def not_a_file(message: Message) -> None:
        """Text, a sticker or a photo where the file is expected."""
        raise InvalidInput(_("Please send a .csv or .xlsx file."))

    @router.callback_query(StateFilter(RegistryUpload.confirm), RegistryAction.filter())
    async def apply(
        query: CallbackQuery,
        callback_data: RegistryAction,
        user: User,
        session: AsyncSession,
        state: FSMContext,
        bot: Bot,
        clock: Clock,
    ) -> None:
        """Import for real, or drop the file."""
        require_staff(user)
        data = await state.get_data()
        await state.clear()
        await query.message.edit_reply_markup(reply_markup=None)  # type: ignore[union-attr]
        if callback_data.action != "apply" or "file_id" not in data:
            await query.message.answer(_("Cancelled, the registry is unchanged."))  # type: ignore[union-attr]
            await query.answer()
            return
        rows = await _rows_from_document(bot, data["file_id"], data["file_name"])
        changes = await import_registry(
            session, rows, dry_run=False, now=clock.now(), actor_id=user.id, source=data["file_name"]
        )
        await query.message.answer(  # type: ignore[union-attr]
            fit_message(_("The registry is updated:") + "\n" + html.quote(describe_changes(changes)))
        )
        await query.answer()

    @router.callback_query(RegistryAction.filter())
    async def stale(query: CallbackQuery) -> None:
        """A registry button from an earlier upload."""
        raise stale_button()

    return router
