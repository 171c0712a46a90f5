"""Chats, users and stored messages shared by the methods."""

from __future__ import annotations

from typing import Any

from devtools.emulator.errors import ApiError
from devtools.emulator.protocol import _Params
from devtools.emulator.records import EmulatedUser, SentMessage


class _ChatsMixin:
    """Chats, users and the messages stored per chat."""

    def _user(self, user_id: int) -> EmulatedUser:
        user = self.users.get(user_id)
        if user is None:
            user = self.users[user_id] = EmulatedUser(user_id)
        return user

    def _alloc_message_id(self, chat_id: int) -> int:
        message_id = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = message_id + 1
        return message_id

    def _user_message(self, user_id: int) -> dict[str, Any]:
        user = self._user(user_id)
        message_id = self._alloc_message_id(user_id)
        message: dict[str, Any] = {
            "message_id": message_id,
            "from": user.as_user(),
            "chat": user.as_chat(),
            "date": int(self.clock()),
        }
        self._user_messages[(user_id, message_id)] = message
        return message

    def _member_update(self, user: EmulatedUser, old: str, new: str) -> int | None:
        if user.id not in self._known_chats:
            return None
        bot = self._bot_user or {"id": 1, "is_bot": True, "first_name": self.bot_first_name}
        new_member: dict[str, Any] = {"user": bot, "status": new}
        if new == "kicked":
            new_member["until_date"] = 0
        return self.push_update(
            {
                "my_chat_member": {
                    "chat": user.as_chat(),
                    "from": user.as_user(),
                    "date": int(self.clock()),
                    "old_chat_member": {"user": bot, "status": old},
                    "new_chat_member": new_member,
                }
            }
        )

    def _target_chat(self, params: _Params, *, for_send: bool = True) -> EmulatedUser:
        raw = params.raw("chat_id")
        if raw is None or raw == "":
            raise ApiError(400, "Bad Request: chat_id is empty")
        try:
            chat_id = int(raw)
        except (TypeError, ValueError):
            # "@username" addresses only public groups and channels, never a private chat.
            raise ApiError(400, "Bad Request: chat not found") from None
        user = self.users.get(chat_id)
        if user is None or chat_id not in self._known_chats:
            raise ApiError(400, "Bad Request: chat not found")
        if for_send:
            if user.deactivated:
                raise ApiError(403, "Forbidden: user is deactivated")
            if user.blocked:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
        return user

    def _base_message(self, token: str, user: EmulatedUser, message_id: int, date: int) -> dict[str, Any]:
        return {
            "message_id": message_id,
            "from": self._bot_user_for(token),
            "chat": user.as_chat(),
            "date": date,
        }

    def _touch(self, chat_id: int, message_id: int) -> None:
        self._chat_log.setdefault(chat_id, []).append(message_id)

    def _store(self, message: SentMessage) -> None:
        self._chats.setdefault(message.chat_id, {})[message.message_id] = message
        self._all.append(message)
        self._touch(message.chat_id, message.message_id)
        markup = message.reply_markup or {}
        if "keyboard" in markup:
            self._reply_keyboards[message.chat_id] = message
        elif markup.get("remove_keyboard"):
            self._reply_keyboards.pop(message.chat_id, None)
