"""Limits Telegram enforces, and the public records of what the emulator saw and stored."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

MAX_TEXT_LENGTH: Final = 4096
MAX_CAPTION_LENGTH: Final = 1024
MAX_CALLBACK_DATA_BYTES: Final = 64
MAX_UPLOAD_BYTES: Final = 50 * 1024 * 1024
MAX_PHOTO_BYTES: Final = 10 * 1024 * 1024
MAX_DOWNLOAD_BYTES: Final = 20 * 1024 * 1024

# Telegram delivers every update type except these when allowed_updates was never given (or is []).
_NOT_DEFAULT_UPDATES: Final = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
# Calls that post or change a message: these are what Telegram's flood control counts.
_RATE_LIMITED: Final = frozenset(
    {
        "sendmessage",
        "senddocument",
        "sendphoto",
        "editmessagetext",
        "editmessagecaption",
        "editmessagereplymarkup",
    }
)
_CHAT_ACTIONS: Final = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_INLINE_ACTIONS: Final = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_FILE_ID_PREFIX: Final = {
    "document": "BQACAgIAAxkBAAI",
    "photo": "AgACAgIAAxkBAAI",
    "sticker": "CAACAgIAAxkBAAI",
}
_FILE_FOLDER: Final = {"document": "documents", "photo": "photos", "sticker": "stickers"}
_NOT_MODIFIED: Final = (
    "Bad Request: message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
# A 512x512 WebP header: enough for a sticker the bot may download and inspect.
_STICKER_BYTES: Final = b"RIFF\x1a\x00\x00\x00WEBPVP8X\n\x00\x00\x00\x10\x00\x00\x00\xff\x01\x00\xff\x01\x00"


@dataclass(eq=False)
class EmulatedUser:
    """A Telegram user who talks to the bot in a private chat."""

    id: int
    first_name: str = "Test"
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    blocked: bool = False
    deactivated: bool = False
    phone_number: str | None = None

    def as_user(self) -> dict[str, Any]:
        """The ``User`` object Telegram puts into ``from``."""
        user: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            user["last_name"] = self.last_name
        if self.username:
            user["username"] = self.username
        if self.language_code:
            user["language_code"] = self.language_code
        return user

    def as_chat(self) -> dict[str, Any]:
        """The private ``Chat`` object with this user."""
        chat: dict[str, Any] = {"id": self.id, "first_name": self.first_name, "type": "private"}
        if self.last_name:
            chat["last_name"] = self.last_name
        if self.username:
            chat["username"] = self.username
        return chat


@dataclass(eq=False)
class StoredFile:
    """A file in the emulator's store (uploaded by the bot or by a user)."""

    file_id: str
    file_unique_id: str
    kind: str
    data: bytes = field(repr=False)
    file_path: str
    file_name: str | None = None
    mime_type: str | None = None
    width: int | None = None
    height: int | None = None
    uploaded_by_bot: bool = False
    group: str | None = None

    @property
    def size(self) -> int:
        """File size in bytes."""
        return len(self.data)

    def as_document(self) -> dict[str, Any]:
        """The ``Document`` object."""
        doc: dict[str, Any] = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.size,
        }
        if self.file_name:
            doc["file_name"] = self.file_name
        if self.mime_type:
            doc["mime_type"] = self.mime_type
        return doc

    def as_photo_size(self) -> dict[str, Any]:
        """The ``PhotoSize`` object."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.size,
            "width": self.width or 0,
            "height": self.height or 0,
        }


@dataclass(eq=False)
class SentMessage:
    """A message the bot sent, as the user sees it now (edits update it in place)."""

    chat_id: int
    message_id: int
    date: int
    text: str = ""
    html: str = ""
    parse_mode: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    reply_markup: dict[str, Any] | None = None
    document: StoredFile | None = None
    photo: StoredFile | None = None
    caption: str | None = None
    caption_html: str | None = None
    edited: bool = False
    deleted: bool = False
    edit_date: int | None = None
    history: list[str] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def inline_keyboard(self) -> list[list[dict[str, Any]]]:
        """Rows of inline buttons (empty when the message has none)."""
        if not self.reply_markup:
            return []
        return list(self.reply_markup.get("inline_keyboard") or [])

    @property
    def reply_keyboard(self) -> list[list[dict[str, Any]]]:
        """Rows of reply-keyboard buttons this message set (strings normalised to ``{"text": ...}``)."""
        if not self.reply_markup:
            return []
        rows = self.reply_markup.get("keyboard") or []
        return [[{"text": b} if isinstance(b, str) else b for b in row] for row in rows]

    @property
    def buttons(self) -> list[str]:
        """Visible texts of all buttons attached to this message."""
        return [b.get("text", "") for row in self.inline_keyboard + self.reply_keyboard for b in row]

    def button(self, text: str) -> dict[str, Any] | None:
        """The inline button with exactly this text, if any."""
        for row in self.inline_keyboard:
            for button in row:
                if button.get("text") == text:
                    return button
        return None


@dataclass(slots=True)
class RequestRecord:
    """One Bot API call as the emulator received it."""

    method: str
    time: float
    params: dict[str, Any]
    files: tuple[str, ...] = ()


@dataclass(eq=False)
class CallbackQueryRecord:
    """A callback query sent to the bot and how the bot answered it."""

    id: str
    user_id: int
    chat_id: int
    message_id: int
    data: str
    answered: bool = False
    text: str | None = None
    show_alert: bool = False
    url: str | None = None
