"""The database engine and session factory (SQLite by default, PostgreSQL through DATABASE_URL)."""

from __future__ import annotations

import logging
import os
import signal
import stat
import threading
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import QueuePool

from bot.middlewares import UPDATE_CONCURRENCY

log = logging.getLogger(__name__)

# An update may hold two connections at once (its session, and the FSM storage's), so the pool is
# sized for twice the number of updates handled at the same time.
CONNECTIONS_PER_UPDATE = 2
POOL_SIZE = CONNECTIONS_PER_UPDATE * UPDATE_CONCURRENCY
# A burst waits this long for a free connection (of the database or of Redis) before it is an error.
POOL_TIMEOUT = 30.0


# PIKIR_STATS=1 (bench/load.py sets it): the process counts its SQL statements and transactions and
# logs the totals on SIGUSR1, so a benchmark can tell what one update costs the database.
_statistics = {"statements": 0, "transactions": 0}


def _count_statements(engine: AsyncEngine) -> None:
    def statement(*_args: Any) -> None:
        _statistics["statements"] += 1

    def transaction(*_args: Any) -> None:
        _statistics["transactions"] += 1

    event.listen(engine.sync_engine, "before_cursor_execute", statement)
    event.listen(engine.sync_engine, "begin", transaction)
    if threading.current_thread() is threading.main_thread():  # the migrations run in a thread
        signal.signal(signal.SIGUSR1, _log_statistics)


def _log_statistics(*_args: Any) -> None:
    log.warning("PIKIR_STATS statements=%(statements)d transactions=%(transactions)d", _statistics)


def create_engine(database_url: str, **kwargs: Any) -> AsyncEngine:
    """An async engine; for SQLite the folder is created and WAL mode with foreign keys switched on."""
    url = make_url(database_url)
    kwargs.setdefault("pool_size", POOL_SIZE)
    kwargs.setdefault("max_overflow", 10)
    kwargs.setdefault("pool_timeout", POOL_TIMEOUT)
    if url.get_backend_name() != "sqlite":
        kwargs.setdefault("pool_pre_ping", True)
        engine = create_async_engine(url, **kwargs)
        if os.environ.get("PIKIR_STATS"):
            _count_statements(engine)
        return engine

    if url.database and url.database != ":memory:":
        _private_database_file(Path(url.database))
    engine = create_async_engine(url, connect_args={"timeout": 30}, **kwargs)

    @event.listens_for(engine.sync_engine, "connect")
    def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        # WAL lets readers go on while one writer writes; busy_timeout waits for a lock instead of failing.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    if os.environ.get("PIKIR_STATS"):
        _count_statements(engine)
    return engine


def _private_database_file(path: Path) -> None:
    """Create the SQLite file readable by its owner only (SQLite gives -wal and -shm the same mode).

    An existing file keeps the mode its operator gave it; a warning says when others may read it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        mode = path.stat().st_mode
        if stat.S_ISREG(mode) and mode & (stat.S_IRWXG | stat.S_IRWXO):
            log.warning(
                "The database %s can be read by other users of this machine (mode %o); "
                "run chmod 600 on it unless that is intended",
                path,
                stat.S_IMODE(mode),
            )


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def update_slots(engine: AsyncEngine | None) -> int:
    """How many updates may be in hand at once: UPDATE_CONCURRENCY, fewer if the pool is smaller.

    With two connections per update, a pool below twice the limit could be taken entirely by
    updates each waiting for its second connection; they would wait until the pool timeout and fail.
    """
    pool = engine.sync_engine.pool if engine is not None else None
    if not isinstance(pool, QueuePool):
        return UPDATE_CONCURRENCY
    return max(1, min(UPDATE_CONCURRENCY, pool.size() // CONNECTIONS_PER_UPDATE))
