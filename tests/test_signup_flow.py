"""The sign-up flow on its own: every step, skip, back, refusal and resume, without Telegram or a database."""

from __future__ import annotations

from bot.flows import Moved, Refused
from bot.flows.signup import (
    STALE,
    ApplicantRole,
    Back,
    Language,
    PickDistrict,
    PickLanguage,
    PickMunicipality,
    PickOblast,
    PickRole,
    Search,
    SignUpDraft,
    SignUpFlow,
    Step,
    Submit,
    TurnPage,
    Typed,
)
from models import Role


def at_role_by_district() -> SignUpFlow:
    flow = SignUpFlow.begin("ky")
    assert flow.apply(Step.OBLAST, PickOblast(1)) == Moved(Step.DISTRICT)
    assert flow.apply(Step.DISTRICT, PickDistrict(10)) == Moved(Step.MUNICIPALITY)
    assert flow.apply(Step.MUNICIPALITY, TurnPage(1)) == Moved(Step.MUNICIPALITY)
    assert flow.apply(Step.MUNICIPALITY, PickMunicipality(100)) == Moved(Step.ROLE)
    return flow


def test_every_step_in_order_to_a_checked_application() -> None:
    flow = SignUpFlow()
    assert flow.apply(Step.LANGUAGE, PickLanguage(Language.RU)) == Moved(Step.OBLAST)
    assert flow.apply(Step.OBLAST, PickOblast(1)) == Moved(Step.DISTRICT)
    assert flow.apply(Step.DISTRICT, PickDistrict(10)) == Moved(Step.MUNICIPALITY)
    assert flow.apply(Step.MUNICIPALITY, PickMunicipality(100)) == Moved(Step.ROLE)
    assert flow.apply(Step.ROLE, PickRole(ApplicantRole.DEPUTY)) == Moved(Step.FULL_NAME)
    assert flow.apply(Step.FULL_NAME, Typed("  Асанов   Бакыт ")) == Moved(Step.POSITION)
    assert flow.apply(Step.POSITION, Typed("Башкы адис")) == Moved(Step.CONFIRM)
    assert flow.apply(Step.CONFIRM, Submit()) == Moved(Step.DONE)
    application = flow.application()
    assert (application.municipality_id, application.role) == (100, Role.DEPUTY)
    assert (application.full_name, application.position) == ("Асанов Бакыт", "Башкы адис")
    assert flow.draft.language is Language.RU
    # A finished draft takes nothing more: a second «Send» is refused.
    assert flow.apply(Step.DONE, Submit()) == Refused(STALE)


def test_a_city_of_oblast_rank_skips_the_district_page() -> None:
    flow = SignUpFlow.begin("ky")
    flow.apply(Step.OBLAST, PickOblast(1))
    assert flow.apply(Step.DISTRICT, PickMunicipality(7)) == Moved(Step.ROLE)
    assert flow.apply(Step.ROLE, Back()) == Moved(Step.DISTRICT)  # back to the oblast's districts and cities


def test_bishkek_is_chosen_with_its_oblast_level_unit() -> None:
    flow = SignUpFlow.begin("ru")
    assert flow.apply(Step.OBLAST, PickOblast(5, has_districts=False, sole_municipality_id=50)) == Moved(
        Step.ROLE
    )
    assert flow.draft.municipality_id == 50
    assert flow.apply(Step.ROLE, Back()) == Moved(Step.OBLAST)
    # An oblast without districts but with several cities still shows them.
    assert flow.apply(Step.OBLAST, PickOblast(6, has_districts=False)) == Moved(Step.DISTRICT)


def test_back_walks_every_step_and_keeps_the_answers() -> None:
    flow = at_role_by_district()
    flow.apply(Step.ROLE, PickRole(ApplicantRole.HEAD))
    flow.apply(Step.FULL_NAME, Typed("Асанов Бакыт"))
    flow.apply(Step.POSITION, Typed("Башчы"))
    expected = [Step.POSITION, Step.FULL_NAME, Step.ROLE, Step.MUNICIPALITY, Step.DISTRICT, Step.OBLAST]
    for step in expected:
        assert flow.apply(flow.step, Back()) == Moved(step)
    assert flow.draft.full_name == "Асанов Бакыт" and flow.draft.page == 1  # nothing typed is lost
    assert flow.apply(Step.OBLAST, Back()) == Refused(STALE)  # nothing before the oblasts


def test_search_results_replace_browsing_and_go_back_to_the_oblasts() -> None:
    flow = SignUpFlow.begin("ky")
    flow.apply(Step.OBLAST, PickOblast(1))
    assert flow.apply(Step.DISTRICT, Search("  Кара  Ой ", found=3)) == Moved(Step.MUNICIPALITY)
    assert (flow.draft.search, flow.draft.district_id) == ("Кара Ой", None)
    assert flow.apply(Step.MUNICIPALITY, PickMunicipality(9)) == Moved(Step.ROLE)
    assert flow.apply(Step.ROLE, Back()) == Moved(Step.MUNICIPALITY)
    assert flow.apply(Step.MUNICIPALITY, Back()) == Moved(Step.OBLAST)


