"""The consultation service without Telegram: deadlines, links, audiences, reach, publishing, files."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import InvalidInput, NotAllowed, StaleAction
from bot.services import consultations as service
from models import Role, UserStatus
from models.consultations import Consultation, ConsultationStatus
from models.deliveries import Delivery
from tests.factories import SmallRegistry, add_user

BISHKEK = ZoneInfo("Asia/Bishkek")
NOW = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)  # 12:00 in Bishkek


def test_deadline_is_read_in_bishkek_time() -> None:
    assert service.parse_deadline("20.12.2026", NOW, BISHKEK) == datetime(2026, 12, 20, 12, 0, tzinfo=UTC)
    assert service.parse_deadline(" 5.1.2027  09:30 ", NOW, BISHKEK) == datetime(
        2027, 1, 5, 3, 30, tzinfo=UTC
    )


@pytest.mark.parametrize("text", ["", "tomorrow", "30.11.2026", "01.12.2026 12:30", "31.02.2027", "1.1.2029"])
def test_bad_deadlines_are_refused(text: str) -> None:
    with pytest.raises(InvalidInput):
        service.parse_deadline(text, NOW, BISHKEK)


@pytest.mark.parametrize(
    "text", ["koomtalkuu.gov.kg", "https://", "ftp://x.kg/a", "https://x .kg", "h" * 2000]
)
def test_malformed_links_are_refused(text: str) -> None:
    with pytest.raises(InvalidInput):
        service.clean_url(text)


def test_documents_are_checked_for_type_and_size() -> None:
    service.check_document("Долбоор.DOCX", 10_000)
    with pytest.raises(InvalidInput):
        service.check_document("photo.jpg", 10_000)
    with pytest.raises(InvalidInput):
        service.check_document("big.pdf", service.DOCUMENT_MAX_BYTES + 1)


async def test_reach_and_publish_write_one_delivery_per_recipient(
    session: AsyncSession, registry: SmallRegistry
) -> None:
    coordinator = await add_user(session, 1, role=Role.COORDINATOR, now=NOW)
    await add_user(session, 2, role=Role.HEAD, municipality=registry.tokmok, now=NOW)
    await add_user(session, 3, role=Role.DEPUTY, municipality=registry.tokmok, now=NOW)
    await add_user(session, 4, role=Role.HEAD, municipality=registry.talas_aimaks[0], now=NOW)
    await add_user(
        session,
        5,
        role=Role.HEAD,
        municipality=registry.ysyk_ata_aimaks[0],
        status=UserStatus.PENDING,
        now=NOW,
    )
    audience = {"kind": "oblasts", "ids": [registry.chui.id]}

    reach = await service.reach(session, audience)
    assert (reach.municipalities, reach.people, reach.without_head_count) == (12, 2, 11)

    draft = await service.create_draft(session, coordinator, NOW)
    with pytest.raises(InvalidInput):
        await service.publish(session, coordinator, draft.id, NOW)  # no title, no deadline yet
    await service.save_fields(
        session, draft, title_ru="Закон", deadline=NOW + timedelta(days=10), audience=audience
    )
    broadcast = await service.publish(session, coordinator, draft.id, NOW)
    assert broadcast.total == 2
    assert await session.scalar(select(func.count()).select_from(Delivery)) == 2
    assert draft.status is ConsultationStatus.OPEN
    with pytest.raises(StaleAction):  # publishing twice is refused, nothing is sent twice
        await service.publish(session, coordinator, draft.id, NOW)
    assert await session.scalar(select(func.count()).select_from(Delivery)) == 2


async def test_only_staff_create_consultations(session: AsyncSession, registry: SmallRegistry) -> None:
    head = await add_user(session, 2, role=Role.HEAD, municipality=registry.tokmok, now=NOW)
    with pytest.raises(NotAllowed):
        await service.create_draft(session, head, NOW)


async def test_description_file_becomes_a_draft(session: AsyncSession, registry: SmallRegistry) -> None:
    description = {
        "title_ru": "Проект закона о местных налогах",
        "summary_ru": "Меняет ставки.\nВторой абзац.",
        "source_url": "https://koomtalkuu.gov.kg/ru/view-npa/999",
        "topics": ["local_budget"],
        "audience": {"kind": "districts", "codes": [registry.ysyk_ata.soate]},
        "deadline": "2026-12-20 14:00",
    }
    draft = await service.create_from_description(session, description, NOW, BISHKEK)
    assert draft.status is ConsultationStatus.DRAFT
    assert draft.audience == {"kind": "districts", "ids": [registry.ysyk_ata.id]}
    assert draft.deadline == datetime(2026, 12, 20, 8, 0, tzinfo=UTC)
    assert draft.summary_ru == "Меняет ставки.\nВторой абзац."

    with pytest.raises(InvalidInput) as refusal:
        await service.create_from_description(
            session,
            {
                "title_ru": "x",
                "deadline": "2020-01-01",
                "colour": "red",
                "audience": {"kind": "oblasts", "codes": ["1"]},
            },
            NOW,
            BISHKEK,
        )
    for field in ("colour", "title_ru", "deadline", "audience"):
        assert field in str(refusal.value)


async def test_problems_of_a_described_draft_are_listed_by_field_in_the_readers_language(
    session: AsyncSession, registry: SmallRegistry
) -> None:
    from bot.errors import InvalidFields
    from bot.i18n import error_text, use_locale
    from tests.texts import tr

    with pytest.raises(InvalidFields) as refusal:
        await service.create_from_description(
            session, {"title_ru": "x", "deadline": "2020-01-01", "colour": "red"}, NOW, BISHKEK
        )
    for locale in ("ru", "ky"):
        with use_locale(locale):
            lines = error_text(refusal.value).split("\n")
        assert lines == [
            tr("Unknown fields: {names}", locale, names="colour"),
            "title_ru: " + tr("That is too short: at least {limit} characters.", locale, limit=3),
            "deadline: " + tr("The deadline has to be in the future, at least an hour from now.", locale),
            tr("The consultation needs a title in at least one language.", locale),
        ]
    assert await session.scalar(select(func.count()).select_from(Consultation)) == 0
