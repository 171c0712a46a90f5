"""Formal procedures with state bodies: /approval (approval requests, the answer letter, what followed
it), /calendar (the days the Cabinet moves by decree), and the outbox's near-term alerts (``renderers``).

Every button and command here is staff-only (``/calendar`` admin-only, checked by its service): the
check runs once, after a button's data parsed and before its handler, and the services check again.
"""

from __future__ import annotations

from aiogram import Router

from handlers.filters import staff_only
from handlers.procedures import after, calendar, letter, registration


def create_router() -> Router:
    router = Router(name="procedures")
    router.callback_query.middleware(staff_only)
    router.message.middleware(staff_only)
    router.include_routers(
        registration.create_router(),
        letter.create_router(),
        after.create_router(),
        calendar.create_router(),
    )
    return router
