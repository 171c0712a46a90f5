"""The buttons of approval requests (``appr…`` prefixes) and of the decree-day calendar (``cal…``).

Kept beside their handlers rather than in ``handlers/callbacks.py``, which is long enough already; the
same rules hold: one class per intent, Enum fields, every press checked again on the server.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from aiogram.filters.callback_data import CallbackData

from bot.config import Language
from models.procedures import (
    AppealResult,
    ApprovalDecision,
    ConciliationResult,
    ExpertVerdict,
    MinutesEntry,
    Reading,
    RemarksAccepted,
    StateBodyKind,
    TermUnit,
)


class LetterField(StrEnum):
    """A part of the answer letter typed as text."""

    NUMBER = "number"
    DATE = "date"
    ADDRESSEE = "addressee"
    REMARKS = "remarks"


class ApprovalScreen(CallbackData, prefix="appr"):
    cid: int


class ApprovalStart(CallbackData, prefix="apprnew"):
    """Mark the consultation as an approval request: the dialogue begins with the requesting body."""

    cid: int


class ApprovalBody(CallbackData, prefix="apprbody"):
    cid: int
    kind: StateBodyKind


class ApprovalTermUnit(CallbackData, prefix="apprunit"):
    cid: int
    unit: TermUnit


class ApprovalLetter(CallbackData, prefix="apprletter"):
    cid: int


class ApprovalDecide(CallbackData, prefix="apprdecide"):
    cid: int
    decision: ApprovalDecision


class ApprovalRemarks(CallbackData, prefix="apprremarks"):
    cid: int


class ApprovalRemarkToggle(CallbackData, prefix="apprtoggle"):
    """Accept (or drop) the ``index``-th proposal group, in the position's order, as a remark."""

    cid: int
    index: int


class ApprovalRemarksReset(CallbackData, prefix="apprreset"):
    """Drop the rewritten remarks: the letter lists the accepted groups again."""

    cid: int


class ApprovalEdit(CallbackData, prefix="appredit"):
    cid: int
    field: LetterField


class ApprovalToday(CallbackData, prefix="apprtoday"):
    """«Today» for the date being asked (the letter's date, a meeting, an appeal, the adoption)."""

    cid: int


class ApprovalLanguage(CallbackData, prefix="apprlang"):
    cid: int
    language: Language


class ApprovalGenerate(CallbackData, prefix="apprdocx"):
    cid: int


class ApprovalSent(CallbackData, prefix="apprsent"):
    cid: int


class ApprovalReaction(CallbackData, prefix="apprreact"):
    cid: int
    accepted: RemarksAccepted


class ApprovalConciliation(CallbackData, prefix="apprconcil"):
    """A conciliation meeting with this result; its date is asked next."""

    cid: int
    result: ConciliationResult


class ApprovalAppeal(CallbackData, prefix="apprappeal"):
    cid: int


class ApprovalAppealResult(CallbackData, prefix="apprresult"):
    cid: int
    result: AppealResult


class ApprovalWithout(CallbackData, prefix="apprwithout"):
    """The act was adopted without approval; its date is asked next."""

    cid: int


class CalendarAdd(CallbackData, prefix="caladd"):
    """An administrator adds a day moved by decree: a day off (working False) or a working day."""

    working: bool


class CalendarRemove(CallbackData, prefix="caldel"):
    """Take a decree day off the calendar; the day as its ordinal (callback data carries no dates)."""

    day: int

    @property
    def as_date(self) -> date:
        return date.fromordinal(self.day)


class ExpertPartName(StrEnum):
    """The parts of an expert conclusion (``bot.services.procedures.expertise.PARTS``)."""

    LSG_LAW = "lsg_law"
    BUDGET_LAW = "budget_law"
    FINANCE = "finance"
    MANDATES = "mandates"
    SERVICES = "services"
    RISKS = "risks"
    RECOMMENDATIONS = "recommendations"


class ExpertScreen(CallbackData, prefix="expert"):
    """The coordinator's screen of a consultation's expertise: the experts and where each stands."""

    cid: int


class ExpertCandidates(CallbackData, prefix="expcand"):
    cid: int


class ExpertAsk(CallbackData, prefix="expask"):
    cid: int
    uid: int


class ExpertDocument(CallbackData, prefix="expdocx"):
    cid: int
    language: Language


class ExpertStart(CallbackData, prefix="expstart"):
    """The expert begins (or resumes) writing the conclusion."""

    cid: int


class ExpertSkip(CallbackData, prefix="expskip"):
    cid: int
    part: ExpertPartName


class ExpertVerdictChoice(CallbackData, prefix="expverdict"):
    cid: int
    verdict: ExpertVerdict


class ExpertRestart(CallbackData, prefix="exprestart"):
    cid: int


class ExpertSubmit(CallbackData, prefix="expsubmit"):
    cid: int


class SittingScreen(CallbackData, prefix="sit"):
    """The committee sittings of a consultation."""

    cid: int


class SittingStart(CallbackData, prefix="sitnew"):
    cid: int


class SittingCommittee(CallbackData, prefix="sitcommittee"):
    """The committee is the consultation's own."""

    cid: int


class SittingReading(CallbackData, prefix="sitreading"):
    cid: int
    reading: Reading


class SittingMinutes(CallbackData, prefix="sitminutes"):
    """Record what happened at the sitting ``sid``."""

    sid: int


class SittingAttended(CallbackData, prefix="sitattended"):
    sid: int
    attended: bool


class SittingEntry(CallbackData, prefix="sitentry"):
    sid: int
    entry: MinutesEntry


class SittingAgenda(CallbackData, prefix="sitagenda"):
    """The further consultations on the agenda of the sitting ``sid``."""

    sid: int


class SittingAgendaSet(CallbackData, prefix="sitagendaset"):
    """Put the consultation ``cid`` on the agenda of the sitting ``sid`` (``on``) or take it off."""

    sid: int
    cid: int
    on: bool


class SittingSkip(CallbackData, prefix="sitskip"):
    """Nothing to write for the text being asked (the opinion, the minutes' number, the decision)."""

    sid: int
