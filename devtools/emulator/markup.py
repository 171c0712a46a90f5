"""Reply markup: validation of keyboards and edits of a message's markup."""

from __future__ import annotations

import json
from typing import Any

from devtools.emulator.errors import ApiError
from devtools.emulator.protocol import _Params
from devtools.emulator.records import _INLINE_ACTIONS, MAX_CALLBACK_DATA_BYTES, EmulatedUser, SentMessage


def _normal_markup(markup: dict[str, Any] | None) -> Any:
    """Inline markup in a comparable form (None and an empty keyboard are the same)."""
    if not markup or not markup.get("inline_keyboard"):
        return None
    return json.dumps(markup["inline_keyboard"], sort_keys=True)


def _inline_only(markup: dict[str, Any] | None) -> dict[str, Any] | None:
    return markup if markup and "inline_keyboard" in markup else None


class _MarkupMixin:
    """Keyboards checked as Telegram checks them; edit targets."""

    def _markup(self, params: _Params) -> dict[str, Any] | None:
        markup = params.json("reply_markup", "reply keyboard markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
                raise ApiError(
                    400,
                    'Bad Request: field "inline_keyboard" of the InlineKeyboardMarkup '
                    "must be an Array of Arrays",
                )
            for row in rows:
                for button in row:
                    self._check_inline_button(button)
            return markup
        if "keyboard" in markup:
            rows = markup["keyboard"]
            if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
                raise ApiError(
                    400, 'Bad Request: field "keyboard" of the ReplyKeyboardMarkup must be an Array of Arrays'
                )
            for row in rows:
                for button in row:
                    text = button.get("text") if isinstance(button, dict) else button
                    if not isinstance(text, str) or not text:
                        raise ApiError(400, "Bad Request: keyboard button text must be non-empty")
            return markup
        if markup.get("remove_keyboard") or markup.get("force_reply"):
            return markup
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")

    @staticmethod
    def _check_inline_button(button: Any) -> None:
        if not isinstance(button, dict):
            raise ApiError(
                400, "Bad Request: can't parse inline keyboard button: InlineKeyboardButton must be an Object"
            )
        text = button.get("text")
        if not isinstance(text, str) or not text:
            raise ApiError(400, "Bad Request: can't parse inline keyboard button: Text must be non-empty")
        if not any(key in button for key in _INLINE_ACTIONS):
            raise ApiError(
                400,
                "Bad Request: can't parse inline keyboard button: "
                "Text buttons are unallowed in the inline keyboard",
            )
        if "callback_data" in button:
            data = button["callback_data"]
            if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        if "url" in button:
            url = button["url"]
            scheme = url.split("://", 1)[0].lower() if isinstance(url, str) and "://" in url else "http"
            if (
                not isinstance(url, str)
                or not url
                or any(c.isspace() for c in url)
                or scheme
                not in (
                    "http",
                    "https",
                    "tg",
                )
            ):
                raise ApiError(
                    400, f"Bad Request: inline keyboard button URL '{url}' is invalid: Wrong HTTP URL"
                )

    def _reply_to(self, params: _Params, chat_id: int) -> dict[str, Any] | None:
        reply = params.json("reply_parameters")
        if isinstance(reply, dict):
            message_id, allow = reply.get("message_id"), bool(reply.get("allow_sending_without_reply"))
        else:
            message_id, allow = (
                params.integer("reply_to_message_id"),
                params.flag("allow_sending_without_reply"),
            )
        if message_id is None:
            return None
        found: dict[str, Any] | None = None
        bot_message = self._chats.get(chat_id, {}).get(message_id)
        if bot_message is not None and not bot_message.deleted:
            found = bot_message.raw
        elif (chat_id, message_id) not in self._deleted_user_messages:
            found = self._user_messages.get((chat_id, message_id))
        if found is None:
            if allow:
                return None
            raise ApiError(400, "Bad Request: message to be replied not found")
        return {k: v for k, v in found.items() if k != "reply_to_message"}

    def _editable(self, params: _Params) -> tuple[EmulatedUser, SentMessage]:
        if params.raw("inline_message_id"):
            raise ApiError(400, "Bad Request: MESSAGE_ID_INVALID")
        user = self._target_chat(params)
        message_id = params.integer("message_id")
        if message_id is None:
            raise ApiError(400, "Bad Request: message identifier is not specified")
        message = self._chats.get(user.id, {}).get(message_id)
        if message is None or message.deleted:
            key = (user.id, message_id)
            if key in self._user_messages and key not in self._deleted_user_messages:
                raise ApiError(400, "Bad Request: message can't be edited")
            raise ApiError(400, "Bad Request: message to edit not found")
        return user, message

    def _edit_markup(self, params: _Params) -> dict[str, Any] | None:
        markup = self._markup(params)
        if markup is not None and "inline_keyboard" not in markup:
            raise ApiError(400, "Bad Request: inline keyboard expected")
        return markup

    def _apply_edit(self, message: SentMessage, markup: dict[str, Any] | None) -> None:
        message.edited = True
        message.edit_date = int(self.clock())
        message.raw["edit_date"] = message.edit_date
        if markup is not None or _inline_only(message.reply_markup) is not None:
            # An edit without reply_markup removes the inline keyboard, exactly as in Telegram.
            message.reply_markup = markup
        if markup and markup.get("inline_keyboard"):
            message.raw["reply_markup"] = markup
        else:
            message.raw.pop("reply_markup", None)
        self._touch(message.chat_id, message.message_id)
