"""Comparing checked rows with the database: what an import would change, and the writes it needs."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.registry.changes import Change, ChangeAction, FieldChange, RegistryChanges, Unit
from bot.services.registry.problems import ProblemList
from bot.services.registry.validation import RegistryRow, UnitRef, collect_units
from models import Association, AssociationMembership, District, Municipality, Oblast
from models.registry import search_key


def _diff(*pairs: tuple[str, Any, Any]) -> tuple[FieldChange, ...]:
    return tuple(FieldChange(column, old, new) for column, old, new in pairs if old != new)


def _plain(value: Any) -> str | int | None:
    """A value as the summary shows it (enum members by their file spelling)."""
    if value is None or isinstance(value, int):
        return value
    return str(value.value if isinstance(value, enum.Enum) else value)


@dataclass
class Plan:
    """The writes an import needs, with oblasts and districts still named by code (ids come later)."""

    oblast_inserts: list[dict[str, Any]] = field(default_factory=list)
    oblast_updates: list[dict[str, Any]] = field(default_factory=list)
    district_inserts: list[dict[str, Any]] = field(default_factory=list)
    district_updates: list[dict[str, Any]] = field(default_factory=list)
    municipality_inserts: list[dict[str, Any]] = field(default_factory=list)
    municipality_updates: list[dict[str, Any]] = field(default_factory=list)
    association_inserts: list[str] = field(default_factory=list)
    membership_inserts: list[tuple[str, str]] = field(default_factory=list)  # (association key, soate)
    membership_deletes: list[tuple[int, int]] = field(default_factory=list)  # (association, municipality)


def association_key(name: str) -> str:
    return name.casefold()


_MUNICIPALITY_FIELDS = (
    "id",
    "name_ru",
    "name_ky",
    "kind",
    "population",
    "oblast_soate",
    "district_soate",
    "search_name",
)


def _placed(row: RegistryRow, stored: bool) -> RegistryRow:
    """A row without an oblast is its own oblast-level unit, unless the file leaves placement alone."""
    if row.oblast is None and (row.has_placement or not stored):
        return replace(row, oblast=UnitRef(row.soate, row.name_ru, row.name_ky), has_placement=True)
    return row


async def plan_units(
    session: AsyncSession, rows: Sequence[RegistryRow], changes: RegistryChanges, plan: Plan
) -> list[RegistryRow]:
    """Compare oblasts, districts and municipalities with the database (one query per table)."""
    stored_oblasts = {
        row.soate: row
        for row in await session.execute(select(Oblast.id, Oblast.soate, Oblast.name_ru, Oblast.name_ky))
    }
    stored_districts = {
        row.soate: row
        for row in await session.execute(
            select(District.id, District.soate, District.name_ru, District.name_ky, District.oblast_id)
        )
    }
    stored_municipalities = {
        row.soate: row
        for row in await session.execute(
            select(
                Municipality.id,
                Municipality.soate,
                Municipality.name_ru,
                Municipality.name_ky,
                Municipality.kind,
                Municipality.oblast_id,
                Municipality.district_id,
                Municipality.population,
                Municipality.search_name,
            )
        )
    }
    oblast_codes = {row.id: row.soate for row in stored_oblasts.values()}
    district_codes = {row.id: row.soate for row in stored_districts.values()}

    rows = [_placed(row, row.soate in stored_municipalities) for row in rows]
    problems = ProblemList()
    oblasts, districts = collect_units(rows, problems)
    problems.raise_if_any()  # rows built by hand rather than by parse_registry_file may still contradict

    for unit in oblasts.values():
        stored = stored_oblasts.get(unit.soate)
        if stored is None:
            plan.oblast_inserts.append(
                {"soate": unit.soate, "name_ru": unit.name_ru, "name_ky": unit.name_ky}
            )
            changes.oblasts.added += 1
            changes.note(Change(ChangeAction.ADDED, Unit.OBLAST, unit.name_ru, unit.soate))
            continue
        name_ky = stored.name_ky if unit.name_ky is None else unit.name_ky
        fields = _diff(("name_ru", stored.name_ru, unit.name_ru), ("name_ky", stored.name_ky, name_ky))
        if not fields:
            changes.oblasts.unchanged += 1
            continue
        plan.oblast_updates.append({"id": stored.id, "name_ru": unit.name_ru, "name_ky": name_ky})
        changes.oblasts.updated += 1
        changes.note(Change(ChangeAction.UPDATED, Unit.OBLAST, unit.name_ru, unit.soate, fields))

    for unit in districts.values():
        stored = stored_districts.get(unit.soate)
        values = {"name_ru": unit.name_ru, "name_ky": unit.name_ky, "oblast_soate": unit.oblast_soate}
        if stored is None:
            plan.district_inserts.append({"soate": unit.soate, **values})
            changes.districts.added += 1
            changes.note(Change(ChangeAction.ADDED, Unit.DISTRICT, unit.name_ru, unit.soate))
            continue
        values["name_ky"] = stored.name_ky if unit.name_ky is None else unit.name_ky
        fields = _diff(
            ("name_ru", stored.name_ru, unit.name_ru),
            ("name_ky", stored.name_ky, values["name_ky"]),
            ("oblast_soate", oblast_codes[stored.oblast_id], unit.oblast_soate),
        )
        if not fields:
            changes.districts.unchanged += 1
            continue
        plan.district_updates.append({"id": stored.id, **values})
        changes.districts.updated += 1
        changes.note(Change(ChangeAction.UPDATED, Unit.DISTRICT, unit.name_ru, unit.soate, fields))

    in_file: set[str] = set()
    for row in rows:
        in_file.add(row.soate)
        stored = stored_municipalities.get(row.soate)
        if stored is None:
            assert row.oblast is not None  # _placed gave every new municipality an oblast
            plan.municipality_inserts.append(
                {
                    "soate": row.soate,
                    "name_ru": row.name_ru,
                    "name_ky": row.name_ky,
                    "kind": row.kind,
                    "population": row.population,
                    "oblast_soate": row.oblast.soate,
                    "district_soate": row.district.soate if row.district else None,
                    "search_name": search_key(row.name_ru, row.name_ky),
                }
            )
            changes.municipalities.added += 1
            changes.note(Change(ChangeAction.ADDED, Unit.MUNICIPALITY, row.name_ru, row.soate))
            continue
        name_ky = stored.name_ky if row.name_ky is None else row.name_ky
        population = stored.population if row.population is None else row.population
        stored_oblast = oblast_codes[stored.oblast_id]
        stored_district = district_codes.get(stored.district_id)
        if row.has_placement and row.oblast is not None:
            oblast_soate = row.oblast.soate
            district_soate = row.district.soate if row.district else None
        else:
            oblast_soate, district_soate = stored_oblast, stored_district
        search_name = search_key(row.name_ru, name_ky)
        new = (row.name_ru, name_ky, row.kind, population, oblast_soate, district_soate, search_name)
        # search_name is derived: a stale one (e.g. from an older search_key) is fixed quietly.
        if new == (
            stored.name_ru,
            stored.name_ky,
            stored.kind,
            stored.population,
            stored_oblast,
            stored_district,
            stored.search_name,
        ):
            changes.municipalities.unchanged += 1
            continue
        plan.municipality_updates.append(dict(zip(_MUNICIPALITY_FIELDS, (stored.id, *new), strict=True)))
        fields = _diff(
            ("name_ru", stored.name_ru, row.name_ru),
            ("name_ky", stored.name_ky, name_ky),
            ("kind", _plain(stored.kind), _plain(row.kind)),
            ("population", stored.population, population),
            ("oblast_soate", stored_oblast, oblast_soate),
            ("district_soate", stored_district, district_soate),
        )
        changes.municipalities.updated += 1
        changes.note(Change(ChangeAction.UPDATED, Unit.MUNICIPALITY, row.name_ru, row.soate, fields))
    changes.not_in_file = len(stored_municipalities.keys() - in_file)
    return rows


async def plan_memberships(
    session: AsyncSession, rows: Sequence[RegistryRow], changes: RegistryChanges, plan: Plan
) -> None:
    """Associations by name, and each listed municipality's memberships set exactly as the file says."""
    listed = [row for row in rows if row.associations is not None]
    if not listed:
        return  # no associations column: memberships are left as they are
    # The unique index is case-sensitive, so two stored names may differ only in case.
    association_ids: dict[str, list[int]] = {}
    association_names: dict[str, str] = {}
    for id_, name in await session.execute(
        select(Association.id, Association.name_ru).order_by(Association.id)
    ):
        key = association_key(name)
        association_ids.setdefault(key, []).append(id_)
        association_names.setdefault(key, name)
    key_of = {id_: key for key, ids in association_ids.items() for id_ in ids}
    municipality_ids = dict((await session.execute(select(Municipality.soate, Municipality.id))).all())
    soate_of = {id_: soate for soate, id_ in municipality_ids.items()}
    current: dict[str, dict[str, list[int]]] = {}  # soate → association key → association ids
    for association_id, municipality_id in await session.execute(
        select(AssociationMembership.association_id, AssociationMembership.municipality_id)
    ):
        soate = soate_of[municipality_id]
        current.setdefault(soate, {}).setdefault(key_of[association_id], []).append(association_id)

    counted: set[str] = set()
    for row in listed:
        wanted = {association_key(name): name for name in row.associations or ()}
        for key, name in wanted.items():
            if key in counted:
                continue
            counted.add(key)
            if key in association_names:
                changes.associations.unchanged += 1
            else:
                association_names[key] = name
                plan.association_inserts.append(name)
                changes.associations.added += 1
                changes.note(Change(ChangeAction.ADDED, Unit.ASSOCIATION, name))
        have = current.get(row.soate, {})
        for key in wanted:
            if key in have:
                changes.memberships.unchanged += 1
                continue
            plan.membership_inserts.append((key, row.soate))
            changes.memberships.added += 1
            changes.note(
                Change(
                    ChangeAction.ADDED,
                    Unit.MEMBERSHIP,
                    row.name_ru,
                    row.soate,
                    association=association_names[key],
                )
            )
        for key, ids in have.items():
            if key in wanted:
                continue
            plan.membership_deletes.extend((id_, municipality_ids[row.soate]) for id_ in ids)
            changes.memberships.removed += 1
            changes.note(
                Change(
                    ChangeAction.REMOVED,
                    Unit.MEMBERSHIP,
                    row.name_ru,
                    row.soate,
                    association=association_names[key],
                )
            )

