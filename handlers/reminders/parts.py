"""Long messages made of items (a digest, an escalation list) cut into Telegram messages between items."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from aiogram import Bot
from aiogram.filters.callback_data import CallbackData
from aiogram.utils.keyboard import InlineKeyboardBuilder

from models.deliveries import Delivery

MESSAGE_LIMIT = 4096
# Telegram counts the text without the HTML tags; our tags count here, which keeps a margin.
PART_LIMIT = 4000


@dataclass
class Item:
    """One unit that is never cut: a heading, or an entry with its buttons."""

    text: str
    buttons: list[tuple[str, CallbackData]] = field(default_factory=list)


def split(items: Sequence[Item], limit: int = PART_LIMIT) -> list[list[Item]]:
    """Consecutive items in parts of at most ``limit`` characters (joined by newlines); an item longer
    than a part on its own is shortened, never split. A heading is not left alone at a part's end."""
    parts: list[list[Item]] = [[]]
    size = 0
    for item in items:
        if len(item.text) > limit:
            item = Item(item.text[: limit - 1] + "…", item.buttons)
        if parts[-1] and size + 1 + len(item.text) > limit:
            carried = []
            # a heading (an item without buttons that ends with «:») goes along with what it introduces
            if len(parts[-1]) > 1 and parts[-1][-1].text.rstrip().endswith(":") and not parts[-1][-1].buttons:
                carried = [parts[-1].pop()]
            parts.append(carried)
            size = sum(len(i.text) + 1 for i in carried)
        parts[-1].append(item)
        size += len(item.text) + 1
    return [part for part in parts if part]


async def send_parts(bot: Bot, delivery: Delivery, items: Sequence[Item]) -> int:
    """Send the items as few messages as fit, each with the buttons of its own items; the last id.

    Each part sent is counted in the delivery's payload: when a later part meets a 429 or a network
    error, the engine saves the row with the count, and the retry goes on from the next part. The
    outbox's budget (bot/budget) spaces a delivery's messages to one chat a second apart."""
    message_id = 0
    done = int(delivery.payload.get("parts_sent", 0))
    for number, part in enumerate(split(items)):
        if number < done:
            continue
        builder = InlineKeyboardBuilder()
        for item in part:
            for text, data in item.buttons:
                builder.button(text=text, callback_data=data)
        builder.adjust(1)
        markup = builder.as_markup() if any(item.buttons for item in part) else None
        message = await bot.send_message(
            delivery.chat_id, "\n".join(i.text for i in part), reply_markup=markup
        )
        message_id = message.message_id
        delivery.payload = {**delivery.payload, "parts_sent": number + 1}
    return message_id
