"""Conversation states; they live in the FSM storage (database or Redis), so they survive restarts."""

from __future__ import annotations

from aiogram.fsm.state import State, StatesGroup


class SignUp(StatesGroup):
    """Signing up by choosing the municipality; the step and the answers are the draft in the FSM data."""

    active = State()


class InviteSignUp(StatesGroup):
    full_name = State()
    position = State()


class StaffInvite(StatesGroup):
    place = State()


class RegistryUpload(StatesGroup):
    file = State()
    confirm = State()


class StaffRevoke(StatesGroup):
    """/revoke: choosing the municipality whose head or deputy loses the rights."""

    place = State()


# The staff's municipality picker (sign-up has its own, through its flow).
PICKER_STATES = (StaffInvite.place, StaffRevoke.place)


class ConsultationWizard(StatesGroup):
    """One state; the current step's key is kept in the FSM data, the draft itself in the database."""

    step = State()


class Answering(StatesGroup):
    """A head is answering; the step and the values live in the ``answer_draft`` row."""

    active = State()


class PositionInput(StatesGroup):
    """The coordinator is typing something for a position; the consultation and the item are in the FSM
    data."""

    text = State()  # the position's text: cid, language
    addressee = State()  # to whom it was sent: cid
    date = State()  # on which day: cid, addressee
    reason = State()  # the reason for a decision on a proposal: cid, index
    protocol = State()  # a text of the disagreement protocol: cid, index (None: the budget), field
    note = State()  # the note on the outcome: cid
