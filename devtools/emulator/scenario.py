"""The emulator's test-facing API: users, updates fed to the bot, and inspection of what it sent."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from devtools.emulator.entities import _command_entities
from devtools.emulator.files import _image_info
from devtools.emulator.records import (
    _STICKER_BYTES,
    CallbackQueryRecord,
    EmulatedUser,
    RequestRecord,
    SentMessage,
    StoredFile,
)


class _ScenarioMixin:
    """Users, updates to feed, and what the bot sent, for tests and benchmarks."""

    # ---- users and updates ----------------------------------------------------------------------

    def add_user(
        self,
        user_id: int,
        first_name: str = "Test",
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
    ) -> EmulatedUser:
        """Register (or update) a user; the chat exists for the bot only after the user's first update."""
        user = self.users.get(user_id)
        if user is None:
            user = self.users[user_id] = EmulatedUser(user_id, first_name)
        user.first_name = first_name
        user.last_name = last_name
        user.username = username
        user.language_code = language_code
        return user

    def open_chat(
        self, user_id: int, first_name: str = "Test", language_code: str | None = None
    ) -> EmulatedUser:
        """A user who started the bot some time ago: the bot may message them without a new update."""
        user = self.users.get(user_id) or self.add_user(user_id, first_name, language_code=language_code)
        self._known_chats.add(user_id)
        return user

    def push_update(self, update: dict[str, Any]) -> int:
        """Queue an update (its update_id is assigned here) and return the update_id."""
        update_id = self._next_update_id
        self._next_update_id += 1
        queued = {**update, "update_id": update_id}
        self._note_update(queued)
        self._pending.append(queued)
        self._notifier.notify()
        return update_id

    async def feed(self, update: dict[str, Any]) -> int:
        """Queue an update for the bot (getUpdates or webhook) and return its update_id."""
        return self.push_update(update)

    async def wait_processed(self, update_id: int, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Wait until the bot has handled the update and its API calls have settled.

        Polling: a later getUpdates confirmed it (offset > update_id). Webhook: the POST returned.
        Then no API call may be in flight for ``quiet_period`` so that trailing sends are captured.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        if not await self._wait_until(lambda: self._is_done(update_id), deadline):
            raise TimeoutError(self._stall_reason(update_id, timeout))
        if not await self._wait_quiet(deadline):
            raise TimeoutError(
                f"update {update_id} was processed, but Bot API calls did not settle within {timeout}s"
            )

    async def wait_answered(self, query_ids: list[str], timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Wait until the bot has answered each of these callback queries and its API calls settled.

        Exact also with ``handle_as_tasks=True``, where a confirmed update may still be in hand: every
        press is answered in the end (with an alert, if refused), and the answer is an API call.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        records = [self.callback_queries[query_id] for query_id in query_ids]
        if not await self._wait_until(lambda: all(r.answered for r in records), deadline):
            waiting = [r.id for r in records if not r.answered]
            raise TimeoutError(f"{len(waiting)} callback queries were not answered within {timeout}s")
        if not await self._wait_quiet(deadline):
            raise TimeoutError(f"the presses were answered, but Bot API calls did not settle in {timeout}s")

    def build_text_update(self, user_id: int, text: str) -> dict[str, Any]:
        """A private-chat text message from the user (a leading /command gets its bot_command entity)."""
        message = self._user_message(user_id)
        message["text"] = text
        entities = _command_entities(text)
        if entities:
            message["entities"] = entities
        return {"message": message}

    def build_document_update(
        self, user_id: int, file: StoredFile, caption: str | None = None
    ) -> dict[str, Any]:
        """A private-chat document message; ``file`` comes from :meth:`upload_user_file`."""
        message = self._user_message(user_id)
        message["document"] = file.as_document()
        if caption:
            message["caption"] = caption
        return {"message": message}

    def build_photo_update(self, user_id: int, content: bytes, caption: str | None = None) -> dict[str, Any]:
        """A private-chat photo message with the sizes Telegram would make."""
        info = _image_info(content)
        width, height = (info[1], info[2]) if info and info[1] and info[2] else (1280, 960)
        sizes = self._new_photo(content, width, height, by_bot=False)
        message = self._user_message(user_id)
        message["photo"] = [s.as_photo_size() for s in sizes]
        if caption:
            message["caption"] = caption
        return {"message": message}

    def build_sticker_update(self, user_id: int, emoji: str = "👍") -> dict[str, Any]:
        """A private-chat message with a regular static sticker."""
        sticker = self._new_file("sticker", _STICKER_BYTES, file_name=None, mime_type="image/webp")
        sticker.width = sticker.height = 512
        message = self._user_message(user_id)
        message["sticker"] = {
            "file_id": sticker.file_id,
            "file_unique_id": sticker.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
            "set_name": "PikirTestStickers",
            "file_size": sticker.size,
        }
        return {"message": message}

    def build_contact_update(self, user_id: int, phone_number: str) -> dict[str, Any]:
        """The user shares their own contact (a request_contact keyboard button)."""
        user = self._user(user_id)
        message = self._user_message(user_id)
        contact: dict[str, Any] = {
            "phone_number": phone_number,
            "first_name": user.first_name,
            "user_id": user_id,
        }
        if user.last_name:
            contact["last_name"] = user.last_name
        message["contact"] = contact
        return {"message": message}

    def build_callback_update(self, user_id: int, message: SentMessage, data: str) -> dict[str, Any]:
        """A press of an inline button with ``data`` under ``message`` (sent along, as Telegram does)."""
        user = self._user(user_id)
        self._query_counter += 1
        query_id = str(4_000_000_000_000_000_000 + self._query_counter)
        self.callback_queries[query_id] = CallbackQueryRecord(
            query_id, user_id, message.chat_id, message.message_id, data
        )
        return {
            "callback_query": {
                "id": query_id,
                "from": user.as_user(),
                "message": json.loads(json.dumps(message.raw)),
                "chat_instance": str((message.chat_id * 2_654_435_761) % (1 << 62)),
                "data": data,
            }
        }

    def upload_user_file(
        self,
        content: bytes,
        *,
        file_name: str | None = None,
        mime_type: str | None = None,
        kind: str = "document",
    ) -> StoredFile:
        """Put a user's file into the store, as the Telegram client uploads it before sending."""
        return self._new_file(kind, content, file_name=file_name, mime_type=mime_type)

    def block(self, user_id: int) -> int | None:
        """The user blocks the bot: sends fail with 403 and a my_chat_member update is queued."""
        user = self._user(user_id)
        was_blocked, user.blocked = user.blocked, True
        return None if was_blocked else self._member_update(user, "member", "kicked")

    def unblock(self, user_id: int) -> int | None:
        """The user unblocks the bot (Telegram sends my_chat_member with status member)."""
        user = self._user(user_id)
        was_blocked, user.blocked = user.blocked, False
        return self._member_update(user, "kicked", "member") if was_blocked else None

    # ---- inspection -----------------------------------------------------------------------------

    def messages(self, chat_id: int) -> list[SentMessage]:
        """Messages the bot sent to this chat, oldest first (deleted ones have ``deleted`` set)."""
        return list(self._chats.get(chat_id, {}).values())

    def all_messages(self) -> list[SentMessage]:
        """Every message the bot sent, in sending order."""
        return list(self._all)

    def message(self, chat_id: int, message_id: int) -> SentMessage | None:
        """One bot message by id."""
        return self._chats.get(chat_id, {}).get(message_id)

    def reply_keyboard(self, chat_id: int) -> SentMessage | None:
        """The message whose reply keyboard is currently shown in the chat, if any."""
        return self._reply_keyboards.get(chat_id)

    def chat_cursor(self, chat_id: int) -> int:
        """A mark in the chat's change log, for :meth:`changes_since`."""
        return len(self._chat_log.get(chat_id, ()))

    def changes_since(self, chat_id: int, cursor: int) -> list[SentMessage]:
        """Messages sent or edited in the chat after ``cursor`` (not deleted), in order of first change."""
        seen: dict[int, None] = dict.fromkeys(self._chat_log.get(chat_id, [])[cursor:])
        chat = self._chats.get(chat_id, {})
        return [chat[mid] for mid in seen if mid in chat and not chat[mid].deleted]

    def file(self, file_id: str) -> StoredFile | None:
        """A stored file by file_id."""
        return self._files.get(file_id)

    def commands(
        self, scope: str | dict[str, Any] = "default", language_code: str = ""
    ) -> list[dict[str, str]]:
        """Commands set for exactly this scope (``"default"``, ``{"type": "chat", "chat_id": 1}`` ...)."""
        return list(self._commands.get((self._scope_key(scope, strict=False), language_code), []))

    def visible_commands(self, user_id: int) -> list[dict[str, str]]:
        """The command menu the user sees in the private chat, resolved like Telegram does."""
        user = self.users.get(user_id)
        language = (user.language_code or "") if user else ""
        for scope in (f"chat:{user_id}", "all_private_chats", "default"):
            for lang in dict.fromkeys((language, "")):
                found = self._commands.get((scope, lang))
                if found:
                    return list(found)
        return []

    def calls(self, method: str) -> list[RequestRecord]:
        """Logged requests of one method (case-insensitive)."""
        name = method.lower()
        return [r for r in self.requests if r.method.lower() == name]

    @property
    def webhook_url(self) -> str | None:
        """The webhook URL set by the bot, if any."""
        return self._webhook.url if self._webhook else None

    @property
    def pending_updates(self) -> int:
        """Updates queued and not yet confirmed."""
        return len(self._pending)
