"""The role × action table of README («Who may do what»), walked through the running bot.

The table is read from README.md, so the two cannot drift. For every row and every role, a user of
that role sends the command or forges the button's callback data; allowed means the expected screen
or effect, refused means a refusal in the user's language and not one changed row in the database.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, StorageKey
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import ManualClock
from bot.flows.signup import ApplicantRole, Language, SignUpDraft, Step
from bot.flows.wizard import Topic
from bot.i18n import use_locale
from bot.services import answers, consultations
from devtools.emulator import BotApiEmulator, SentMessage, TelegramUser
from devtools.testing import RunningBot
from handlers.callbacks import (
    AnswerRestart,
    AnswerStance,
    AnswerSubmit,
    ApplicationDecision,
    BudgetProtocolText,
    ConsultationAction,
    DocumentFile,
    DocumentLanguages,
    DocumentList,
    ExportFormat,
    FollowUpDate,
    FollowUpMonths,
    FollowUpSchedule,
    FollowUpScreen,
    LanguageChoice,
    OutcomeFate,
    OutcomeFates,
    OutcomeNote,
    OutcomeRecord,
    OutcomeRoute,
    OutcomeRoutes,
    OutcomeScreen,
    PersonAction,
    PickPlace,
    PlaceLevel,
    PositionAdopt,
    PositionAdoptAnyway,
    PositionClose,
    PositionCloseNow,
    PositionScreen,
    PositionSentToCommittee,
    PositionSentToday,
    PositionSubmit,
    PositionText,
    PositionTextEdit,
    ProposalDecide,
    ProposalList,
    ProposalProtocolText,
    ProposalView,
    ProtocolField,
    RegistryAction,
    RemindPlain,
    RemindScope,
    RemindSend,
    RemindStart,
    ReportBuild,
    ReportPeriod,
    ReportState,
    ResponsesAnswer,
    ResponsesAnswered,
    ResponsesFile,
    ResponsesSilent,
    ResponsesStats,
    SettingsDigest,
    SettingsLanguage,
    SettingsReminders,
    SignUpAction,
    SignUpIntent,
    SurveySend,
    SurveyTemplate,
    WizCancel,
    WizPublish,
    WizSkip,
    WizTopic,
)
from handlers.common import CHOOSE_LANGUAGE
from handlers.procedures import callbacks as procedure_buttons
from handlers.states import ConsultationWizard, RegistryUpload, SignUp
from models import (
    ActFate,
    AnswerDraft,
    Base,
    Broadcast,
    Consultation,
    ConsultationStatus,
    NoAgreementRoute,
    Position,
    ProposalDecision,
    ReminderChoice,
    Role,
    User,
    UserStatus,
)
from models.answers import Stance
from tests.conftest import ADMIN_ID
from tests.factories import SmallRegistry, add_user, open_consultation
from tests.texts import plain, tr

README = Path(__file__).resolve().parent.parent / "README.md"
SECTION = "## Who may do what"
REVOKED_TEXT = (
    "Your rights in Pikir have been withdrawn. If you think this is a mistake, contact your association."
)
REFUSALS = [
    "Only association coordinators can do this.",
    "Only administrators can appoint coordinators.",
    "Only administrators can revoke coordinators, administrators and observers.",
    "Only the head of a municipality or an approved deputy can answer.",
    "This consultation was not sent to your municipality.",
    "You are already registered.",
    "Only administrators can change the working-day calendar.",
    "You were not asked for an expert conclusion on this consultation.",
    REVOKED_TEXT,
]


def readme_table() -> dict[str, dict[str, bool]]:
    """{first cell: {role column: allowed}} from the README table."""
    section = README.read_text(encoding="utf-8").split(SECTION, 1)[1].split("\n## ", 1)[0]
    lines = [line.strip() for line in section.splitlines() if line.strip().startswith("|")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    table = {}
    for line in lines[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        assert len(cells) == len(header), line
        assert all(cell in ("✅", "—") for cell in cells[1:]), line
        table[cells[0]] = {header[i]: cells[i] == "✅" for i in range(1, len(header))}
    return table


@dataclass
class Person:
    column: str
    telegram_id: int
    locale: str
    role: Role
    status: UserStatus = UserStatus.ACTIVE
    municipality_id: int | None = None
    client: TelegramUser = field(init=False)
    id: int = 0


@dataclass
class World:
    session_factory: async_sessionmaker[AsyncSession]
    emulator: BotApiEmulator
    storage: BaseStorage
    registry: SmallRegistry
    clock: ManualClock
    open_id: int
    draft_id: int
    broadcast_id: int
    next_id: int = 5000

    def new_telegram_id(self) -> int:
        self.next_id += 1
        return self.next_id

    def fsm(self, person: Person) -> FSMContext:
        uid = person.telegram_id
        return FSMContext(self.storage, StorageKey(bot_id=123456, chat_id=uid, user_id=uid))

    async def in_state(self, person: Person, state: State, **data: Any) -> None:
        await self.fsm(person).set_state(state)
        await self.fsm(person).set_data(data)

    async def user(self, telegram_id: int) -> User:
        async with self.session_factory() as session:
            user = await session.scalar(select(User).where(User.telegram_id == telegram_id))
            assert user is not None
            return user


Arrange = Callable[[World, Person], Awaitable[Any]]
Inputs = Callable[[World, Person, Any], list[str]]
Check = Callable[[World, Person, Any, list[SentMessage]], Awaitable[None]]


@dataclass
class Row:
    inputs: Inputs  # commands or callback data; the first one is pressed by allowed roles
    check: Check  # what an allowed role sees or changes
    arrange: Arrange | None = None


def texts(replies: list[SentMessage]) -> str:
    return "\n".join((m.text or m.caption or "") + " " + " ".join(m.buttons) for m in replies)


def shows(message_id: str, **values: object) -> Check:
    """The reply contains this message, in the person's language."""

    async def check(world: World, person: Person, _: Any, replies: list[SentMessage]) -> None:
        expected = plain(tr(message_id, person.locale, **values))
        assert expected in texts(replies), (person.column, expected, texts(replies))

    return check