def test_bad_search_is_refused_and_nothing_changes() -> None:
    flow = SignUpFlow.begin("ky")
    before = flow.draft.dump()
    assert flow.apply(Step.OBLAST, Search("К", found=5)) == Refused(
        "Please type from 2 to {limit} letters of the name.", {"limit": 60}
    )
    assert flow.apply(Step.OBLAST, Search("Ж" * 61, found=0)).key.startswith("Please type from 2")  # type: ignore[union-attr]
    refused = flow.apply(Step.OBLAST, Search("Атлантида", found=0))
    assert isinstance(refused, Refused) and refused.params == {"text": "Атлантида"}
    assert refused.key.startswith("Nothing found for «{text}»")
    assert flow.draft.dump() == before


def test_name_and_position_are_checked_and_cleaned() -> None:
    flow = at_role_by_district()
    flow.apply(Step.ROLE, PickRole(ApplicantRole.HEAD))
    too_long = flow.apply(Step.FULL_NAME, Typed("Б" * 500))
    assert too_long == Refused(
        "That is too long: {length} characters, at most {limit}. Please shorten it and send again.",
        {"length": 500, "limit": 120},
    )
    assert flow.apply(Step.FULL_NAME, Typed("   ")) == Refused(
        "The message is empty. Please send it as text."
    )
    assert flow.apply(Step.FULL_NAME, Typed("Агент 007")).key.startswith("Please write your full name")  # type: ignore[union-attr]
    assert flow.apply(Step.FULL_NAME, Typed(None)) == Refused("Please send this as a text message.")
    assert flow.step is Step.FULL_NAME and flow.draft.full_name is None
    # A right-to-left override and zero-width characters cannot disguise a name.
    assert flow.apply(Step.FULL_NAME, Typed("\u202eвонасА\u2066 Бакыт\u2069\u200b\ufeff")) == Moved(
        Step.POSITION
    )
    assert flow.draft.full_name == "вонасА Бакыт"
    assert flow.apply(Step.POSITION, Typed("М")) == Refused(
        "That is too short: at least {limit} characters.", {"limit": 2}
    )
    assert flow.apply(Step.POSITION, Typed("Мэр\u200f\u2060 го\u200dрода\u202a")) == Moved(Step.CONFIRM)
    assert flow.draft.position == "Мэр города"


def test_presses_for_another_step_are_refused() -> None:
    flow = at_role_by_district()
    before = flow.draft.dump()
    assert flow.apply(Step.CONFIRM, Submit()) == Refused(STALE)  # an old «Send» button
    assert flow.apply(Step.OBLAST, PickOblast(2)) == Refused(STALE)  # an old oblast list
    assert flow.apply(Step.ROLE, PickDistrict(3)) == Refused(STALE)  # the wrong kind of input
    assert flow.apply(Step.FULL_NAME, Back()) == Refused(STALE)  # «Back» under an older prompt
    assert flow.apply(Step.ROLE, Typed("глава")) == Refused("Please choose a role with the buttons.")
    assert flow.draft.dump() == before


def test_restart_keeps_only_the_language() -> None:
    flow = at_role_by_district()
    assert flow.restart() == Moved(Step.OBLAST)
    assert flow.draft == SignUpDraft(step=Step.OBLAST, language=Language.KY)


def test_a_stored_draft_resumes_where_it_stopped() -> None:
    flow = at_role_by_district()
    flow.apply(Step.ROLE, PickRole(ApplicantRole.HEAD))
    flow.apply(Step.FULL_NAME, Typed("Жумабеков Алмаз"))
    stored = flow.draft.dump()
    assert all(isinstance(value, str | int | type(None)) for value in stored.values())  # fits any storage
    resumed = SignUpFlow(SignUpDraft.load(stored))
    assert resumed.resume() == Moved(Step.POSITION)
    assert resumed.apply(Step.POSITION, Typed("Мэр")) == Moved(Step.CONFIRM)
    assert resumed.draft.full_name == "Жумабеков Алмаз"


def test_resume_falls_back_to_the_first_step_with_missing_answers() -> None:
    # A draft at the confirmation without a name (e.g. stored by an older version) asks for the name.
    draft = SignUpDraft(step=Step.CONFIRM, language=Language.RU, municipality_id=4, role=ApplicantRole.HEAD)
    assert SignUpFlow(draft).resume() == Moved(Step.FULL_NAME)
    assert SignUpFlow(SignUpDraft(step=Step.ROLE, language=Language.RU)).resume() == Moved(Step.OBLAST)
    assert SignUpFlow(
        SignUpDraft(step=Step.MUNICIPALITY, language=Language.KY, oblast_id=1)
    ).resume() == Moved(Step.DISTRICT)
    # Garbage in the storage starts afresh rather than failing.
    assert SignUpDraft.load({"step": "nowhere", "role": "admin"}) == SignUpDraft()
    assert SignUpDraft.load({"role": "admin", "step": "role"}) == SignUpDraft()
