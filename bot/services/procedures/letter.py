"""What the association's answer letter says, gathered for the document builder: the approval's parts
and the remarks, from the proposal groups the coordinator accepted (or as the coordinator rewrote them).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.positions import ProposalGroupSummary, proposal_groups
from bot.services.procedures.approval import get_approval, letter_problem
from models import ApprovalRequest, Consultation

# «1. text», «1) text», «- text»: a numbering the coordinator typed is the letter's own, not kept twice.
_NUMBERING = re.compile(r"^\s*(?:\d+[.)]|[-–—•])\s*")


@dataclass(frozen=True)
class LetterData:
    consultation: Consultation
    approval: ApprovalRequest
    remarks: list[str]

    @property
    def locale(self) -> str:
        return self.approval.letter_language


def group_remark(group: ProposalGroupSummary) -> str:
    """One remark from a group: the article and its proposed wordings (each once)."""
    wordings = list(dict.fromkeys(p.wording.strip() for p in group.proposals if p.wording.strip()))
    return f"{group.article}: {' '.join(wordings)}" if wordings else group.article


def split_remarks(text: str) -> list[str]:
    lines = (_NUMBERING.sub("", line).strip() for line in text.splitlines())
    return [line for line in lines if line]


async def drafted_remarks(session: AsyncSession, approval: ApprovalRequest, locale: str) -> list[str]:
    """The accepted groups as remarks, in the order of the position (the most supported first)."""
    accepted = set(approval.remark_keys or [])
    groups = await proposal_groups(session, approval.consultation_id, locale)
    return [group_remark(g) for g in groups if g.key in accepted]


async def remarks(session: AsyncSession, approval: ApprovalRequest) -> list[str]:
    if approval.remarks_text:
        return split_remarks(approval.remarks_text)
    return await drafted_remarks(session, approval, approval.letter_language)


async def letter_data(session: AsyncSession, consultation_id: int) -> LetterData:
    """Everything the letter needs; refused with the reason while a part is missing."""
    consultation, approval = await get_approval(session, consultation_id)
    problem = letter_problem(consultation, approval)
    if problem is not None:
        raise problem
    return LetterData(consultation, approval, await remarks(session, approval))
