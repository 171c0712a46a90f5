"""Sign-up by choosing the municipality: language → oblast → district → municipality → role → name →
position → confirmation, as a channel-free state machine over a typed draft.

The place steps skip what the registry does not have: a city of oblast rank sits directly under its
oblast (no district page), and Bishkek and Osh are oblast-level units holding just themselves (chosen
with the oblast). Typing part of a name at any place step searches instead of browsing. The channel
looks up the registry facts a step needs (e.g. whether an oblast has districts) and passes them in
the input; the flow decides, validates and remembers, and the draft is the whole state, so a stored
draft resumes where the person stopped.
"""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from bot.config import Language
from bot.errors import N_, UserFacingError
from bot.flows import TEXT_ONLY, USE_BUTTONS, Moved, Outcome, Refused
from bot.services.users import Application
from bot.validation import POSITION_MAX, clean_person_name, clean_text
from models import Role

SEARCH_MIN = 2
SEARCH_MAX = 60
POSITION_MIN = 2

NOTHING_FOUND = N_("Nothing found for «{text}». Try another part of the name, or choose from the list.")
STALE = N_("This button is no longer active. Please use the latest message.")


class ApplicantRole(enum.StrEnum):
    """The roles one may apply for; staff roles come only by invitation."""

    HEAD = "head"
    DEPUTY = "deputy"

    @property
    def role(self) -> Role:
        return Role(self.value)


class Step(enum.StrEnum):
    LANGUAGE = "language"
    OBLAST = "oblast"  # the list of oblasts
    DISTRICT = "district"  # one oblast's districts and cities of oblast rank
    MUNICIPALITY = "municipality"  # a page of a district's municipalities, or of search results
    ROLE = "role"
    FULL_NAME = "full_name"
    POSITION = "position"
    CONFIRM = "confirm"
    DONE = "done"  # submitted; the draft is finished


PLACE_STEPS = frozenset({Step.OBLAST, Step.DISTRICT, Step.MUNICIPALITY})


# ---- what the person gives at a step ----------------------------------------------------------------


@dataclass(frozen=True)
class PickLanguage:
    language: Language


@dataclass(frozen=True)
class PickOblast:
    """``has_districts`` and ``sole_municipality_id`` come from the registry: an oblast without
    districts that holds one municipality (Bishkek, Osh) is that municipality."""

    oblast_id: int
    has_districts: bool = True
    sole_municipality_id: int | None = None


@dataclass(frozen=True)
class PickDistrict:
    district_id: int


@dataclass(frozen=True)
class TurnPage:
    page: int


@dataclass(frozen=True)
class Search:
    """Typed part of a name; ``found`` is how many municipalities match it."""

    text: str
    found: int


@dataclass(frozen=True)
class PickMunicipality:
    municipality_id: int


@dataclass(frozen=True)
class PickRole:
    role: ApplicantRole


@dataclass(frozen=True)
class Typed:
    """Text typed at a step that asks for text (None: a sticker, a photo...)."""

    text: str | None


@dataclass(frozen=True)
class Back:
    pass


@dataclass(frozen=True)
class Submit:
    pass


Input = (
    PickLanguage
    | PickOblast
    | PickDistrict
    | TurnPage
    | Search
    | PickMunicipality
    | PickRole
    | Typed
    | Back
    | Submit
)


def normalize_search(text: str | None) -> str:
    """The typed search text on one line, as it is checked and searched."""
    return " ".join((text or "").split())


# ---- the draft --------------------------------------------------------------------------------------


@dataclass
class SignUpDraft:
    step: Step = Step.LANGUAGE
    language: Language | None = None
    oblast_id: int | None = None
    district_id: int | None = None
    search: str | None = None
    page: int = 0
    municipality_id: int | None = None
    # Where the municipality was chosen: «Back» from the role returns there.
    place_step: Step | None = None
    role: ApplicantRole | None = None
    full_name: str | None = None
    position: str | None = None

    def dump(self) -> dict[str, Any]:
        """Plain values for the dialogue storage (database or Redis)."""
        return {
            key: (value.value if isinstance(value, enum.Enum) else value)
            for key, value in asdict(self).items()
        }

    @classmethod
    def load(cls, data: dict[str, Any] | None) -> SignUpDraft:
        """The stored draft; whatever does not fit (an older format, a tampered value) starts afresh."""
        known = {f.name for f in fields(cls)}
        try:
            draft = cls(**{key: value for key, value in (data or {}).items() if key in known})
            draft.step = Step(draft.step)
            draft.language = Language(draft.language) if draft.language else None
            draft.place_step = Step(draft.place_step) if draft.place_step else None
            draft.role = ApplicantRole(draft.role) if draft.role else None
        except (TypeError, ValueError):
            return cls()
        return draft


# ---- the flow ---------------------------------------------------------------------------------------