async def preview_shown(world: World, person: Person, _: Any, replies: list[SentMessage]) -> None:
    """The draft's preview, headed in the person's language («Предпросмотр: на кыргызском языке»)."""
    language = tr("in Kyrgyz", person.locale)
    expected = plain(tr("Preview: {language}", person.locale, language=language))
    assert expected in texts(replies), (person.column, expected, texts(replies))


async def answered(world: World, person: Person, _: Any, replies: list[SentMessage]) -> None:
    assert replies, person.column


def commands(name: str) -> Inputs:
    return lambda world, person, _: [name]


# ---- the rows ------------------------------------------------------------------------------------


async def drafts_check(world: World, person: Person, _: Any, replies: list[SentMessage]) -> None:
    text = texts(replies)
    title = "Законопроект о пастбищах" if person.locale == "ru" else "Жайыттар жөнүндө мыйзам долбоору"
    if person.column in ("admin", "coordinator", "head", "deputy", "observer"):
        assert title in text, (person.column, text)
    else:
        assert tr("There are no open consultations right now.", person.locale) in text, person.column
    sees_drafts = tr("(untitled)", person.locale) in text  # the draft has no title yet
    assert sees_drafts == (person.column in ("admin", "coordinator")), (person.column, text)


async def fresh_applicant(world: World, person: Person) -> int:
    async with world.session_factory() as session:
        user = await add_user(
            session,
            world.new_telegram_id(),
            role=Role.HEAD,
            municipality=world.registry.ysyk_ata_aimaks[4],
            status=UserStatus.PENDING,
        )
        return user.id


async def approved(world: World, person: Person, applicant_id: int, replies: list[SentMessage]) -> None:
    async with world.session_factory() as session:
        applicant = await session.get(User, applicant_id)
        assert applicant is not None and applicant.status is UserStatus.ACTIVE


async def sign_up_confirm(world: World, person: Person) -> None:
    draft = SignUpDraft(
        step=Step.CONFIRM,
        language=Language(person.locale),
        municipality_id=world.registry.ysyk_ata_aimaks[3].id,
        place_step=Step.DISTRICT,
        role=ApplicantRole.HEAD,
        full_name="Тестов Тест",
        position="Башчы",
    )
    await world.in_state(person, SignUp.active, signup=draft.dump())


async def applied(world: World, person: Person, _: Any, replies: list[SentMessage]) -> None:
    user = await world.user(person.telegram_id)
    assert (user.role, user.status) == (Role.HEAD, UserStatus.PENDING)
    assert user.municipality_id == world.registry.ysyk_ata_aimaks[3].id


