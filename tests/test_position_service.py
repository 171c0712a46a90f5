"""The position service without Telegram: every number checked by hand, and the lifecycle's refusals."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.errors import InvalidInput, NotAllowed, StaleAction
from bot.i18n import format_number, use_locale
from bot.presentation.drafting import draft_text
from bot.presentation.formats import group_name, submitted_line
from bot.services import consultations
from bot.services import positions as service
from bot.validation import parse_day
from models import (
    ActFate,
    Amendment,
    Answer,
    BudgetImpact,
    Consultation,
    ConsultationStatus,
    Municipality,
    MunicipalityKind,
    NoAgreementRoute,
    Position,
    ProposalDecision,
    Role,
    Stance,
    User,
    UserStatus,
)
from models.answers import article_key
from models.deliveries import Broadcast, Delivery
from models.registry import search_key
from tests.factories import SmallRegistry, add_user
from tests.texts import tr, trn, trp

NOW = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)  # 12:00 in Bishkek
BISHKEK = ZoneInfo("Asia/Bishkek")
COORDINATOR_ID = 900


# ---- building blocks -----------------------------------------------------------------------------


async def publish_to_all(
    session: AsyncSession, author: User, deadline: datetime, *, title_ru: str = "Законопроект о пастбищах"
) -> Consultation:
    """A consultation put before every municipality of the registry, published as a coordinator does."""
    draft = await consultations.create_draft(session, author, deadline - timedelta(days=10))
    await consultations.save_fields(
        session,
        draft,
        title_ky="Жайыттар жөнүндө мыйзам долбоору",
        title_ru=title_ru,
        deadline=deadline,
        audience={"kind": "all"},
    )
    await consultations.publish(session, author, draft.id, deadline - timedelta(days=10))
    return draft


async def answer(
    session: AsyncSession,
    consultation: Consultation,
    municipality: Municipality,
    stance: Stance,
    *,
    cost: int | None = None,
    unfunded: bool | None = None,
    articles: Sequence[tuple[str, str]] = (),
    version: int = 1,
    current: bool = True,
) -> Answer:
    """One answer row written directly, with its amendments as (article, wording) pairs."""
    row = Answer(
        consultation_id=consultation.id,
        municipality_id=municipality.id,
        version=version,
        is_current=current,
        submitted_at=NOW - timedelta(days=1),
        stance=stance,
        budget_impact=BudgetImpact.EXTRA_COSTS if cost else BudgetImpact.NONE,
        annual_cost=cost,
        unfunded_mandate=unfunded,
        services=[],
        attachments=[],
        extra_answers={},
        amendments=[
            Amendment(
                position=i,
                article=article,
                article_key=article_key(article),
                wording=wording,
                justification=f"Обоснование: {wording}",
            )
            for i, (article, wording) in enumerate(articles)
        ],
    )
    session.add(row)
    await session.commit()
    return row


async def coordinator(session: AsyncSession) -> User:
    return await add_user(
        session, COORDINATOR_ID, role=Role.COORDINATOR, language="ru", full_name="Координатор", now=NOW
    )


async def main_scenario(session: AsyncSession, registry: SmallRegistry) -> Consultation:
    """15 targeted (12 in Chui: 11 aimaks of 5000..15000 people and Tokmok of 53000; 3 in Talas without
    population); 6 answer:

    | municipality | population | stance | cost      | unfunded | amendments                         |
    | Ак-Сай       | 5000       | support| —         | no       | ст. 5   (v1, superseded: oppose,  |
    |              |            |        |           |          |  9 000 000, yes, ст. 5 and ст. 99) |
    | Ашар         | 6000       | amend  | 300 000   | yes      | Статья 5; Статья 12, часть 2       |
    | Байтик       | 7000       | oppose | 200 000   | yes      | 5-берене; Статья 5                 |
    | Жениш        | 8000       | amend  | 120 000   | —        | 12-берененин 2-бөлүгү              |
    | Токмок       | 53000      | support| 1 000 000 | no       | ст.5                               |
    | Арал (Talas) | —          | none   | 50 000    | yes      | пункт 3 статьи 7                   |
    """
    author = await coordinator(session)
    consultation = await publish_to_all(session, author, NOW - timedelta(hours=1))
    ak_sai, ashar, baitik, zhenish = registry.ysyk_ata_aimaks[:4]
    await answer(
        session,
        consultation,
        ak_sai,
        Stance.OPPOSE,
        cost=9_000_000,
        unfunded=True,
        articles=[("ст. 5", "Старая редакция."), ("ст. 99", "Отозванное предложение.")],
        version=1,
        current=False,
    )
    await answer(
        session,
        consultation,
        ak_sai,
        Stance.SUPPORT,
        unfunded=False,
        articles=[("ст. 5", "Срок — 30 дней.")],
        version=2,
    )
    await answer(
        session,
        consultation,
        ashar,
        Stance.SUPPORT_WITH_AMENDMENTS,
        cost=300_000,
        unfunded=True,
        articles=[("Статья 5", "Срок — 60 дней."), ("Статья 12, часть 2", "С согласия кенеша.")],
    )
    await answer(
        session,
        consultation,
        baitik,
        Stance.OPPOSE,
        cost=200_000,
        unfunded=True,
        articles=[("5-берене", "Мөөнөтү 90 күн."), ("Статья 5", "Исключить штрафы.")],
    )
    await answer(
        session,
        consultation,
        zhenish,
        Stance.SUPPORT_WITH_AMENDMENTS,
        cost=120_000,
        articles=[("12-берененин 2-бөлүгү", "Кеңештин макулдугу менен.")],
    )
    await answer(
        session,
        consultation,
        registry.tokmok,
        Stance.SUPPORT,
        cost=1_000_000,
        unfunded=False,
        articles=[("ст.5", "Срок — 45 дней.")],
    )
    await answer(
        session,
        consultation,
        registry.talas_aimaks[0],
        Stance.NO_OPINION,
        cost=50_000,
        unfunded=True,
        articles=[("пункт 3 статьи 7", "Учесть пастбищные комитеты.")],
    )
    return consultation


# ---- the numbers ---------------------------------------------------------------------------------


async def test_counts_shares_population_and_quorum(session: AsyncSession, registry: SmallRegistry) -> None:
    consultation = await main_scenario(session, registry)
    s = await service.summarise(session, consultation.id, "ru", 0.5)

    assert s.targeted == 11 + 1 + 3  # Ysyk-Ata's aimaks, Tokmok, Talas's aimaks
    assert s.answered == 6  # Ак-Сай counted once: its superseded version is not
    assert s.rate == pytest.approx(6 / 15)

    assert [x.stance for x in s.stances] == list(Stance)
    assert s.share(Stance.SUPPORT).count == 2  # Ак-Сай (current version), Токмок
    assert s.share(Stance.SUPPORT_WITH_AMENDMENTS).count == 2  # Ашар, Жениш
    assert s.share(Stance.OPPOSE).count == 1  # Байтик; Ак-Сай's superseded «oppose» is not counted
    assert s.share(Stance.NO_OPINION).count == 1  # Арал
    assert s.share(Stance.SUPPORT).share == pytest.approx(2 / 6)
    assert s.share(Stance.SUPPORT_WITH_AMENDMENTS).share == pytest.approx(2 / 6)
    assert s.share(Stance.OPPOSE).share == pytest.approx(1 / 6)
    assert s.share(Stance.NO_OPINION).share == pytest.approx(1 / 6)

    # Weighted by population: only the five with a known population (Арал in Talas has none).
    assert s.population_known == 5
    answering_people = 5000 + 6000 + 7000 + 8000 + 53000
    assert s.share(Stance.SUPPORT).population == 5000 + 53000
    assert s.share(Stance.SUPPORT).population_share == pytest.approx((5000 + 53000) / answering_people)
    assert s.share(Stance.SUPPORT_WITH_AMENDMENTS).population == 6000 + 8000
    assert s.share(Stance.SUPPORT_WITH_AMENDMENTS).population_share == pytest.approx(
        (6000 + 8000) / answering_people
    )
    assert s.share(Stance.OPPOSE).population == 7000
    assert s.share(Stance.OPPOSE).population_share == pytest.approx(7000 / answering_people)
    assert s.share(Stance.NO_OPINION).population == 0  # Арал's population is unknown
    assert s.share(Stance.NO_OPINION).population_share == 0.0

    # Quorum: 6 of 15 = 40%.
    assert s.quorum == 0.5
    assert not s.quorum_met  # 0.4 < 0.5
    assert (await service.summarise(session, consultation.id, "ru", 0.3)).quorum_met  # 0.4 >= 0.3
    assert (await service.summarise(session, consultation.id, "ru", 0.4)).quorum_met  # exactly equal: met


async def test_groups_by_oblast_and_kind(session: AsyncSession, registry: SmallRegistry) -> None:
    consultation = await main_scenario(session, registry)
    s = await service.summarise(session, consultation.id, "ru", 0.5)

    # Oblasts in СОАТЕ order: Talas (41707...) before Chui (41708...).
    talas, chui = s.by_oblast
    assert (talas.name, talas.targeted, talas.answered) == ("Таласская область", 3, 1)
    assert talas.stances == {
        Stance.SUPPORT: 0,
        Stance.SUPPORT_WITH_AMENDMENTS: 0,
        Stance.OPPOSE: 0,
        Stance.NO_OPINION: 1,  # Арал
    }
    assert (chui.name, chui.targeted, chui.answered) == ("Чуйская область", 11 + 1, 5)
    assert chui.stances == {
        Stance.SUPPORT: 2,  # Ак-Сай, Токмок
        Stance.SUPPORT_WITH_AMENDMENTS: 2,  # Ашар, Жениш
        Stance.OPPOSE: 1,  # Байтик
        Stance.NO_OPINION: 0,
    }
    assert talas.rate == pytest.approx(1 / 3)
    assert chui.rate == pytest.approx(5 / 12)

    # Kinds in the enum's order; towns are not targeted at all, so they have no row.
    aimaks, cities = s.by_kind
    assert (aimaks.kind, aimaks.targeted, aimaks.answered) == (MunicipalityKind.AYIL_AIMAK, 11 + 3, 4 + 1)
    assert aimaks.stances == {
        Stance.SUPPORT: 1,  # Ак-Сай
        Stance.SUPPORT_WITH_AMENDMENTS: 2,  # Ашар, Жениш
        Stance.OPPOSE: 1,  # Байтик
        Stance.NO_OPINION: 1,  # Арал
    }
    assert (cities.kind, cities.targeted, cities.answered) == (MunicipalityKind.CITY, 1, 1)
    assert cities.stances[Stance.SUPPORT] == 1  # Токмок
    assert sum(cities.stances.values()) == 1

    # Every group's rate is above 6/15 × 0.5 = 0.2: no warning.
    assert all(g.rate >= s.rate * service.UNDERREPRESENTED_RATIO for g in s.by_oblast + s.by_kind)
    assert s.warnings == []

    # In Kyrgyz the same rows carry the Kyrgyz names.
    ky = await service.summarise(session, consultation.id, "ky", 0.5)
    assert [g.name for g in ky.by_oblast] == ["Талас облусу", "Чүй облусу"]
    with use_locale("ky"):
        assert [group_name(g) for g in ky.by_kind] == [
            trp("group of municipalities", "ayil aimak", "ky"),
            trp("group of municipalities", "city", "ky"),
        ]


async def test_costs_and_unfunded_mandates(session: AsyncSession, registry: SmallRegistry) -> None:
    consultation = await main_scenario(session, registry)
    s = await service.summarise(session, consultation.id, "ru", 0.5)
    # Ак-Сай reports no cost now; its superseded 9 000 000 is not counted.
    assert s.costs_reported == 5
    assert s.total_cost == 300_000 + 200_000 + 120_000 + 1_000_000 + 50_000
    # Sorted: 50 000, 120 000, [200 000], 300 000, 1 000 000: an odd number, the middle one.
    assert s.median_cost == 200_000
    assert s.unfunded_mandates == 3  # Ашар, Байтик, Арал; Ак-Сай's superseded «yes» is not counted


async def test_amendments_grouped_by_article(session: AsyncSession, registry: SmallRegistry) -> None:
    consultation = await main_scenario(session, registry)
    s = await service.summarise(session, consultation.id, "ru", 0.5)

    # The most municipalities first: article 5 (4), article 12 part 2 (2), article 7 point 3 (1);
    # Ак-Сай's superseded «ст. 99» is not among them.
    assert [g.key for g in s.proposals] == ["art5", "art12 part2", "art7 point3"]
    assert [g.count for g in s.proposals] == [4, 2, 1]
    art5, art12, art7 = s.proposals
    assert art5.article in {"ст. 5", "Статья 5", "5-берене", "ст.5"}  # one of its spellings
    assert art5.municipalities == sorted(
        ["Ак-Сай айылный аймак", "Ашар айылный аймак", "Байтик айылный аймак", "г. Токмок"]
    )
    # Every current wording, Байтик's two spellings of article 5 included; the superseded one not.
    assert [(p.municipality, p.wording) for p in art5.proposals] == [
        ("Ак-Сай айылный аймак", "Срок — 30 дней."),
        ("Ашар айылный аймак", "Срок — 60 дней."),
        ("Байтик айылный аймак", "Мөөнөтү 90 күн."),
        ("Байтик айылный аймак", "Исключить штрафы."),
        ("г. Токмок", "Срок — 45 дней."),
    ]
    assert art5.proposals[0].justification == "Обоснование: Срок — 30 дней."
    assert art12.article in {"Статья 12, часть 2", "12-берененин 2-бөлүгү"}
    assert art12.municipalities == ["Ашар айылный аймак", "Жениш айылный аймак"]
    assert art7.article == "пункт 3 статьи 7"
    assert art7.municipalities == ["Арал айылный аймак"]

    # In Kyrgyz, the municipalities by their Kyrgyz names.
    ky = await service.proposal_groups(session, consultation.id, "ky")
    assert ky[0].municipalities == sorted(
        ["Ак-Сай айыл аймагы", "Ашар айыл аймагы", "Байтик айыл аймагы", "Токмок шаары"]
    )


@pytest.mark.parametrize(
    "spellings",
    [
        ["ст. 5", "Статья 5", "5-берене", "5-беренеси", "ст.5", "статья 5 закона", "Мыйзамдын 5-беренеси"],
        ["ст. 5, ч. 2", "Статья 5, часть 2", "ч. 2 ст. 5", "5-берененин 2-бөлүгү"],
        ["пп. 3 п. 2 ст. 7", "подпункт 3 пункта 2 статьи 7", "7-берененин 2-пунктунун 3-пунктчасы"],
    ],
)
def test_spellings_of_one_article_have_one_key(spellings: list[str]) -> None:
    assert len({article_key(s) for s in spellings}) == 1


def test_different_clauses_have_different_keys() -> None:
    keys = ["ст. 5", "ст. 5 ч. 2", "ст. 7 п. 3", "ст. 7 п. 2 пп. 3", "ст. 7 п. 3 пп. 2", "ст. 12"]
    assert len({article_key(k) for k in keys}) == len(keys)


async def test_same_name_in_two_districts_counts_twice(
    session: AsyncSession, registry: SmallRegistry
) -> None:
    """Names repeat in the real registry (e.g. «Октябрьский айылный аймак»): a group counts municipalities."""
    namesake = Municipality(
        soate="41707215899000",
        name_ru="Ак-Сай айылный аймак",
        name_ky="Ак-Сай айыл аймагы",
        kind=MunicipalityKind.AYIL_AIMAK,
        oblast=registry.talas,
        district=registry.talas_district,
        search_name=search_key("Ак-Сай айылный аймак"),
    )
    session.add(namesake)
    await session.commit()
    consultation = await publish_to_all(session, await coordinator(session), NOW - timedelta(hours=1))
    for municipality in (registry.ysyk_ata_aimaks[0], namesake):
        await answer(session, consultation, municipality, Stance.SUPPORT, articles=[("ст. 5", "Да.")])
    (group,) = await service.proposal_groups(session, consultation.id, "ru")
    assert group.count == 2
    # Two, each told apart by its district (issue 11).
    assert group.municipalities == [
        "Ак-Сай айылный аймак (Таласский район)",
        "Ак-Сай айылный аймак (Ысык-Атинский район)",
    ]


async def test_representativeness_warning_and_even_median(
    session: AsyncSession, registry: SmallRegistry
) -> None:
    """10 of 15 answer (rate 2/3, so the warning line is 2/3 × 0.5 = 1/3): Talas 1 of 3 sits exactly on
    the line and is not flagged; Tokmok, the only city, is silent (0 < 1/3) and is flagged."""
    consultation = await publish_to_all(session, await coordinator(session), NOW - timedelta(hours=1))
    costs = [100_000, 200_000, None, 301_000, None, None, 900_000, None, None]
    for municipality, cost in zip(registry.ysyk_ata_aimaks[:9], costs, strict=True):
        await answer(session, consultation, municipality, Stance.SUPPORT, cost=cost)
    await answer(session, consultation, registry.talas_aimaks[0], Stance.OPPOSE)
    s = await service.summarise(session, consultation.id, "ru", 0.5)

    assert (s.targeted, s.answered) == (15, 9 + 1)
    assert s.rate * service.UNDERREPRESENTED_RATIO == pytest.approx(1 / 3)
    talas, chui = s.by_oblast
    assert (talas.targeted, talas.answered, talas.underrepresented) == (3, 1, False)  # 1/3: on the line
    assert (chui.targeted, chui.answered, chui.underrepresented) == (12, 9, False)  # 3/4
    aimaks, cities = s.by_kind
    assert (aimaks.targeted, aimaks.answered, aimaks.underrepresented) == (14, 10, False)  # 10/14
    assert (cities.targeted, cities.answered, cities.underrepresented) == (1, 0, True)  # 0 < 1/3
    assert cities.stances == dict.fromkeys(Stance, 0)
    assert s.warnings == [cities]

    # Four costs: 100 000, [200 000, 301 000], 900 000: the mean of the two middle ones.
    assert s.costs_reported == 4
    assert s.median_cost == pytest.approx((200_000 + 301_000) / 2)
    assert s.total_cost == 100_000 + 200_000 + 301_000 + 900_000
    assert s.unfunded_mandates == 0

    text = draft_text(s, consultation, "ru")
    warning = tr("Few answers came from: {groups}; the position may not reflect them.", "ru")
    assert warning.format(groups=f"{trp('group of municipalities', 'city', 'ru')} (0%)") in text
    assert tr("Position of the association: to support the draft.", "ru") in text
    assert s.verdict is service.Verdict.SUPPORT


async def test_flagged_oblast(session: AsyncSession, registry: SmallRegistry) -> None:
    """Chui answers 8 of 12 and Talas none: 8/15 overall, line 4/15; Talas (0) is flagged, Chui not."""
    consultation = await publish_to_all(session, await coordinator(session), NOW - timedelta(hours=1))
    for municipality in registry.ysyk_ata_aimaks[:8]:
        await answer(session, consultation, municipality, Stance.OPPOSE)
    s = await service.summarise(session, consultation.id, "ru", 0.5)
    assert [(g.name, g.underrepresented) for g in s.by_oblast] == [
        ("Таласская область", True),  # 0/3 < 8/15 × 0.5
        ("Чуйская область", False),  # 8/12 ≥ 8/15 × 0.5
    ]
    with use_locale("ru"):
        assert [group_name(g) for g in s.warnings] == [
            "Таласская область",
            trp("group of municipalities", "city", "ru"),
        ]  # Tokmok too
    assert s.quorum_met  # 8/15 ≥ 0.5
    assert s.verdict is service.Verdict.OPPOSE  # 8 oppose, none support
    assert s.median_cost is None and s.costs_reported == 0 and s.total_cost == 0


async def test_no_population_known_and_no_answers(session: AsyncSession, registry: SmallRegistry) -> None:
    consultation = await publish_to_all(session, await coordinator(session), NOW - timedelta(hours=1))
    empty = await service.summarise(session, consultation.id, "ru", 0.5)
    assert (empty.targeted, empty.answered, empty.rate, empty.quorum_met) == (15, 0, 0.0, False)
    assert all(x.count == 0 and x.share == 0.0 for x in empty.stances)
    assert empty.warnings == []  # nobody answered: nothing to compare against
    assert tr("No municipality answered, so the association has no position on the draft.", "ru") in (
        draft_text(empty, consultation, "ru")
    )
    assert empty.verdict is service.Verdict.NO_ANSWERS

    await answer(session, consultation, registry.talas_aimaks[1], Stance.OPPOSE)
    s = await service.summarise(session, consultation.id, "ru", 0.5)
    assert s.population_known == 0  # Talas has no population figures
    assert all(x.population == 0 and x.population_share is None for x in s.stances)
    assert tr("Weighted by population: {shares}.", "ru").split("{")[0] not in draft_text(
        s, consultation, "ru"
    )


@pytest.mark.parametrize("locale", ["ky", "ru"])
async def test_draft_text_carries_the_numbers(
    session: AsyncSession, registry: SmallRegistry, locale: str
) -> None:
    consultation = await main_scenario(session, registry)
    s = await service.summarise(session, consultation.id, locale, 0.5)
    text = draft_text(s, consultation, locale)

    def number(value: float) -> str:
        return format_number(value, locale)

    assert consultation.title(locale)[0] in text
    assert (
        trn(
            "{answered} of {targeted} municipality answered ({rate}%).",
            "{answered} of {targeted} municipalities answered ({rate}%).",
            15,
            locale,
            answered=number(6),
            targeted=number(15),
            rate=number(40),  # 6 / 15
        )
        in text
    )
    # Stances: 2 (33,3%), 2 (33,3%), 1 (16,7%), 1 (16,7%).
    assert f"{tr('Support', locale)}: {number(2)} ({number(33.3)}%)" in text
    assert f"{tr('Oppose', locale)}: {number(1)} ({number(16.7)}%)" in text
    # By population: 58 000 / 79 000 = 73,4%; 14 000 / 79 000 = 17,7%; 7 000 / 79 000 = 8,9%.
    assert f"{tr('Support', locale)} {number(round(100 * 58_000 / 79_000, 1))}%" in text
    assert number(73.4) in text and number(17.7) in text and number(8.9) in text
    assert (
        tr(
            "The municipalities estimate the extra cost at {total} som a year in all (median {median} som).",
            locale,
            total=number(1_670_000),  # e.g. «1 670 000» with no-break spaces
            median=number(200_000),
        )
        in text
    )
    assert tr("{count} municipalities report a new duty without funding.", locale, count=number(3)) in text
    # Each group headed in the text's language, whatever the municipalities typed («ст. 5», «5-берене»).
    headings = {"ky": ("5-берене", "7-берене, 3-пункт"), "ru": ("Статья 5", "Статья 7, пункт 3")}
    article_5, article_7 = headings[locale]
    assert f"{article_5} (4)" in text and f"{article_7} (1)" in text
    assert (
        tr("The quorum of {quorum}% was not reached: the position is preliminary.", locale, quorum=number(50))
        in text
    )
    # 2 + 2 of 6 support: more than half, with amendments at least as many as plain support.
    assert (
        tr("Position of the association: to support the draft, provided the amendments are made.", locale)
        in text
    )
    assert s.verdict is service.Verdict.SUPPORT_IF_AMENDED  # the service says it as data, not as words
    assert "1\xa0670\xa0000" in text  # Babel's grouping in both languages


# ---- the lifecycle -------------------------------------------------------------------------------


async def closed_scenario(session: AsyncSession, registry: SmallRegistry) -> tuple[Consultation, User]:
    consultation = await main_scenario(session, registry)
    await service.close(session, consultation.id, NOW, 0.5, drafter=draft_text)
    author = await session.scalar(select(User).where(User.telegram_id == COORDINATOR_ID))
    assert author is not None
    return consultation, author


async def test_close_drafts_both_texts_and_tells_the_author(
    session: AsyncSession, registry: SmallRegistry
) -> None:
    consultation = await main_scenario(session, registry)
    other_staff = await add_user(session, 901, role=Role.ADMIN, now=NOW)
    position = await service.close(session, consultation.id, NOW, 0.5, drafter=draft_text)

    await session.refresh(consultation)
    assert consultation.status is ConsultationStatus.CLOSED
    assert consultation.closed_at == NOW
    for locale in ("ky", "ru"):
        expected = draft_text(
            await service.summarise(session, consultation.id, locale, 0.5), consultation, locale
        )
        assert (position.text_ky if locale == "ky" else position.text_ru) == expected
    assert position.text_ky != position.text_ru
    assert position.drafted_at == NOW

    broadcasts = list(await session.scalars(select(Broadcast).where(Broadcast.subject_id == consultation.id)))
    draft_broadcast = next(b for b in broadcasts if b.kind == service.POSITION_DRAFT_KIND)
    deliveries = list(
        await session.scalars(select(Delivery).where(Delivery.broadcast_id == draft_broadcast.id))
    )
    assert draft_broadcast.total == 1
    assert [(d.user_id, d.chat_id, d.kind) for d in deliveries] == [
        (consultation.created_by_id, COORDINATOR_ID, service.POSITION_DRAFT_KIND)
    ]
    assert other_staff.id not in {d.user_id for d in deliveries}

    with pytest.raises(StaleAction):
        await service.close(session, consultation.id, NOW, 0.5, drafter=draft_text)
    assert await session.scalar(select(func.count()).select_from(Position)) == 1


async def test_close_refuses_a_head(session: AsyncSession, registry: SmallRegistry) -> None:
    consultation = await main_scenario(session, registry)
    head = await add_user(session, 11, role=Role.HEAD, municipality=registry.tokmok, now=NOW)
    with pytest.raises(NotAllowed):
        await service.close(session, consultation.id, NOW, 0.5, drafter=draft_text, actor=head)
    await session.refresh(consultation)
    assert consultation.status is ConsultationStatus.OPEN


async def test_close_due_closes_only_the_overdue_once(
    session: AsyncSession, session_factory: async_sessionmaker[AsyncSession], registry: SmallRegistry
) -> None:
    author = await coordinator(session)
    overdue = await publish_to_all(session, author, NOW - timedelta(minutes=1), title_ru="Просрочен")
    running = await publish_to_all(session, author, NOW + timedelta(days=2), title_ru="Идёт")
    overdue_id, running_id = overdue.id, running.id
    assert await service.close_due(session_factory, NOW, 0.5, draft_text) == [overdue_id]
    assert await service.close_due(session_factory, NOW, 0.5, draft_text) == []  # nothing left to close
    session.expire_all()
    statuses = dict((await session.execute(select(Consultation.id, Consultation.status))).all())
    assert statuses == {overdue_id: ConsultationStatus.CLOSED, running_id: ConsultationStatus.OPEN}
    assert list(await session.scalars(select(Position.consultation_id))) == [overdue_id]
    later = NOW + timedelta(days=3)
    assert await service.close_due(session_factory, later, 0.5, draft_text) == [running_id]


async def test_edit_text_only_while_closed(session: AsyncSession, registry: SmallRegistry) -> None:
    consultation, author = await closed_scenario(session, registry)
    head = await add_user(session, 11, role=Role.HEAD, municipality=registry.tokmok, now=NOW)

    position = await service.edit_text(session, author, consultation.id, "ru", "  Ассоциация поддерживает.  ")
    assert position.text_ru == "Ассоциация поддерживает."
    for bad in ("", "   ", "я" * (service.POSITION_TEXT_MAX + 1)):
        with pytest.raises(InvalidInput):
            await service.edit_text(session, author, consultation.id, "ru", bad)
    with pytest.raises(NotAllowed):
        await service.edit_text(session, head, consultation.id, "ru", "Подделка.")
    cid = consultation.id
    session.expire(position)  # read back from the database
    _consultation, stored = await service.get_position(session, cid)
    assert stored.text_ru == "Ассоциация поддерживает."  # the refusals kept the previous text

    with pytest.raises(NotAllowed):
        await service.adopt(session, head, cid, NOW)
    # Only the Russian text was rewritten: the Kyrgyz one is still the bot's draft, so not without a yes.
    assert service.still_drafted(stored) == "ky"
    with pytest.raises(InvalidInput):
        await service.adopt(session, author, cid, NOW)
    await service.adopt(session, author, cid, NOW, confirmed=True)
    with pytest.raises(StaleAction):
        await service.edit_text(session, author, cid, "ky", "Кеч.")


async def test_edit_text_needs_a_position(session: AsyncSession, registry: SmallRegistry) -> None:
    consultation = await main_scenario(session, registry)
    author = await session.scalar(select(User).where(User.telegram_id == COORDINATOR_ID))
    with pytest.raises(StaleAction):
        await service.edit_text(session, author, consultation.id, "ru", "Рано.")  # type: ignore[arg-type]


async def test_adopt_and_submit(session: AsyncSession, registry: SmallRegistry) -> None:
    consultation, author = await closed_scenario(session, registry)
    with pytest.raises(StaleAction):  # not adopted yet
        await service.mark_submitted(session, author, consultation.id, "Комитет", NOW, NOW)

    position = await service.adopt(session, author, consultation.id, NOW)  # 12:00 on 1 December in Bishkek
    assert consultation.status is ConsultationStatus.POSITION_ADOPTED
    assert (position.adopted_at, position.adopted_by_id) == (NOW, author.id)
    with pytest.raises(StaleAction):
        await service.adopt(session, author, consultation.id, NOW)

    # 20:00 UTC is already 2 December in Bishkek.
    evening = datetime(2026, 12, 1, 20, 0, tzinfo=UTC)
    for day in ("3.12.2026", "30.11.2026"):  # tomorrow there; before the adoption
        with pytest.raises(InvalidInput):
            await service.mark_submitted(
                session, author, consultation.id, "Комитет", parse_day(day, BISHKEK), evening
            )
    await session.refresh(consultation)
    assert consultation.status is ConsultationStatus.POSITION_ADOPTED

    # «Today» typed in Bishkek is accepted, though its noon is still ahead of UTC's evening.
    position = await service.mark_submitted(
        session,
        author,
        consultation.id,
        "  Комитет Жогорку Кенеша   по аграрной политике ",
        parse_day("2.12.2026", BISHKEK),
        evening,
    )
    assert consultation.status is ConsultationStatus.SUBMITTED
    assert position.addressee == "Комитет Жогорку Кенеша по аграрной политике"
    assert position.submitted_on is not None
    assert position.submitted_on.astimezone(BISHKEK).date() == datetime(2026, 12, 2).date()
    assert "Комитет Жогорку Кенеша" in submitted_line(position, BISHKEK, "ru")


async def test_same_day_submission_before_noon(session: AsyncSession, registry: SmallRegistry) -> None:
    """Adopted and sent on the same morning: the typed date (noon of the day) is not «in the future»."""
    consultation, author = await closed_scenario(session, registry)
    morning = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)  # 09:00 in Bishkek
    await service.adopt(session, author, consultation.id, morning)
    await service.mark_submitted(
        session, author, consultation.id, "Министерство финансов", parse_day("1.12.2026", BISHKEK), morning
    )
    assert consultation.status is ConsultationStatus.SUBMITTED


async def submitted_scenario(session: AsyncSession, registry: SmallRegistry) -> tuple[Consultation, User]:
    consultation, author = await closed_scenario(session, registry)
    await service.adopt(session, author, consultation.id, NOW)
    await service.mark_submitted(session, author, consultation.id, "Комитет", NOW, NOW)
    return consultation, author


async def test_outcome_and_own_proposals(session: AsyncSession, registry: SmallRegistry) -> None:
    ak_sai, ashar, baitik, zhenish, ivanovka = registry.ysyk_ata_aimaks[:5]
    people = {
        "ashar head": await add_user(session, 21, role=Role.HEAD, municipality=ashar, now=NOW),
        "ashar deputy": await add_user(session, 22, role=Role.DEPUTY, municipality=ashar, now=NOW),
        "tokmok head": await add_user(session, 23, role=Role.HEAD, municipality=registry.tokmok, now=NOW),
        "aral head": await add_user(
            session, 24, role=Role.HEAD, municipality=registry.talas_aimaks[0], now=NOW
        ),
        "ak-sai head": await add_user(session, 25, role=Role.HEAD, municipality=ak_sai, now=NOW),
        # Not to be told: a pending and a blocked head of answering municipalities, a head whose
        # municipality did not answer, and an observer.
        "baitik pending": await add_user(
            session, 26, role=Role.HEAD, municipality=baitik, status=UserStatus.PENDING, now=NOW
        ),
        "zhenish blocked": await add_user(
            session, 27, role=Role.HEAD, municipality=zhenish, status=UserStatus.BLOCKED, now=NOW
        ),
        "ivanovka head": await add_user(session, 28, role=Role.HEAD, municipality=ivanovka, now=NOW),
        "observer": await add_user(session, 29, role=Role.OBSERVER, municipality=ashar, now=NOW),
    }
    consultation, author = await submitted_scenario(session, registry)
    head = people["ashar head"]

    with pytest.raises(InvalidInput):  # the act's fate first
        await service.record_outcome(session, author, consultation.id, NOW)
    await service.set_outcome(session, author, consultation.id, act_fate=ActFate.ADOPTED_AMENDED)

    with pytest.raises(StaleAction):  # a forged article key
        await service.decide_group(session, author, consultation.id, "art99", ProposalDecision.ACCEPTED)
    with pytest.raises(NotAllowed):
        await service.decide_group(session, head, consultation.id, "art5", ProposalDecision.ACCEPTED)
    await service.decide_group(
        session, author, consultation.id, "art5", ProposalDecision.ACCEPTED, "Учтено в новой редакции."
    )
    await service.decide_group(
        session, author, consultation.id, "art12 part2", ProposalDecision.REJECTED, "Противоречит Кодексу."
    )
    with pytest.raises(InvalidInput):  # art7 point3 is still undecided
        await service.record_outcome(session, author, consultation.id, NOW)
    await session.refresh(consultation)
    assert consultation.status is ConsultationStatus.SUBMITTED
    await service.decide_group(
        session, author, consultation.id, "art7 point3", ProposalDecision.PARTLY_ACCEPTED
    )

    with pytest.raises(NotAllowed):
        await service.record_outcome(session, head, consultation.id, NOW)
    told = await service.record_outcome(session, author, consultation.id, NOW)
    expected = ["ashar head", "ashar deputy", "tokmok head", "aral head", "ak-sai head"]
    assert told == len(expected)
    await session.refresh(consultation)
    assert consultation.status is ConsultationStatus.OUTCOME_RECORDED
    _consultation, position = await service.get_position(session, consultation.id)
    assert position.outcome_recorded_at == NOW
    assert position.no_agreement_route is NoAgreementRoute.NONE
    broadcast = await session.scalar(select(Broadcast).where(Broadcast.kind == service.OUTCOME_KIND))
    assert broadcast is not None and broadcast.total == len(expected)
    recipients = list(
        await session.scalars(select(Delivery.user_id).where(Delivery.broadcast_id == broadcast.id))
    )
    assert sorted(recipients) == sorted(people[name].id for name in expected)

    ashar_own = await service.own_proposals(session, consultation.id, ashar.id)
    assert [(p.article, p.wording, p.decision, p.reason) for p in ashar_own] == [
        ("Статья 5", "Срок — 60 дней.", ProposalDecision.ACCEPTED, "Учтено в новой редакции."),
        ("Статья 12, часть 2", "С согласия кенеша.", ProposalDecision.REJECTED, "Противоречит Кодексу."),
    ]
    ak_sai_own = await service.own_proposals(session, consultation.id, ak_sai.id)
    assert [(p.article, p.decision) for p in ak_sai_own] == [("ст. 5", ProposalDecision.ACCEPTED)]
    assert await service.own_proposals(session, consultation.id, ivanovka.id) == []

    with pytest.raises(StaleAction):  # recorded once
        await service.record_outcome(session, author, consultation.id, NOW)


async def test_decisions_wait_for_submission(session: AsyncSession, registry: SmallRegistry) -> None:
    consultation, author = await closed_scenario(session, registry)
    with pytest.raises(StaleAction):
        await service.decide_group(session, author, consultation.id, "art5", ProposalDecision.ACCEPTED)
    with pytest.raises(StaleAction):
        await service.record_outcome(session, author, consultation.id, NOW)
