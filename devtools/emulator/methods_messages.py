"""sendMessage, editMessage* and deleteMessage(s)."""

from __future__ import annotations

from typing import Any

from devtools.emulator.entities import parse_entities
from devtools.emulator.errors import ApiError
from devtools.emulator.markup import _inline_only, _normal_markup
from devtools.emulator.protocol import _Call
from devtools.emulator.records import _NOT_MODIFIED, MAX_TEXT_LENGTH, SentMessage
from devtools.emulator.text_builder import utf16_len


class _MessagesMixin:
    """Sending, editing and deleting text messages."""

    async def _send_message(self, call: _Call) -> Any:
        params = call.params
        user = self._target_chat(params)
        raw_text = params.text("text") or ""
        parse_mode = params.text("parse_mode")
        plain, entities = parse_entities(raw_text, parse_mode, params.json("entities"))
        if not plain:
            raise ApiError(400, "Bad Request: message text is empty")
        if utf16_len(plain) > MAX_TEXT_LENGTH:
            raise ApiError(400, "Bad Request: message is too long")
        markup = self._markup(params)
        reply_to = self._reply_to(params, user.id)
        self._consume_rate(user.id)
        date = int(self.clock())
        message_id = self._alloc_message_id(user.id)
        raw = self._base_message(call.token, user, message_id, date)
        if reply_to is not None:
            raw["reply_to_message"] = reply_to
        raw["text"] = plain
        if entities:
            raw["entities"] = entities
        if markup and markup.get("inline_keyboard"):
            raw["reply_markup"] = markup
        message = SentMessage(
            chat_id=user.id,
            message_id=message_id,
            date=date,
            text=plain,
            html=raw_text,
            parse_mode=parse_mode,
            entities=entities,
            reply_markup=markup,
            raw=raw,
        )
        self._store(message)
        return raw

    async def _edit_message_text(self, call: _Call) -> Any:
        params = call.params
        _, message = self._editable(params)
        if message.document is not None or message.photo is not None:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        raw_text = params.text("text") or ""
        parse_mode = params.text("parse_mode")
        plain, entities = parse_entities(raw_text, parse_mode, params.json("entities"))
        if not plain:
            raise ApiError(400, "Bad Request: message text is empty")
        if utf16_len(plain) > MAX_TEXT_LENGTH:
            raise ApiError(400, "Bad Request: message is too long")
        markup = self._edit_markup(params)
        unchanged = (
            plain == message.text
            and entities == message.entities
            and _normal_markup(markup) == _normal_markup(_inline_only(message.reply_markup))
        )
        if unchanged:
            raise ApiError(400, _NOT_MODIFIED)
        self._consume_rate(message.chat_id)
        message.history.append(message.text)
        message.text, message.html, message.parse_mode, message.entities = (
            plain,
            raw_text,
            parse_mode,
            entities,
        )
        message.raw["text"] = plain
        if entities:
            message.raw["entities"] = entities
        else:
            message.raw.pop("entities", None)
        self._apply_edit(message, markup)
        return message.raw

    async def _edit_message_caption(self, call: _Call) -> Any:
        params = call.params
        _, message = self._editable(params)
        if message.document is None and message.photo is None:
            raise ApiError(400, "Bad Request: there is no caption in the message to edit")
        caption, caption_raw, entities = self._caption(params)
        markup = self._edit_markup(params)
        unchanged = (
            caption == message.caption
            and entities == message.entities
            and _normal_markup(markup) == _normal_markup(_inline_only(message.reply_markup))
        )
        if unchanged:
            raise ApiError(400, _NOT_MODIFIED)
        self._consume_rate(message.chat_id)
        message.history.append(message.caption or "")
        message.caption, message.caption_html, message.entities = caption, caption_raw, entities
        message.parse_mode = params.text("parse_mode")
        for key, value in (("caption", caption), ("caption_entities", entities)):
            if value:
                message.raw[key] = value
            else:
                message.raw.pop(key, None)
        self._apply_edit(message, markup)
        return message.raw

    async def _edit_message_reply_markup(self, call: _Call) -> Any:
        params = call.params
        _, message = self._editable(params)
        markup = self._edit_markup(params)
        if _normal_markup(markup) == _normal_markup(_inline_only(message.reply_markup)):
            raise ApiError(400, _NOT_MODIFIED)
        self._consume_rate(message.chat_id)
        self._apply_edit(message, markup)
        return message.raw

    def _delete_one(self, chat_id: int, message_id: int) -> bool:
        message = self._chats.get(chat_id, {}).get(message_id)
        if message is not None and not message.deleted:
            message.deleted = True
            return True
        key = (chat_id, message_id)
        if key in self._user_messages and key not in self._deleted_user_messages:
            self._deleted_user_messages.add(key)
            return True
        return False

    async def _delete_message(self, call: _Call) -> Any:
        user = self._target_chat(call.params, for_send=False)
        message_id = call.params.integer("message_id")
        if message_id is None or not self._delete_one(user.id, message_id):
            raise ApiError(400, "Bad Request: message to delete not found")
        return True

    async def _delete_messages(self, call: _Call) -> Any:
        user = self._target_chat(call.params, for_send=False)
        ids = call.params.json("message_ids")
        if not isinstance(ids, list) or not ids:
            raise ApiError(400, "Bad Request: message identifiers are not specified")
        for message_id in ids:
            if isinstance(message_id, int):
                self._delete_one(user.id, message_id)
        return True