async def with_answer_draft(world: World, person: Person) -> None:
    """Everyone holds a half-finished answer, as a head revoked mid-answer would."""
    async with world.session_factory() as session:
        user = await session.scalar(select(User).where(User.telegram_id == person.telegram_id))
        await answers.start_draft(session, user, world.open_id, world.clock.now())  # type: ignore[arg-type]


async def stance_picked(world: World, person: Person, _: Any, replies: list[SentMessage]) -> None:
    async with world.session_factory() as session:
        draft = await session.scalar(select(AnswerDraft).where(AnswerDraft.user_id == person.id))
        assert draft is not None and draft.step == "impact"
    assert tr("How does it affect the local budget?", person.locale) in texts(replies)


def answer_presses(world: World, person: Person, _: Any) -> list[str]:
    cid = world.open_id
    return [
        AnswerStance(cid=cid, v=1, stance=Stance.SUPPORT).pack(),
        AnswerRestart(cid=cid, v=1).pack(),
        AnswerSubmit(cid=cid, v=1).pack(),
    ]


WIZARD_ROW = (
    "`wzskip`, `wzback`, `wzcancel`, `wznext`, `wztopic`, `wzbudget`, `wzaudience`, `wzplace`, `wzkind`, "
    "`wzpage`, `wzdeadline`, `wzquestion`, `wzqtype`, `wzpublish` (the consultation wizard and «Publish»)"
)


def wizard_presses(world: World, person: Person, _: Any) -> list[str]:
    presses = [WizSkip(), WizCancel(), WizTopic(topic=Topic.LAND), WizPublish(id=world.draft_id)]
    return [press.pack() for press in presses]


def position_presses(world: World, person: Person, _: Any) -> list[str]:
    # «close» asks first; then one press of every other kind of button of the position screens.
    cid, ky = world.open_id, Language.KY
    presses = [
        PositionClose(cid=cid),
        PositionCloseNow(cid=cid),
        PositionScreen(cid=cid),
        PositionText(cid=cid, language=ky),
        PositionTextEdit(cid=cid, language=ky),
        PositionAdopt(cid=cid),
        PositionAdoptAnyway(cid=cid),
        PositionSubmit(cid=cid),
        PositionSentToCommittee(cid=cid),
        PositionSentToday(cid=cid),
        ProposalList(cid=cid),
        ProposalView(cid=cid, index=0),
        ProposalDecide(cid=cid, index=0, decision=ProposalDecision.ACCEPTED),
        ProposalProtocolText(cid=cid, index=0, field=ProtocolField.GOVERNMENT),
        BudgetProtocolText(cid=cid, field=ProtocolField.RECOMMENDATION),
        OutcomeScreen(cid=cid),
        OutcomeFates(cid=cid),
        OutcomeFate(cid=cid, fate=ActFate.ADOPTED),
        OutcomeRoutes(cid=cid),
        OutcomeRoute(cid=cid, route=NoAgreementRoute.APPEAL),
        OutcomeNote(cid=cid),
        OutcomeRecord(cid=cid),
        DocumentLanguages(cid=cid),
        DocumentList(cid=cid, language=ky),
        DocumentFile(cid=cid, format=ExportFormat.PAPER, language=ky),
    ]
    return [press.pack() for press in presses]


def responses_presses(world: World, person: Person, _: Any) -> list[str]:
    cid, mid = world.open_id, world.registry.ysyk_ata_aimaks[0].id
    presses = [
        ResponsesStats(cid=cid),
        ResponsesSilent(cid=cid),
        ResponsesAnswered(cid=cid, page=0),
        ResponsesAnswer(cid=cid, mid=mid),
        ResponsesFile(aid=1, index=0),
    ]
    return [press.pack() for press in presses]


async def report_sent(world: World, person: Person, _: Any, replies: list[SentMessage]) -> None:
    assert any(m.document is not None for m in replies), person.column


async def fresh_target(role: Role, world: World) -> int:
    async with world.session_factory() as session:
        municipality = world.registry.ysyk_ata_aimaks[5] if role is Role.HEAD else None
        user = await add_user(session, world.new_telegram_id(), role=role, municipality=municipality)
        return user.id


async def target_revoked(world: World, person: Person, target_id: int, replies: list[SentMessage]) -> None:
    async with world.session_factory() as session:
        target = await session.get(User, target_id)
        assert target is not None and target.status is UserStatus.REVOKED, person.column


