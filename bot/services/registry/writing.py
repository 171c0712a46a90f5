"""Applying a planned import in the database in one transaction, with one audit entry."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import audit
from bot.services.registry.changes import RegistryChanges
from bot.services.registry.planning import Plan, association_key, plan_memberships, plan_units
from bot.services.registry.validation import RegistryRow
from models import Association, AssociationMembership, District, Municipality, Oblast


async def _soate_ids(
    session: AsyncSession, model: type[Oblast] | type[District] | type[Municipality]
) -> dict[str, int]:
    result = await session.execute(select(model.soate, model.id))
    return dict(result.all())


def _resolved(
    values: Iterable[dict[str, Any]], oblast_ids: dict[str, int], district_ids: dict[str, int]
) -> list[dict[str, Any]]:
    """Rows with oblast_soate / district_soate replaced by the ids they now have."""
    resolved = []
    for item in values:
        item = dict(item)
        item["oblast_id"] = oblast_ids[item.pop("oblast_soate")]
        if "district_soate" in item:
            district_soate = item.pop("district_soate")
            item["district_id"] = district_ids[district_soate] if district_soate is not None else None
        resolved.append(item)
    return resolved


async def _apply(session: AsyncSession, plan: Plan) -> None:
    """Write the plan with bulk statements: oblasts first, so that districts and municipalities find them."""
    if plan.oblast_inserts:
        await session.execute(insert(Oblast), plan.oblast_inserts)
    if plan.oblast_updates:
        await session.execute(update(Oblast), plan.oblast_updates)
    oblast_ids = await _soate_ids(session, Oblast)
    if plan.district_inserts:
        await session.execute(insert(District), _resolved(plan.district_inserts, oblast_ids, {}))
    if plan.district_updates:
        await session.execute(update(District), _resolved(plan.district_updates, oblast_ids, {}))
    if plan.municipality_inserts or plan.municipality_updates:
        district_ids = await _soate_ids(session, District)
        if plan.municipality_inserts:
            await session.execute(
                insert(Municipality), _resolved(plan.municipality_inserts, oblast_ids, district_ids)
            )
        if plan.municipality_updates:
            await session.execute(
                update(Municipality), _resolved(plan.municipality_updates, oblast_ids, district_ids)
            )
    if plan.association_inserts:
        await session.execute(insert(Association), [{"name_ru": name} for name in plan.association_inserts])
    if plan.membership_inserts:
        association_ids: dict[str, int] = {}
        for id_, name in await session.execute(
            select(Association.id, Association.name_ru).order_by(Association.id)
        ):
            association_ids.setdefault(association_key(name), id_)
        municipality_ids = await _soate_ids(session, Municipality)
        await session.execute(
            insert(AssociationMembership),
            [
                {"association_id": association_ids[key], "municipality_id": municipality_ids[soate]}
                for key, soate in plan.membership_inserts
            ],
        )
    if plan.membership_deletes:
        connection = await session.connection()
        await connection.execute(
            delete(AssociationMembership).where(
                AssociationMembership.association_id == bindparam("association"),
                AssociationMembership.municipality_id == bindparam("municipality"),
            ),
            [
                {"association": association_id, "municipality": municipality_id}
                for association_id, municipality_id in plan.membership_deletes
            ],
        )


async def import_registry(
    session: AsyncSession,
    rows: list[RegistryRow],
    *,
    dry_run: bool,
    now: datetime,
    actor_id: int | None = None,
    source: str | None = None,
) -> RegistryChanges:
    """Upsert the rows by СОАТЕ code in one transaction; a dry run writes nothing, only reports.

    Unchanged rows are not written at all, so a second import of the same file changes nothing.
    Municipalities missing from the file are kept (``not_in_file`` counts them). When applied, one
    ``registry.import`` audit entry records the counts and ``source`` (e.g. the file name).
    """
    changes = RegistryChanges(dry_run=dry_run)
    plan = Plan()
    try:
        rows = await plan_units(session, rows, changes, plan)
        await plan_memberships(session, rows, changes, plan)
        if dry_run:
            # Nothing was written, so there is nothing to roll back; the caller's objects stay loaded.
            return changes
        await _apply(session, plan)
        audit.record(
            session,
            "registry.import",
            actor_id=actor_id,
            now=now,
            object_type="registry",
            counts=changes.as_dict(),
            rows=len(rows),
            source=source,
        )
        await session.commit()
    except Exception:
        if not dry_run:
            await session.rollback()  # all or nothing: a half-applied registry is worse than none
        raise
    return changes

