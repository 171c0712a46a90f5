"""Formal procedures with state bodies: /approval (approval requests, the answer letter, what followed
it), /calendar (the days the Cabinet moves by decree), /expertise (expert conclusions), /sittings
(committee sittings), and what the outbox sends about them (``renderers``, ``sitting_renderers``,
``expert_answer.expert_request_renderer``).

Every staff button and command here is checked once, after a button's data parsed and before its
handler (``staff_only``; ``/calendar`` is for admins, checked by its service too). The expert's own
buttons are in a router of their own: the service lets through only the expert who was asked.
"""

from __future__ import annotations

from aiogram import Router

from handlers.filters import staff_only
from handlers.procedures import (
    after,
    calendar,
    expert_answer,
    expertise,
    letter,
    registration,
    sitting_agenda,
    sittings,
)


def create_router() -> Router:
    staff = Router(name="procedures.staff")
    staff.callback_query.middleware(staff_only)
    staff.message.middleware(staff_only)
    staff.include_routers(
        registration.create_router(),
        letter.create_router(),
        after.create_router(),
        calendar.create_router(),
        expertise.create_router(),
        sittings.create_router(),
        sitting_agenda.create_router(),
    )
    router = Router(name="procedures")
    router.include_routers(staff, expert_answer.create_router())
    return router