async def recorded_act(world: World, person: Person) -> int:
    """A consultation whose outcome is recorded: an act that can be followed up."""
    async with world.session_factory() as session:
        act = Consultation(
            status=ConsultationStatus.OUTCOME_RECORDED, title_ru="Закон", created_at=world.clock.now()
        )
        session.add(act)
        await session.flush()
        session.add(Position(consultation_id=act.id, drafted_at=world.clock.now()))
        await session.commit()
        return act.id


def follow_up_presses(world: World, person: Person, act_id: int) -> list[str]:
    presses = [
        FollowUpScreen(cid=act_id),
        FollowUpDate(cid=act_id),
        FollowUpSchedule(cid=act_id, months=FollowUpMonths.SIX),
        SurveySend(template=SurveyTemplate.KENESH),
    ]
    return [press.pack() for press in presses]


def person_presses(*actions: str) -> Inputs:
    return lambda world, person, target_id: [
        PersonAction(action=action, user_id=target_id).pack() for action in actions
    ]


APPROVAL_ROW = (
    "`appr`, `apprnew`, `apprbody`, `apprunit`, `apprletter`, `apprdecide`, `apprremarks`, `apprtoggle`, "
    "`apprreset`, `appredit`, `apprtoday`, `apprlang`, `apprdocx`, `apprsent`, `apprreact`, `apprconcil`, "
    "`apprappeal`, `apprresult`, `apprwithout` (an approval request, its answer letter, what followed)"
)


def approval_presses(world: World, person: Person, _: Any) -> list[str]:
    """The first shows the offer to mark the open consultation as a request; then every kind of button."""
    from models.procedures import (
        AppealResult,
        ApprovalDecision,
        ConciliationResult,
        RemarksAccepted,
        StateBodyKind,
        TermUnit,
    )

    b, cid = procedure_buttons, world.open_id
    presses = [
        b.ApprovalScreen(cid=cid),
        b.ApprovalStart(cid=cid),
        b.ApprovalBody(cid=cid, kind=StateBodyKind.MINISTRY),
        b.ApprovalTermUnit(cid=cid, unit=TermUnit.WORKING),
        b.ApprovalLetter(cid=cid),
        b.ApprovalDecide(cid=cid, decision=ApprovalDecision.APPROVED),
        b.ApprovalRemarks(cid=cid),
        b.ApprovalRemarkToggle(cid=cid, index=0),
        b.ApprovalRemarksReset(cid=cid),
        b.ApprovalEdit(cid=cid, field=b.LetterField.NUMBER),
        b.ApprovalToday(cid=cid),
        b.ApprovalLanguage(cid=cid, language=Language.KY),
        b.ApprovalGenerate(cid=cid),
        b.ApprovalSent(cid=cid),
        b.ApprovalReaction(cid=cid, accepted=RemarksAccepted.ALL),
        b.ApprovalConciliation(cid=cid, result=ConciliationResult.AGREED),
        b.ApprovalAppeal(cid=cid),
        b.ApprovalAppealResult(cid=cid, result=AppealResult.UPHELD),
        b.ApprovalWithout(cid=cid),
    ]
    return [press.pack() for press in presses]


def calendar_presses(world: World, person: Person, _: Any) -> list[str]:
    day = world.clock.now().date().toordinal()
    return [
        procedure_buttons.CalendarAdd(working=False).pack(),
        procedure_buttons.CalendarRemove(day=day).pack(),
    ]


def expert_staff_presses(world: World, person: Person, _: Any) -> list[str]:
    b, cid = procedure_buttons, world.open_id
    presses = [
        b.ExpertScreen(cid=cid),
        b.ExpertCandidates(cid=cid),
        b.ExpertAsk(cid=cid, uid=person.id),
        b.ExpertDocument(cid=cid, language=Language.RU),
    ]
    return [press.pack() for press in presses]


async def with_expert_assignment(world: World, person: Person) -> None:
    """Everyone is asked for an expert conclusion (as a head who was asked, then revoked, would be)."""
    from models import ExpertAssignment
    from models.procedures import ExpertStatus

    async with world.session_factory() as session:
        session.add(
            ExpertAssignment(
                consultation_id=world.open_id,
                user_id=person.id,
                status=ExpertStatus.ASKED,
                step="lsg_law",
                parts={},
                asked_at=world.clock.now(),
            )
        )
        await session.commit()


