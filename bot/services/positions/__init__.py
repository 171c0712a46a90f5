"""The association's position: the numbers counted in the database and the verdict they add up to
(``summary``), the position's lifecycle from closing to submission (``lifecycle``), and what became of
it afterwards (``outcome``). The drafted text is written by the presentation layer
(``bot.presentation``) and handed to ``close`` as a drafter.
"""

from bot.services.positions.lifecycle import (
    ADDRESSEE_MAX,
    POSITION_DRAFT_KIND,
    POSITION_TEXT_MAX,
    adopt,
    clean_addressee,
    close,
    close_due,
    edit_text,
    get_position,
    mark_submitted,
    still_drafted,
)
from bot.services.positions.outcome import (
    BUDGET_KEY,
    NOTE_MAX,
    OUTCOME_KIND,
    OwnProposal,
    decide_group,
    group_record,
    group_records,
    own_proposals,
    record_outcome,
    set_government_view,
    set_outcome,
)
from bot.services.positions.summary import (
    UNDERREPRESENTED_RATIO,
    Drafter,
    GroupResponse,
    PositionSummary,
    Proposal,
    ProposalGroupSummary,
    StanceShare,
    Verdict,
    proposal_groups,
    summarise,
)

__all__ = [
    "ADDRESSEE_MAX",
    "BUDGET_KEY",
    "NOTE_MAX",
    "OUTCOME_KIND",
    "POSITION_DRAFT_KIND",
    "POSITION_TEXT_MAX",
    "UNDERREPRESENTED_RATIO",
    "Drafter",
    "GroupResponse",
    "OwnProposal",
    "PositionSummary",
    "Proposal",
    "ProposalGroupSummary",
    "StanceShare",
    "Verdict",
    "adopt",
    "clean_addressee",
    "close",
    "close_due",
    "decide_group",
    "edit_text",
    "get_position",
    "group_record",
    "group_records",
    "mark_submitted",
    "own_proposals",
    "proposal_groups",
    "record_outcome",
    "set_government_view",
    "set_outcome",
    "still_drafted",
    "summarise",
]