@dataclass
class SignUpFlow:
    draft: SignUpDraft = field(default_factory=SignUpDraft)

    @classmethod
    def begin(cls, language: str) -> SignUpFlow:
        """A new sign-up of someone whose language is known: the first place step."""
        flow = cls()
        flow.apply(Step.LANGUAGE, PickLanguage(Language(language)))
        return flow

    @property
    def step(self) -> Step:
        return self.draft.step

    def resume(self) -> Moved:
        """The step to show again: the stored one, or the latest whose earlier answers are all there."""
        d = self.draft
        order = list(Step)
        checks = [
            (Step.OBLAST, d.language is not None, Step.LANGUAGE),
            (Step.ROLE, d.municipality_id is not None, Step.OBLAST),
            (Step.FULL_NAME, d.role is not None, Step.ROLE),
            (Step.POSITION, d.full_name is not None, Step.FULL_NAME),
            (Step.CONFIRM, d.position is not None, Step.POSITION),
        ]
        for step, known, fallback in checks:
            if order.index(d.step) >= order.index(step) and not known:
                d.step = fallback
                break
        if d.step is Step.MUNICIPALITY and d.district_id is None and d.search is None:
            d.step = Step.DISTRICT
        if d.step is Step.DISTRICT and d.oblast_id is None:
            d.step = Step.OBLAST
        return Moved(d.step)

    def restart(self) -> Moved:
        """Throw the answers away, keep the language: the oblasts again."""
        self.draft = SignUpDraft(step=Step.OBLAST, language=self.draft.language)
        return Moved(Step.OBLAST)

    def application(self) -> Application:
        """The checked application of a confirmed draft."""
        d = self.draft
        if d.municipality_id is None or d.role is None:
            raise UserFacingError(STALE)
        return Application(
            municipality_id=d.municipality_id,
            role=d.role.role,
            full_name=clean_person_name(d.full_name),
            position=clean_text(d.position, max_length=POSITION_MAX, min_length=POSITION_MIN),
        )

    def apply(self, step: Step, given: Input) -> Outcome:
        """Take what the person gave at ``step``; nothing changes when it is refused."""
        if step is not self.draft.step or step is Step.DONE:
            return Refused(STALE)
        try:
            return self._apply(step, given)
        except UserFacingError as error:
            return Refused.from_error(error)

    def _apply(self, step: Step, given: Input) -> Outcome:
        d = self.draft
        match given:
            case Back():
                previous = self._previous()
                if previous is None:
                    return Refused(STALE)
                return self._to(previous)
            case PickLanguage(language) if step is Step.LANGUAGE:
                d.language = language
                return self._to(Step.OBLAST)
            case PickOblast(oblast_id, has_districts, sole) if step is Step.OBLAST:
                d.oblast_id, d.district_id, d.search, d.page = oblast_id, None, None, 0
                if not has_districts and sole is not None:
                    return self._chosen(sole, Step.OBLAST)
                return self._to(Step.DISTRICT)
            case PickDistrict(district_id) if step is Step.DISTRICT:
                d.district_id, d.search, d.page = district_id, None, 0
                return self._to(Step.MUNICIPALITY)
            case TurnPage(page) if step is Step.MUNICIPALITY:
                d.page = max(page, 0)
                return self._to(Step.MUNICIPALITY)
            case PickMunicipality(municipality_id) if step in (Step.DISTRICT, Step.MUNICIPALITY):
                return self._chosen(municipality_id, step)
            case Search(text, found) if step in PLACE_STEPS:
                text = normalize_search(text)
                if not SEARCH_MIN <= len(text) <= SEARCH_MAX:
                    return Refused(
                        N_("Please type from 2 to {limit} letters of the name."), {"limit": SEARCH_MAX}
                    )
                if found == 0:
                    return Refused(NOTHING_FOUND, {"text": text}
                    )
                d.search, d.district_id, d.page = text, None, 0
                return self._to(Step.MUNICIPALITY)
            case PickRole(role) if step is Step.ROLE:
                d.role = role
                return self._to(Step.FULL_NAME)
            case Typed(text) if step is Step.FULL_NAME:
                d.full_name = clean_person_name(_text(text))
                return self._to(Step.POSITION)
            case Typed(text) if step is Step.POSITION:
                d.position = clean_text(_text(text), max_length=POSITION_MAX, min_length=POSITION_MIN)
                return self._to(Step.CONFIRM)
            case Typed() if step is Step.ROLE:
                return Refused(N_("Please choose a role with the buttons."))
            case Typed() if step in (Step.LANGUAGE, Step.CONFIRM):
                return Refused(USE_BUTTONS)
            case Submit() if step is Step.CONFIRM:
                self.application()
                return self._to(Step.DONE)
        return Refused(STALE)

    def _chosen(self, municipality_id: int, at: Step) -> Moved:
        self.draft.municipality_id, self.draft.place_step = municipality_id, at
        return self._to(Step.ROLE)

    def _to(self, step: Step) -> Moved:
        self.draft.step = step
        return Moved(step)

    def _previous(self) -> Step | None:
        d = self.draft
        match d.step:
            case Step.DISTRICT:
                return Step.OBLAST
            case Step.MUNICIPALITY:
                return Step.DISTRICT if d.district_id is not None and d.oblast_id is not None else Step.OBLAST
            case Step.ROLE:
                return d.place_step or Step.OBLAST
            case Step.FULL_NAME:
                return Step.ROLE
            case Step.POSITION:
                return Step.FULL_NAME
            case Step.CONFIRM:
                return Step.POSITION
        return None


def _text(text: str | None) -> str:
    if text is None:
        raise UserFacingError(TEXT_ONLY)
    return text