def expert_presses(world: World, person: Person, _: Any) -> list[str]:
    from models.procedures import ExpertVerdict

    b, cid = procedure_buttons, world.open_id
    presses = [
        b.ExpertStart(cid=cid),
        b.ExpertSkip(cid=cid, part=b.ExpertPartName.LSG_LAW),
        b.ExpertVerdictChoice(cid=cid, verdict=ExpertVerdict.POSITIVE),
        b.ExpertRestart(cid=cid),
        b.ExpertSubmit(cid=cid),
    ]
    return [press.pack() for press in presses]


async def expert_part_asked(world: World, person: Person, arranged: Any, replies: list[SentMessage]) -> None:
    from bot.presentation.procedure_labels import part_title

    with use_locale(person.locale):
        part = part_title("lsg_law")
    message_id = "Part {number} of {total}. <b>{part}</b>: write your assessment as one message."
    expected = plain(tr(message_id, person.locale, number=1, total=7, part=part))
    assert expected in texts(replies), (person.column, texts(replies))


def sitting_presses(world: World, person: Person, _: Any) -> list[str]:
    from models.procedures import MinutesEntry, Reading

    b, cid = procedure_buttons, world.open_id
    presses = [
        b.SittingScreen(cid=cid),
        b.SittingStart(cid=cid),
        b.SittingCommittee(cid=cid),
        b.SittingReading(cid=cid, reading=Reading.FIRST),
        b.SittingMinutes(sid=1),
        b.SittingAttended(sid=1, attended=True),
        b.SittingEntry(sid=1, entry=MinutesEntry.YES),
        b.SittingSkip(sid=1),
        b.SittingAgenda(sid=1),
        b.SittingAgendaSet(sid=1, cid=cid, on=True),
    ]
    return [press.pack() for press in presses]


