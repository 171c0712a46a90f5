"""Drafts described in a YAML/JSON file (the command line): every field checked, every problem reported."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import N_, FieldProblem, InvalidFields, InvalidInput
from bot.services.consultations.fields import (
    clean_name_field,
    clean_summary,
    clean_title,
    clean_url,
    parse_deadline,
)
from bot.services.consultations.lifecycle import new_draft
from bot.services.consultations.questions import questions_from_description
from models import Association, District, Municipality, MunicipalityKind, Oblast
from models.consultations import Consultation, ConsultationKind

TOPICS = (
    "inter_budget",
    "local_budget",
    "land",
    "water",
    "education",
    "health",
    "infrastructure",
    "social",
    "other",
)
AUDIENCE_KINDS = ("all", "oblasts", "districts", "kinds", "association", "list")

DESCRIPTION_FIELDS = {
    "title_ky",
    "title_ru",
    "summary_ky",
    "summary_ru",
    "source_url",
    "initiator",
    "committee",
    "topics",
    "inter_budget",
    "audience",
    "deadline",
    "document_file_id",
    "document_name",
    "kind",  # consultation (the default) or survey: questions only, no bill
    "questions",
}


async def create_from_description(
    session: AsyncSession, description: dict[str, Any], now: datetime, zone: ZoneInfo
) -> Consultation:
    """A draft from a YAML/JSON description; every problem is reported with its field, nothing is saved."""
    if not isinstance(description, dict):
        raise InvalidInput(N_("The description must be a mapping of fields to values."))
    problems: list[FieldProblem] = []
    unknown = sorted(set(description) - DESCRIPTION_FIELDS)
    if unknown:
        problems.append(FieldProblem(None, N_("Unknown fields: {names}"), {"names": ", ".join(unknown)}))
    values: dict[str, Any] = {}

    def check(field: str, clean: Any) -> None:
        if description.get(field) in (None, ""):
            return
        try:
            values[field] = clean(str(description[field]))
        except InvalidInput as error:
            problems.append(FieldProblem(field, error.key, error.params))

    for field in ("title_ky", "title_ru"):
        check(field, clean_title)
    for field in ("summary_ky", "summary_ru"):
        check(field, clean_summary)
    check("source_url", clean_url)
    for field in ("initiator", "committee", "document_name"):
        check(field, clean_name_field)
    check("deadline", lambda text: parse_deadline(_iso_to_dotted(text), now, zone))
    if description.get("document_file_id"):
        values["document_file_id"] = str(description["document_file_id"])
    topics = description.get("topics") or []
    if not isinstance(topics, list) or any(topic not in TOPICS for topic in topics):
        problems.append(FieldProblem(None, N_("topics: use some of {names}"), {"names": ", ".join(TOPICS)}))
    else:
        values["topics"] = sorted(set(topics))
    values["inter_budget"] = bool(description.get("inter_budget")) or "inter_budget" in values.get(
        "topics", []
    )
    try:
        values["audience"] = await _audience_from_codes(
            session, description.get("audience") or {"kind": "all"}
        )
    except InvalidInput as error:
        problems.append(FieldProblem("audience", error.key, error.params))
    if description.get("kind") not in (None, "consultation", "survey"):
        problems.append(FieldProblem("kind", N_("kind: consultation or survey"), {}))
    elif description.get("kind") == "survey":
        values["kind"] = ConsultationKind.SURVEY
    try:
        values["extra_questions"] = questions_from_description(description.get("questions") or [])
    except InvalidInput as error:
        problems.append(FieldProblem("questions", error.key, error.params))
    if values.get("kind") is ConsultationKind.SURVEY and values.get("extra_questions") == []:
        problems.append(FieldProblem("questions", N_("A survey needs at least one question."), {}))
    if not (values.get("title_ky") or values.get("title_ru")):
        problems.append(
            FieldProblem(None, N_("The consultation needs a title in at least one language."), {})
        )
    if problems:
        raise InvalidFields(problems)
    return await new_draft(session, now, actor_id=None, note="command line", **values)


def _iso_to_dotted(text: str) -> str:
    """Files may use 2026-12-20 [18:00]; the bot's format is 20.12.2026 [18:00]."""
    match = re.match(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{1,2}:\d{2}))?", text.strip())
    if not match:
        return text
    year, month, day, at = match.groups()
    return f"{day}.{month}.{year}" + (f" {at}" if at else "")


async def _audience_from_codes(session: AsyncSession, audience: dict[str, Any]) -> dict[str, Any]:
    """Audience written with СОАТЕ codes and names (readable in a file) turned into row ids."""
    kind = audience.get("kind", "all") if isinstance(audience, dict) else None
    if kind not in AUDIENCE_KINDS:
        raise InvalidInput(N_("kind must be one of {names}"), names=", ".join(AUDIENCE_KINDS))
    if kind == "all":
        return {"kind": "all"}
    if kind == "kinds":
        kinds = audience.get("kinds") or []
        if not kinds or any(k not in {m.value for m in MunicipalityKind} for k in kinds):
            raise InvalidInput(N_("kinds: use some of ayil_aimak, city, town"))
        return {"kind": "kinds", "kinds": sorted(set(kinds))}
    codes = [str(code) for code in audience.get("codes") or []]
    if not codes:
        raise InvalidInput(N_("codes: list the СОАТЕ codes (or, for an association, its name)"))
    table, column = {
        "oblasts": (Oblast, Oblast.soate),
        "districts": (District, District.soate),
        "list": (Municipality, Municipality.soate),
        "association": (Association, Association.name_ru),
    }[kind]
    found = dict((await session.execute(select(column, table.id).where(column.in_(codes)))).all())
    missing = [code for code in codes if code not in found]
    if missing:
        raise InvalidInput(N_("Not found in the registry: {items}."), items=", ".join(missing[:20]))
    return {"kind": kind, "ids": sorted(set(found.values()))}
