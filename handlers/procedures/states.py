"""What the coordinator is typing for an approval request; the consultation and the values so far are
in the FSM data (database or Redis), so a restart in the middle loses nothing."""

from __future__ import annotations

from aiogram.fsm.state import State, StatesGroup


class ApprovalInput(StatesGroup):
    body_name = State()  # cid, kind
    incoming_number = State()  # cid, kind, body
    incoming_date = State()  # cid, kind, body, number
    term_days = State()  # cid, kind, body, number, date, unit
    letter = State()  # cid, field: a part of the letter
    conciliation_date = State()  # cid, result
    appeal_to = State()  # cid
    appeal_date = State()  # cid, to
    adopted_date = State()  # cid


class CalendarInput(StatesGroup):
    day = State()  # working: a decree day being added


class ExpertInput(StatesGroup):
    part = State()  # cid: the expert is typing the part being asked (its name is in the database)


class SittingInput(StatesGroup):
    committee = State()  # cid
    moment = State()  # cid, committee
    place = State()  # cid, committee, at
    speakers = State()  # cid, committee, at, place, reading
    opinion = State()  # sid, attended
    number = State()  # sid, attended, opinion, entry
    decision = State()  # sid, attended, opinion, entry, number