ROWS: dict[str, Row] = {
    "`/start` (register, or where one stands)": Row(commands("/start"), answered),
    "`/help`": Row(
        commands("/help"), shows("<b>Pikir</b>: the voice of local self-government in law-making.")
    ),
    "`/lang`": Row(commands("/lang"), lambda w, p, o, r: _contains(r, CHOOSE_LANGUAGE)),
    "`/cancel`": Row(
        commands("/cancel"),
        shows("Stopped. Nothing that was already saved is lost. /help shows what you can do."),
    ),
    "`/drafts` (what it lists depends on the role¹)": Row(commands("/drafts"), drafts_check),
    "`/settings` (one's own digest, reminders and language)": Row(
        commands("/settings"), shows("⚙ <b>Your settings</b>")
    ),
    "`/new`": Row(
        commands("/new"),
        shows(
            "A new consultation. Buttons under each step: «Back», «Skip», «Cancel». "
            "Everything is saved as you go."
        ),
    ),
    "`/responses`": Row(commands("/responses"), shows("Which consultation?")),
    "`/applications`": Row(commands("/applications"), answered),
    "`/invite`": Row(commands("/invite"), shows("Invitation link for the head of a municipality.")),
    "`/import`": Row(commands("/import"), answered),
    "`/revoke`": Row(commands("/revoke"), shows("<b>Whose rights should be taken back?</b>")),
    "`/coordinator`": Row(commands("/coordinator"), shows("Invitation for a new coordinator.")),
    "`/approval` (approval requests from state bodies)": Row(
        commands("/approval"),
        shows("Approval requests from state bodies. Which consultation? (🏛: already a request)"),
    ),
    "`/calendar` (days moved by decree)": Row(commands("/calendar"), shows("➕ A day off by decree")),
    "`/expertise` (expert conclusions)": Row(
        commands("/expertise"), shows("Expert conclusions. Which consultation?")
    ),
    "`/sittings` (committee sittings)": Row(
        commands("/sittings"), shows("Committee sittings. Which consultation?")
    ),
    "`/surveys`": Row(commands("/surveys"), shows("📋 Send the annual local kenesh survey")),
    "`/report`": Row(
        commands("/report"), shows("<b>The annual report to the Jogorku Kenesh.</b> For which year?")
    ),
    "`lang` (choose the language)": Row(
        lambda w, p, o: [LanguageChoice(code=p.locale).pack()],
        lambda w, p, o, r: shows(
            "Language: {language}.", language=tr({"ky": "Kyrgyz", "ru": "Russian"}[p.locale], p.locale)
        )(w, p, o, r),
    ),
    "`setdigest`, `setremind`, `setlang` (one's own settings)": Row(
        lambda w, p, o: [
            SettingsDigest(weekly=False).pack(),
            SettingsReminders(choice=ReminderChoice.LAST).pack(),
            SettingsLanguage().pack(),
        ],
        shows("⚙ <b>Your settings</b>"),
    ),
    "`pick`, `role`, `signup:back`, `signup:restart`, `signup:register` (one's own dialogue²)": Row(
        lambda w, p, o: [
            PickPlace(level=PlaceLevel.OBLAST, id=w.registry.chui.id).pack(),
            SignUpAction(action=SignUpIntent.REGISTER).pack(),
        ],
        lambda w, p, o, r: shows(
            "{oblast}: choose the district or the city.", oblast=w.registry.chui.name(p.locale)
        )(w, p, o, r),
        arrange=lambda w, p: w.in_state(
            p, SignUp.active, signup=SignUpDraft(step=Step.OBLAST, language=Language(p.locale)).dump()
        ),
    ),
    "`signup:submit` (send a sign-up application)": Row(
        lambda w, p, o: [SignUpAction(action=SignUpIntent.SUBMIT, step=Step.CONFIRM).pack()],
        applied,
        arrange=sign_up_confirm,
    ),
    "`app` (approve or reject an application)": Row(
        lambda w, p, applicant: [
            ApplicationDecision(action="approve", user_id=applicant).pack(),
            ApplicationDecision(action="reject", user_id=applicant).pack(),
        ],
        approved,
        arrange=fresh_applicant,
    ),
    "`cons:more` (read a consultation in full³)": Row(
        lambda w, p, o: [ConsultationAction(action="more", id=w.open_id).pack()],
        lambda w, p, o, r: _contains(
            r, "Законопроект о пастбищах" if p.locale == "ru" else "Жайыттар жөнүндө мыйзам долбоору"
        ),
    ),
    "`cons:answer` (start answering³)": Row(
        lambda w, p, o: [ConsultationAction(action="answer", id=w.open_id).pack()],
        shows("What is your municipality's position on this draft?"),
    ),
    (
        "`astance`, `aimpact`, `amandate`, `aservice`, `aoption`, `amulti`, `askip`, `anext`, `aback`, "
        "`aamend`, `asubmit`, `aresume`, `arestart` (the answer's steps and «Submit»)"
    ): Row(answer_presses, stance_picked, arrange=with_answer_draft),
    "`cons:edit` (reopen a draft consultation)": Row(
        lambda w, p, o: [ConsultationAction(action="edit", id=w.draft_id).pack()],
        preview_shown,
    ),
    WIZARD_ROW: Row(
        wizard_presses,
        shows("Step 2. The title in Russian."),
        arrange=lambda w, p: w.in_state(
            p, ConsultationWizard.step, consultation_id=w.draft_id, step="title_ky"
        ),
    ),
    "`cons:report` (delivery report)": Row(
        lambda w, p, o: [ConsultationAction(action="report", id=w.broadcast_id).pack()], report_sent
    ),
    (
        "`resp`, `respsilent`, `respanswered`, `respanswer`, `respfile` "
        "(answers: statistics, silent, each answer, its attachments)"
    ): Row(
        responses_presses, shows("Who has not answered")
    ),
    "`rmd`, `rmdscope`, `rmdplain`, `rmdsend` (remind the silent now)": Row(
        lambda w, p, o: [
            RemindStart(cid=w.open_id).pack(),
            RemindScope(cid=w.open_id).pack(),
            RemindPlain(cid=w.open_id).pack(),
            RemindSend(cid=w.open_id).pack(),
        ],
        shows("🔔 Remind the municipalities that have not answered: which ones?"),
    ),
    (
        "`posclose`, `poscloseok`, `pos`, `postext`, `posedit`, `posadopt`, `posadoptok`, `possubmit`, "
        "`posto`, `postoday`, `posprops`, `posprop`, `posdecide`, `posprotocol`, `posbudget`, `posoutcome`, "
        "`posfates`, `posfate`, `posroutes`, `posroute`, `posnote`, `posrecord`, `posdocs`, `posdoclist`, "
        "`posfile` (close, the position, documents, the outcome)"
    ): Row(position_presses, shows("Close the consultation now? Answers will no longer be accepted.")),
    APPROVAL_ROW: Row(approval_presses, shows("🏛 Mark as an approval request")),
    "`caladd`, `caldel` (add or remove a day moved by decree)": Row(
        calendar_presses,
        shows("The day and, after a space, the decree if you wish: e.g. «31.12.2026 decree No. 650»."),
    ),
    "`expert`, `expcand`, `expask`, `expdocx` (ask experts, download the expert conclusion)": Row(
        expert_staff_presses, shows("➕ Ask an expert")
    ),
    (
        "`expstart`, `expskip`, `expverdict`, `exprestart`, `expsubmit` (write the expert conclusion one was "
        "asked for⁴)"
    ): Row(expert_presses, expert_part_asked, arrange=with_expert_assignment),
    (
        "`sit`, `sitnew`, `sitcommittee`, `sitreading`, `sitminutes`, `sitattended`, `sitentry`, `sitskip`, "
        "`sitagenda`, `sitagendaset` (record a committee sitting, its further agenda and its minutes)"
    ): Row(sitting_presses, shows("➕ Record a sitting")),
    "`reg` (apply or cancel a registry import)": Row(
        lambda w, p, o: [RegistryAction(action="cancel").pack(), RegistryAction(action="apply").pack()],
        shows("Cancelled, the registry is unchanged."),
        arrange=lambda w, p: w.in_state(p, RegistryUpload.confirm, file_id="nothing", file_name="r.csv"),
    ),
    (
        "`fup`, `fupdate`, `fupsched`, `survey` (an act's entry into force and impact follow-ups; "
        "send a ready survey)"
    ): Row(follow_up_presses, shows("📅 Date of entry into force"), arrange=recorded_act),
    (
        "`report`, `reportbuild`, `reportstate` (the annual report: its year and language; "
        "the state of consultations)"
    ): Row(
        lambda w, p, o: [
            ReportPeriod(year=2026).pack(),
            ReportBuild(year=2026, language=Language.KY).pack(),
            ReportState().pack(),
        ],
        shows("In which language should the report be?"),
    ),
    "`person` on a head or deputy (`/revoke`)": Row(
        person_presses("do", "ask", "keep", "place"),
        target_revoked,
        arrange=lambda w, p: fresh_target(Role.HEAD, w),
    ),
    "`person` on a coordinator, admin or observer (`/revoke`)": Row(
        person_presses("do", "ask"), target_revoked, arrange=lambda w, p: fresh_target(Role.COORDINATOR, w)
    ),
}


