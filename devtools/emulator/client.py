"""A scenario client: one Telegram user chatting with the bot through the emulator.

Every action feeds an update the way Telegram does, waits until the bot has handled it and returns
the bot messages that the action caused (new ones, and edited ones with their new content).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from devtools.emulator.server import BotApiEmulator, CallbackQueryRecord, EmulatedUser, SentMessage

__all__ = ["TelegramUser"]


class TelegramUser:
    """A user in a private chat with the bot under test."""

    def __init__(
        self,
        emulator: BotApiEmulator,
        user_id: int,
        first_name: str = "Test",
        language_code: str | None = "ky",
        username: str | None = None,
        *,
        last_name: str | None = None,
        phone_number: str | None = None,
        timeout: float = 10.0,
        settle: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.emulator = emulator
        self.user_id = user_id
        self.timeout = timeout
        # When the bot handles updates as tasks, the emulator sees an update confirmed before it is
        # handled; ``settle`` (RunningBot.settled) then waits for the handling itself.
        self.settle = settle
        self.user: EmulatedUser = emulator.add_user(
            user_id, first_name, last_name=last_name, username=username, language_code=language_code
        )
        self.user.phone_number = phone_number
        self.last_callback_answer: str | None = None
        self.last_callback_alert: bool = False
        self.last_callback_answered: bool = False
        self.last_presses: list[CallbackQueryRecord] = []

    # ---- actions --------------------------------------------------------------------------------

    async def send(self, text: str) -> list[SentMessage]:
        """Send a text message (a leading /command is marked as a bot command)."""
        self._require_unblocked()
        return await self._deliver(self.emulator.build_text_update(self.user_id, text))

    async def send_together(self, *texts: str) -> list[SentMessage]:
        """Send several text messages at the same moment, as Telegram does with a long pasted text.

        They are queued in one go, so the bot takes them in one batch of updates.
        """
        self._require_unblocked()
        return await self._deliver(*(self.emulator.build_text_update(self.user_id, text) for text in texts))

    async def send_sticker(self, emoji: str = "👍") -> list[SentMessage]:
        """Send a sticker."""
        self._require_unblocked()
        return await self._deliver(self.emulator.build_sticker_update(self.user_id, emoji))

    async def send_document(
        self,
        filename: str,
        content: bytes,
        mime_type: str = "application/octet-stream",
        caption: str | None = None,
    ) -> list[SentMessage]:
        """Upload a file and send it as a document; the bot can getFile and download it."""
        self._require_unblocked()
        stored = self.emulator.upload_user_file(content, file_name=filename, mime_type=mime_type)
        return await self._deliver(self.emulator.build_document_update(self.user_id, stored, caption))

    async def send_photo(self, content: bytes, caption: str | None = None) -> list[SentMessage]:
        """Send a photo (sizes are made the way Telegram makes them)."""
        self._require_unblocked()
        return await self._deliver(self.emulator.build_photo_update(self.user_id, content, caption))

    async def click(self, button_text: str, message: SentMessage | None = None) -> list[SentMessage]:
        """Press the button with exactly this text on the newest message that has one.

        An inline button sends a callback query with its callback_data; a reply-keyboard button sends
        its text (or the user's contact for a request_contact button).
        """
        self._require_unblocked()
        kind, owner, button = self._find_button(button_text, message)
        if kind == "reply":
            if button.get("request_contact"):
                phone = self.user.phone_number or f"+996{self.user_id % 1_000_000_000:09d}"
                return await self._deliver(self.emulator.build_contact_update(self.user_id, phone))
            return await self._deliver(self.emulator.build_text_update(self.user_id, button_text))
        data = button.get("callback_data")
        if not isinstance(data, str):
            raise AssertionError(
                f"button {button_text!r} on message {owner.message_id} has no callback_data "
                f"(it is {button!r}); a Telegram client would not send the bot anything"
            )
        return await self._press(owner, data)

    async def click_data(self, data: str, message: SentMessage | None = None) -> list[SentMessage]:
        """Send a callback query with arbitrary data (a forged or stale press) under ``message``.

        Without ``message`` the newest bot message in the chat is used.
        """
        self._require_unblocked()
        owner = message or self.last_message
        if owner is None:
            raise AssertionError("the bot has not sent any message to this chat, nothing to press on")
        return await self._press(owner, data)

    async def press_many(
        self, button_text: str, times: int, message: SentMessage | None = None
    ) -> list[SentMessage]:
        """Press an inline button ``times`` times at the same moment (a nervous finger, a slow network,
        two devices): all the callback queries reach the bot in one getUpdates batch.

        Waits until the bot has answered every press (run it with ``handle_as_tasks=True`` to have them
        handled concurrently, as in production). ``last_presses`` then holds how each was answered.
        """
        self._require_unblocked()
        kind, owner, button = self._find_button(button_text, message)
        data = button.get("callback_data")
        if kind != "inline" or not isinstance(data, str):
            raise AssertionError(f"button {button_text!r} is not an inline button with callback_data")
        cursor = self.emulator.chat_cursor(self.user_id)
        updates = [self.emulator.build_callback_update(self.user_id, owner, data) for _ in range(times)]
        query_ids = [update["callback_query"]["id"] for update in updates]
        update_ids = [self.emulator.push_update(update) for update in updates]
        for update_id in update_ids:
            await self.emulator.wait_processed(update_id, timeout=self.timeout)
        await self.emulator.wait_answered(query_ids, timeout=self.timeout)
        self.last_presses = [self.emulator.callback_queries[query_id] for query_id in query_ids]
        return self.emulator.changes_since(self.user_id, cursor)

    def block_bot(self) -> None:
        """Block the bot: its sends fail with 403 (a my_chat_member update is queued as well)."""
        self.emulator.block(self.user_id)

    def unblock_bot(self) -> None:
        """Unblock the bot again."""
        self.emulator.unblock(self.user_id)

    # ---- what the user sees ---------------------------------------------------------------------

    @property
    def messages(self) -> list[SentMessage]:
        """All bot messages in this chat, oldest first (deleted ones included, flagged)."""
        return self.emulator.messages(self.user_id)

    @property
    def last_message(self) -> SentMessage | None:
        """The newest bot message that is not deleted."""
        for message in reversed(self.messages):
            if not message.deleted:
                return message
        return None

    def buttons(self, message: SentMessage | None = None) -> list[str]:
        """Button texts of ``message`` (default: the newest bot message)."""
        target = message or self.last_message
        return target.buttons if target is not None else []

    @property
    def reply_keyboard(self) -> list[str]:
        """Texts of the reply keyboard currently shown in the chat."""
        owner = self.emulator.reply_keyboard(self.user_id)
        return [b.get("text", "") for row in owner.reply_keyboard for b in row] if owner else []

    # ---- internals ------------------------------------------------------------------------------

    def _require_unblocked(self) -> None:
        if self.user.blocked:
            raise AssertionError(f"user {self.user_id} has blocked the bot; call unblock_bot() first")

    async def _deliver(self, *updates: dict[str, Any]) -> list[SentMessage]:
        cursor = self.emulator.chat_cursor(self.user_id)
        update_ids = [self.emulator.push_update(update) for update in updates]
        await self.emulator.wait_processed(update_ids[-1], timeout=self.timeout)
        if self.settle is not None:
            await self.settle()
            await self.emulator.wait_processed(update_ids[-1], timeout=self.timeout)
        return self.emulator.changes_since(self.user_id, cursor)

    async def _press(self, owner: SentMessage, data: str) -> list[SentMessage]:
        update = self.emulator.build_callback_update(self.user_id, owner, data)
        query_id = update["callback_query"]["id"]
        changes = await self._deliver(update)
        record = self.emulator.callback_queries[query_id]
        self.last_callback_answered = record.answered
        self.last_callback_answer = record.text
        self.last_callback_alert = record.show_alert
        return changes

    def _find_button(self, text: str, message: SentMessage | None) -> tuple[str, SentMessage, dict[str, Any]]:
        """(kind, message, button) of the newest matching button; kind is "inline" or "reply"."""
        if message is not None and message.deleted:
            raise AssertionError(f"message {message.message_id} was deleted; its buttons are gone")
        keyboard_owner = self.emulator.reply_keyboard(self.user_id)
        candidates = [message] if message is not None else list(reversed(self.messages))
        inline: tuple[SentMessage, dict[str, Any]] | None = None
        for candidate in candidates:
            if candidate.deleted:
                continue
            button = candidate.button(text)
            if button is not None:
                inline = (candidate, button)
                break
        reply: tuple[SentMessage, dict[str, Any]] | None = None
        if keyboard_owner is not None and (message is None or message is keyboard_owner):
            for row in keyboard_owner.reply_keyboard:
                for button in row:
                    if button.get("text") == text and reply is None:
                        reply = (keyboard_owner, button)
        if inline and (reply is None or inline[0].message_id > reply[0].message_id):
            return "inline", inline[0], inline[1]
        if reply is not None:
            return "reply", reply[0], reply[1]
        raise AssertionError(f"no button {text!r} to press; {self._describe_buttons(candidates)}")

    def _describe_buttons(self, candidates: list[SentMessage]) -> str:
        lines = [
            f"message {m.message_id} ({m.text or m.caption or ''!r:.40}): {m.buttons}"
            for m in candidates
            if m.inline_keyboard and not m.deleted
        ][:5]
        keyboard = self.reply_keyboard
        if keyboard:
            lines.append(f"reply keyboard: {keyboard}")
        return "visible buttons: " + ("; ".join(lines) if lines else "none")
