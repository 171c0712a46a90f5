"""Answers: what a head types, parsed (``parsing``); who may answer and drafts in progress (``drafts``);
submitting a new version (``submitting``); and the coordinator's live view of responses (``live_view``)."""

from bot.services.answers.drafts import (
    DRAFT_WRITE_ATTEMPTS,
    answerable,
    change_draft,
    draft_to_answer,
    get_draft,
    save_draft,
    start_draft,
)
from bot.services.answers.live_view import (
    OblastResponses,
    Responses,
    labels_by_answer,
    municipalities_by_answer,
    responses,
)
from bot.services.answers.parsing import (
    ARTICLE_MAX,
    ATTACHMENT_MAX_BYTES,
    LONG_TEXT_MAX,
    MAX_AMENDMENTS,
    MAX_ATTACHMENTS,
    MAX_COST,
    PASTE_GAP,
    Part,
    clean_article,
    join_part,
    parse_som,
    too_long,
)
from bot.services.answers.submitting import _validated as _validated  # the tests check it directly
from bot.services.answers.submitting import already_sent, current_answer, submit, versions

__all__ = [
    "ARTICLE_MAX",
    "ATTACHMENT_MAX_BYTES",
    "DRAFT_WRITE_ATTEMPTS",
    "LONG_TEXT_MAX",
    "MAX_AMENDMENTS",
    "MAX_ATTACHMENTS",
    "MAX_COST",
    "PASTE_GAP",
    "OblastResponses",
    "Part",
    "Responses",
    "already_sent",
    "answerable",
    "change_draft",
    "clean_article",
    "current_answer",
    "draft_to_answer",
    "get_draft",
    "join_part",
    "labels_by_answer",
    "municipalities_by_answer",
    "parse_som",
    "responses",
    "save_draft",
    "start_draft",
    "submit",
    "too_long",
    "versions",
]