async def _contains(replies: list[SentMessage], expected: str) -> None:
    assert expected in texts(replies), (expected, texts(replies))


# ---- the walk ------------------------------------------------------------------------------------


async def snapshot(session_factory: async_sessionmaker[AsyncSession]) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table but the dialogue states."""
    async with session_factory() as session:
        result = {}
        for table in Base.metadata.sorted_tables:
            if table.name != "fsm_state":
                rows = await session.execute(select(table).order_by(*table.primary_key.columns))
                result[table.name] = [tuple(row) for row in rows]
        return result


async def do(person: Person, text: str) -> tuple[list[SentMessage], str | None]:
    """Send a command or press a forged button; returns the replies and the refusal shown, if any."""
    refusals = {tr(message, person.locale) for message in REFUSALS}
    if text.startswith("/"):
        replies = await person.client.send(text)
        shown = [m.text for m in replies if m.text in refusals]
        return replies, shown[0] if shown else None
    replies = await person.client.click_data(text)
    answer = person.client.last_callback_answer
    alerted = person.client.last_callback_alert and answer in refusals
    return replies, answer if alerted else None


async def test_every_role_and_action_as_the_readme_table_says(
    running_bot: RunningBot,
    session_factory: async_sessionmaker[AsyncSession],
    emulator: BotApiEmulator,
    registry: SmallRegistry,
    clock: ManualClock,
) -> None:
    table = readme_table()
    assert set(table) == set(ROWS), "README's table and this test name different actions"
    aimaks = registry.ysyk_ata_aimaks
    people = [
        Person("admin", ADMIN_ID, "ru", Role.ADMIN),
        Person("coordinator", 3001, "ky", Role.COORDINATOR),
        Person("head", 3002, "ru", Role.HEAD, municipality_id=aimaks[0].id),
        Person("deputy", 3003, "ky", Role.DEPUTY, municipality_id=aimaks[0].id),
        Person("observer", 3004, "ru", Role.OBSERVER),
        Person("pending applicant", 3005, "ky", Role.HEAD, UserStatus.PENDING, aimaks[1].id),
        Person("stranger", 3006, "ru", Role.NONE, UserStatus.PENDING),
        Person("revoked", 3007, "ky", Role.COORDINATOR, UserStatus.REVOKED),
        Person("revoked", 3008, "ru", Role.HEAD, UserStatus.REVOKED, aimaks[2].id),
    ]
    assert {p.column for p in people} == set(next(iter(table.values())))

    async with session_factory() as session:
        # Published before the people exist, so that no card arrives in the middle of the walk.
        consultation = await open_consultation(session, registry, clock.now() + timedelta(days=10))
        creator = await session.scalar(select(User).where(User.telegram_id == 900))
        draft = await consultations.create_draft(session, creator, clock.now())  # type: ignore[arg-type]
        broadcast_id = await session.scalar(select(Broadcast.id))
        for person in people:
            if person.telegram_id == ADMIN_ID:
                await session.execute(
                    update(User).where(User.telegram_id == ADMIN_ID).values(language="ru", full_name="Админ")
                )
                await session.commit()
                person.id = (await session.scalar(select(User.id).where(User.telegram_id == ADMIN_ID))) or 0
                continue
            municipality = next((m for m in aimaks if m.id == person.municipality_id), None)
            user = await add_user(
                session,
                person.telegram_id,
                role=person.role,
                municipality=municipality,
                language=person.locale,
                status=person.status,
            )
            person.id = user.id
    assert running_bot.pikir is not None
    world = World(
        session_factory,
        emulator,
        running_bot.pikir.dispatcher.storage,
        registry,
        clock,
        consultation.id,
        draft.id,
        broadcast_id or 0,
    )
    for person in people:
        person.client = TelegramUser(emulator, person.telegram_id, first_name="Test", language_code=None)
        await person.client.send("/help")  # the first message records the Telegram name

    failures = []
    for action, row in ROWS.items():
        for person in people:
            allowed = table[action][person.column]
            arranged = await row.arrange(world, person) if row.arrange else None
            inputs = row.inputs(world, person, arranged)
            if allowed:
                if not inputs[0].startswith("/"):
                    await person.client.send("/lang")  # a fresh message with buttons, under which to press
                replies, refusal = await do(person, inputs[0])
                if refusal is not None:
                    failures.append(f"{action} / {person.column}: refused with «{refusal}»")
                else:
                    try:
                        await row.check(world, person, arranged, replies)
                    except AssertionError as error:
                        failures.append(f"{action} / {person.column}: allowed but {error}")
            else:
                before = await snapshot(session_factory)
                for text in inputs:
                    _, refusal = await do(person, text)
                    if refusal is None:
                        failures.append(f"{action} / {person.column}: {text} was not refused")
                    elif person.column == "revoked" and refusal != tr(REVOKED_TEXT, person.locale):
                        failures.append(f"{action} / revoked: «{refusal}» does not say the rights are gone")
                if await snapshot(session_factory) != before:
                    failures.append(f"{action} / {person.column}: refused, but the database changed")
            await reset(world, person)
    assert not failures, "\n".join(failures)


async def reset(world: World, person: Person) -> None:
    """The person as seeded again, outside any dialogue, for the next row."""
    async with world.session_factory() as session:
        await session.execute(
            update(User)
            .where(User.telegram_id == person.telegram_id)
            .values(
                role=person.role,
                status=person.status,
                municipality_id=person.municipality_id,
                language=person.locale,
            )
        )
        await session.commit()
    await world.fsm(person).clear()


def test_the_readme_table_names_every_command_and_button_kind() -> None:
    """Every command and callback prefix the handlers know appears in the table, and nothing else."""
    handlers_dir = Path(__file__).resolve().parent.parent / "handlers"
    source = "\n".join(path.read_text(encoding="utf-8") for path in handlers_dir.rglob("*.py"))
    known_commands = set(re.findall(r'Command\("(\w+)"\)', source)) | {"start"}  # CommandStart()
    prefixes = set(re.findall(r'prefix="(\w+)"', source))
    first_cells = " ".join(readme_table())
    assert set(re.findall(r"`/(\w+)`", first_cells)) == known_commands
    named_prefixes = set(re.findall(r"`([a-z]+)(?::[a-z!]+)?`", first_cells))
    assert prefixes == named_prefixes, prefixes ^ named_prefixes
