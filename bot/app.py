"""Assembling and running the bot: migrate, then long polling, or a webhook server if WEBHOOK_URL is set."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlparse

from aiogram import Bot, Dispatcher
from aiogram.fsm.storage.base import BaseStorage
from aiogram.types import Update
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.budget import close_budget
from bot.clock import Clock
from bot.commands import register_default_commands, register_user_commands
from bot.config import Settings
from bot.db import create_engine, create_session_factory
from bot.factory import create_bot, create_dispatcher, create_storage
from bot.loop_monitor import monitor_if_asked
from bot.outbox import DeliverySender
from bot.presentation.drafting import draft_text
from bot.presentation.surveys import survey_content
from bot.scheduler import (
    APPROVAL_ALERTS_EVERY,
    DEADLINE_CHECK_EVERY,
    FOLLOW_UP_CHECK_EVERY,
    Done,
    create_scheduler,
    scheduled,
)
from bot.services.consultations import CONSULTATION_KIND
from bot.services.digest import DIGEST_KIND, DigestRun, send_digest
from bot.services.positions import OUTCOME_KIND, POSITION_DRAFT_KIND, close_due
from bot.services.procedures.alerts import ALERT_KIND, send_near_term_alerts
from bot.services.procedures.expertise import EXPERT_REQUEST_KIND
from bot.services.procedures.sittings import BRIEFING_KIND, SITTING_OUTCOME_KIND, send_due_briefings
from bot.services.reminders import ESCALATION_KIND, REMINDER_KIND, Round, send_due_reminders
from bot.services.surveys import SentFollowUp, send_due
from bot.services.users import active_staff, ensure_admins
from bot.startup import identify, prepare_database

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


@dataclass
class Pikir:
    """The parts of one bot process: the Bot, its dispatcher and its outbox sender."""

    settings: Settings
    bot: Bot
    dispatcher: Dispatcher
    sender: DeliverySender
    # Closes consultations at their deadline; the scheduler runs it every minute, tests call it directly.
    check_deadlines: Callable[[], Awaitable[list[int]]]
    # Reminder rounds and the weekly digest, also every minute; tests call them after moving the clock.
    check_reminders: Callable[[], Awaitable[list[Round]]]
    check_digest: Callable[[], Awaitable[DigestRun | None]]
    # Near-term alerts of approval requests; the scheduler runs it every 15 minutes, tests call it directly.
    check_approval_alerts: Callable[[], Awaitable[list[int]]] | None = None
    # Sitting briefings the day before; every 15 minutes too.
    check_briefings: Callable[[], Awaitable[list[int]]] | None = None
    # Impact follow-ups whose day has come; every 10 minutes.
    send_follow_ups: Callable[[], Awaitable[list[SentFollowUp]]] | None = None


def assemble(
    settings: Settings,
    session_factory: async_sessionmaker[AsyncSession],
    *,
    clock: Clock | None = None,
    storage: BaseStorage | None = None,
) -> Pikir:
    """Build everything; the sender starts and stops with the dispatcher."""
    from handlers.consultations import progress_reporter
    from handlers.positions.renderers import outcome_renderer, position_draft_renderer
    from handlers.procedures.expert_answer import expert_request_renderer
    from handlers.procedures.renderers import approval_alert_renderer
    from handlers.procedures.sitting_renderers import briefing_renderer, sitting_outcome_renderer
    from handlers.reminders.digest import digest_renderer
    from handlers.reminders.renderers import escalation_renderer, reminder_renderer
    from handlers.views.consultation import consultation_renderer

    clock = clock or Clock()
    bot = create_bot(settings)
    dispatcher = create_dispatcher(
        settings,
        session_factory=session_factory,
        storage=storage or create_storage(settings, session_factory),
        clock=clock,
    )
    sender = DeliverySender(
        bot,
        session_factory,
        {
            CONSULTATION_KIND: consultation_renderer(settings.locale.zone, settings.locale.default_locale),
            POSITION_DRAFT_KIND: position_draft_renderer(settings),
            OUTCOME_KIND: outcome_renderer(settings),
            ALERT_KIND: approval_alert_renderer(settings),
            EXPERT_REQUEST_KIND: expert_request_renderer(settings),
            BRIEFING_KIND: briefing_renderer(settings),
            SITTING_OUTCOME_KIND: sitting_outcome_renderer(settings),
            REMINDER_KIND: reminder_renderer(settings, clock),
            ESCALATION_KIND: escalation_renderer(settings),
            DIGEST_KIND: digest_renderer(settings, clock),
        },
        rate=settings.telegram.broadcast_rate,
        clock=clock,
        lease=timedelta(seconds=settings.telegram.delivery_lease_seconds),
        on_progress=progress_reporter(bot, session_factory, clock),
    )
    dispatcher["sender"] = sender
    schedule, zone, quiet = settings.schedule, settings.locale.zone, settings.schedule.quiet

    def job(what: str, call: Callable[[datetime], Awaitable[Done]]) -> Callable[[], Awaitable[Done]]:
        return scheduled(what, call, clock, sender)

    check_deadlines = job(
        "closed at the deadline",
        lambda now: close_due(session_factory, now, settings.position.quorum, draft_text),
    )
    check_reminders = job(
        "reminder rounds",
        lambda now: send_due_reminders(session_factory, now, schedule.offsets, quiet, zone),
    )
    check_digest = job(
        "weekly digest", lambda now: send_digest(session_factory, now, schedule.digest, zone, quiet)
    )
    check_alerts = job(
        "near-term alerts for approval requests",
        lambda now: send_near_term_alerts(session_factory, now, zone, quiet),
    )
    check_briefings = job(
        "sitting briefings", lambda now: send_due_briefings(session_factory, now, zone, quiet)
    )
    send_follow_ups = job(
        "follow-up surveys sent", lambda now: send_due(session_factory, now, survey_content)
    )
    scheduler = create_scheduler(
        [
            (check_deadlines, DEADLINE_CHECK_EVERY),
            (check_reminders, DEADLINE_CHECK_EVERY),
            (check_digest, DEADLINE_CHECK_EVERY),
            (check_alerts, APPROVAL_ALERTS_EVERY),
            (check_briefings, APPROVAL_ALERTS_EVERY),
            (send_follow_ups, FOLLOW_UP_CHECK_EVERY),
        ]
    )

    async def on_startup() -> None:
        await prepare(bot, settings, session_factory, clock)
        sender.start()
        scheduler.start()

    async def on_shutdown() -> None:
        scheduler.shutdown(wait=False)
        await sender.stop()
        await close_budget(bot.token)

    dispatcher.startup.register(on_startup)
    dispatcher.shutdown.register(on_shutdown)
    return Pikir(
        settings,
        bot,
        dispatcher,
        sender,
        check_deadlines,
        check_reminders,
        check_digest,
        check_approval_alerts=check_alerts,
        check_briefings=check_briefings,
        send_follow_ups=send_follow_ups,
    )


async def prepare(
    bot: Bot, settings: Settings, session_factory: async_sessionmaker[AsyncSession], clock: Clock
) -> None:
    """Admins from ADMIN_IDS (those no longer listed lose the rights the list gave), and the command menus."""
    from handlers.staff import tell_revoked

    async with session_factory() as session:
        demoted = await ensure_admins(session, settings.telegram.admin_ids, clock.now())
        staff = await active_staff(session)
    await register_default_commands(bot, settings.locale.default_locale)
    for user in staff:
        await register_user_commands(bot, user)
    for user in demoted:
        log.info("%s is no longer in ADMIN_IDS: administrator rights revoked", user.telegram_id)
        await tell_revoked(bot, user)


def freeze_startup_objects() -> None:
    """Move everything built at start-up out of the garbage collector's sight (``gc.freeze``).

    aiogram's hundreds of pydantic models, SQLAlchemy's mappers, the routers and the catalogs are a few
    hundred thousand objects that live as long as the process; a full collection walked all of them
    and stood the event loop still for 0.2-2.5 s during a broadcast on a loaded machine. Frozen, they
    are never examined again, and a full collection walks only what the bot made since.
    """
    from aiogram import methods

    from bot.factory import _Session

    # Building a model takes a pydantic schema (tens of ms, 100+ on a busy machine): before the freeze.
    _Session.prepare(
        *(
            method.__returning__
            for method in (
                methods.SendMessage,
                methods.SendDocument,
                methods.SendPhoto,
                methods.EditMessageText,
                methods.EditMessageCaption,
                methods.EditMessageReplyMarkup,
                methods.AnswerCallbackQuery,
                methods.DeleteMessage,
            )
        )
    )
    gc.collect()
    gc.freeze()


async def run(settings: Settings) -> None:
    """Migrate the database, then serve updates until stopped."""
    await prepare_database(settings.database.database_url)
    engine = create_engine(settings.database.database_url)
    pikir = assemble(settings, create_session_factory(engine))
    monitor = monitor_if_asked()
    try:
        me = await identify(pikir.bot, settings)
        freeze_startup_objects()
        log.info("Pikir is @%s; database %s", me.username, engine.url.render_as_string(hide_password=True))
        if settings.webhook.webhook_url:
            await _serve_webhook(pikir)
        else:
            await pikir.bot.delete_webhook(drop_pending_updates=False)
            await pikir.dispatcher.start_polling(
                pikir.bot, allowed_updates=pikir.dispatcher.resolve_used_update_types()
            )
    finally:
        if monitor is not None:
            await monitor.stop()
        await pikir.dispatcher.storage.close()
        await pikir.bot.session.close()
        await engine.dispose()


class _WebhookHandler(SimpleRequestHandler):
    """aiogram's handler, reading the body once, and a body which is not an update is the poster's
    error (400), not a 500.

    aiogram would parse the JSON into a dict and validate that into an Update: done here in one step
    (pydantic reads the JSON itself), and the Update handed on, so a body is parsed only once.
    What a handler returns (a Bot API method, e.g. the answer to a button press) goes back as the
    webhook response, which Telegram executes: one HTTP round trip fewer for the bot.
    """

    async def _handle_request(self, bot: Bot, request: web.Request) -> web.Response:
        try:
            update = Update.model_validate_json(await request.read(), context={"bot": bot})
        except ValueError:  # malformed JSON, or JSON that is no update (pydantic's error is a ValueError)
            return web.Response(status=400, text="Bad Request: the body is not a Telegram update")
        result = await self.dispatcher.feed_webhook_update(bot, update, **self.data)
        return web.Response(body=self._build_response_writer(bot=bot, result=result))


async def _serve_webhook(pikir: Pikir) -> None:
    """Serve WEBHOOK_URL until SIGTERM or SIGINT; requests without WEBHOOK_SECRET are refused.

    Stopping is graceful: no new updates are taken, the updates being handled finish, then the scheduler
    stops and the sender finishes its sends in flight and gives back the messages it had claimed.
    """
    webhook = pikir.settings.webhook
    secret = webhook.webhook_secret.get_secret_value() if webhook.webhook_secret else None
    path = urlparse(webhook.webhook_url).path or "/"
    app = web.Application()
    # Answering Telegram only after the update is handled keeps a user's updates in order, and an
    # update whose handling crashed is sent again by Telegram instead of being lost.
    handler = _WebhookHandler(
        dispatcher=pikir.dispatcher, bot=pikir.bot, secret_token=secret, handle_in_background=False
    )
    # Not handler.register(): it would close the bot's session on shutdown before the sender is done.
    app.router.add_route("POST", path, handler.handle)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in STOP_SIGNALS:
        loop.add_signal_handler(signum, stop.set)
    # Handlers in progress get a few seconds; one cut short is answered by no 200, so Telegram resends it.
    runner = web.AppRunner(app, shutdown_timeout=5.0)
    try:
        await pikir.dispatcher.emit_startup(bot=pikir.bot, dispatcher=pikir.dispatcher)
        try:
            await runner.setup()
            await web.TCPSite(runner, webhook.web_host, webhook.web_port).start()
            await pikir.bot.set_webhook(
                webhook.webhook_url,  # type: ignore[arg-type]
                secret_token=secret,
                allowed_updates=pikir.dispatcher.resolve_used_update_types(),
            )
            log.info("webhook server on %s:%s%s", webhook.web_host, webhook.web_port, path)
            await stop.wait()
            log.info("stopping: no new updates; finishing the work in progress")
        finally:
            await runner.cleanup()  # stops listening, lets the requests in progress finish
            await pikir.dispatcher.emit_shutdown(bot=pikir.bot, dispatcher=pikir.dispatcher)
    finally:
        for signum in STOP_SIGNALS:
            loop.remove_signal_handler(signum)
