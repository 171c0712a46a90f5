"""answerCallbackQuery, sendChatAction and the bot's command lists."""

from __future__ import annotations

import re
from typing import Any

from devtools.emulator.errors import ApiError
from devtools.emulator.protocol import _Call, _Params
from devtools.emulator.records import _CHAT_ACTIONS


class _OtherMethodsMixin:
    """Callback answers, chat actions and setMyCommands & co."""

    async def _answer_callback_query(self, call: _Call) -> Any:
        params = call.params
        record = self.callback_queries.get(params.text("callback_query_id") or "")
        if record is None or record.answered:
            raise ApiError(
                400, "Bad Request: query is too old and response timeout expired or query ID is invalid"
            )
        text = params.text("text")
        if text and len(text) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        record.answered = True
        record.text = text or None
        record.show_alert = params.flag("show_alert")
        record.url = params.text("url")
        return True

    async def _send_chat_action(self, call: _Call) -> Any:
        user = self._target_chat(call.params)
        action = call.params.text("action") or ""
        if action not in _CHAT_ACTIONS:
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        self.chat_actions.append((user.id, action))
        return True

    def _scope_key(self, scope: Any, *, strict: bool = True) -> str:
        if scope is None or scope == "":
            return "default"
        if isinstance(scope, str):
            if ":" in scope or not strict:
                return scope
            scope = {"type": scope}
        if not isinstance(scope, dict):
            raise ApiError(400, "Bad Request: can't parse BotCommandScope JSON object")
        kind = scope.get("type")
        if kind in ("default", "all_private_chats", "all_group_chats", "all_chat_administrators"):
            return str(kind)
        if kind in ("chat", "chat_administrators", "chat_member"):
            try:
                chat_id = int(scope.get("chat_id"))  # type: ignore[arg-type]
            except (TypeError, ValueError):
                raise ApiError(400, "Bad Request: chat not found") from None
            if strict and chat_id not in self._known_chats:
                raise ApiError(400, "Bad Request: chat not found")
            if kind == "chat_member":
                return f"chat_member:{chat_id}:{scope.get('user_id')}"
            return f"{kind}:{chat_id}"
        raise ApiError(400, "Bad Request: wrong BotCommandScope type specified")

    def _command_slot(self, params: _Params) -> tuple[str, str]:
        language = params.text("language_code") or ""
        if language and not re.fullmatch(r"[a-z]{2}", language):
            raise ApiError(400, "Bad Request: invalid language code specified")
        return self._scope_key(params.json("scope", "BotCommandScope")), language

    async def _set_my_commands(self, call: _Call) -> Any:
        commands = call.params.json("commands", "commands")
        if not isinstance(commands, list):
            raise ApiError(400, "Bad Request: can't parse commands JSON object")
        if len(commands) > 100:
            raise ApiError(400, "Bad Request: too many commands specified")
        checked: list[dict[str, str]] = []
        for item in commands:
            if not isinstance(item, dict):
                raise ApiError(400, "Bad Request: can't parse BotCommand JSON object")
            command, description = item.get("command"), item.get("description")
            if not isinstance(command, str) or not re.fullmatch(r"[a-z0-9_]{1,32}", command):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
            checked.append({"command": command, "description": description})
        slot = self._command_slot(call.params)
        if checked:
            self._commands[slot] = checked
        else:
            self._commands.pop(slot, None)
        return True

    async def _get_my_commands(self, call: _Call) -> Any:
        return list(self._commands.get(self._command_slot(call.params), []))

    async def _delete_my_commands(self, call: _Call) -> Any:
        self._commands.pop(self._command_slot(call.params), None)
        return True
