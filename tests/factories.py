"""Small, known data for scenario tests: a registry of two oblasts, and people in it."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.services import consultations
from models import Consultation, District, Municipality, MunicipalityKind, Oblast, Role, User, UserStatus
from models.registry import search_key

# How many days from the machine's date the test clock starts. Far ahead by default, so the wall
# clock never overtakes it; run the suite with e.g. -365 too: any time that slips past the Clock is
# then a year off and shows.
CLOCK_SHIFT_DAYS = int(os.environ.get("PIKIR_TEST_CLOCK_SHIFT_DAYS", "365"))


def clock_start(shift_days: int = CLOCK_SHIFT_DAYS) -> datetime:
    """12:00 in Bishkek (06:00 UTC) on the first Wednesday ``shift_days`` or more from today: a known
    hour and weekday, on no fixed date. The weekday is fixed because a running bot writes the weekly
    digest (Monday 09:00, caught up for a day) when it starts: a suite run on a Monday or a Tuesday
    morning must not find one in a test about something else."""
    day = Clock().now().date() + timedelta(days=shift_days)
    day += timedelta(days=(2 - day.weekday()) % 7)
    return datetime.combine(day, time(6, 0), UTC)


@dataclass
class SmallRegistry:
    chui: Oblast
    talas: Oblast
    ysyk_ata: District  # 11 ayil aimaks: more than one page of the picker
    talas_district: District
    tokmok: Municipality  # a city of oblast rank: no district
    ysyk_ata_aimaks: list[Municipality]
    talas_aimaks: list[Municipality]


def _municipality(
    soate: str,
    name_ru: str,
    name_ky: str | None,
    oblast: Oblast,
    district: District | None,
    kind: MunicipalityKind = MunicipalityKind.AYIL_AIMAK,
    population: int | None = None,
) -> Municipality:
    return Municipality(
        soate=soate,
        name_ru=name_ru,
        name_ky=name_ky,
        kind=kind,
        oblast=oblast,
        district=district,
        population=population,
        search_name=search_key(name_ru, name_ky),
    )


async def seed_registry(session: AsyncSession) -> SmallRegistry:
    chui = Oblast(soate="41708000000000", name_ru="Чуйская область", name_ky="Чүй облусу")
    talas = Oblast(soate="41707000000000", name_ru="Таласская область", name_ky="Талас облусу")
    ysyk_ata = District(
        soate="41708217000000", name_ru="Ысык-Атинский район", name_ky="Ысык-Ата району", oblast=chui
    )
    talas_district = District(
        soate="41707215000000", name_ru="Таласский район", name_ky="Талас району", oblast=talas
    )
    names = [
        "Ак-Сай",
        "Ашар",
        "Байтик",
        "Жениш",
        "Ивановка",
        "Кара-Сакал",
        "Кочкорбаев",
        "Милянфан",
        "Норуз",
        "Нурманбет",
        "Юрьевка",
    ]
    ysyk_ata_aimaks = [
        _municipality(
            f"417082178{i:02d}000",
            f"{name} айылный аймак",
            f"{name} айыл аймагы",
            chui,
            ysyk_ata,
            population=5_000 + 1_000 * i,
        )
        for i, name in enumerate(names)
    ]
    talas_aimaks = [
        _municipality(
            f"417072158{i:02d}000", f"{name} айылный аймак", f"{name} айыл аймагы", talas, talas_district
        )
        for i, name in enumerate(["Арал", "Кара-Ой", "Кок-Ой"])
    ]
    tokmok = _municipality(
        "41708400000010", "г. Токмок", "Токмок шаары", chui, None, MunicipalityKind.CITY, 53_000
    )
    session.add_all([chui, talas, ysyk_ata, talas_district, tokmok, *ysyk_ata_aimaks, *talas_aimaks])
    await session.commit()
    return SmallRegistry(chui, talas, ysyk_ata, talas_district, tokmok, ysyk_ata_aimaks, talas_aimaks)


async def add_user(
    session: AsyncSession,
    telegram_id: int,
    *,
    role: Role,
    municipality: Municipality | None = None,
    language: str = "ky",
    status: UserStatus = UserStatus.ACTIVE,
    full_name: str = "Асанов Бакыт",
    now: datetime | None = None,
) -> User:
    """A user row; created when the test clock starts unless ``now`` says otherwise."""
    user = User(
        created_at=now or clock_start(),
        telegram_id=telegram_id,
        role=role,
        status=status,
        municipality_id=municipality.id if municipality else None,
        language=language,
        full_name=full_name,
        position="Башчы",
    )
    session.add(user)
    await session.commit()
    return user


EXTRA_QUESTIONS = [
    {"id": 1, "text": "Нужен ли переходный период?", "type": "single", "options": ["Да", "Нет"]},
    {"id": 2, "text": "Насколько это срочно?", "type": "scale", "options": []},
]


async def open_consultation(
    session: AsyncSession, registry: SmallRegistry, deadline: datetime
) -> Consultation:
    """A consultation put before Chui oblast, published the way a coordinator does."""
    published = deadline - timedelta(days=10)
    coordinator = await add_user(
        session, 900, role=Role.COORDINATOR, language="ru", full_name="Координатор", now=published
    )
    draft = await consultations.create_draft(session, coordinator, published)
    await consultations.save_fields(
        session,
        draft,
        title_ky="Жайыттар жөнүндө мыйзам долбоору",
        title_ru="Законопроект о пастбищах",
        summary_ru="Кратко о главном.",
        deadline=deadline,
        audience={"kind": "oblasts", "ids": [registry.chui.id]},
        extra_questions=EXTRA_QUESTIONS,
    )
    await consultations.publish(session, coordinator, draft.id, published)
    return draft
