"""How long the event loop stood still, and how long garbage collections took (PIKIR_LOOP_STATS=1).

A benchmark cannot see a stall from outside: a reply that came late may have waited for the network,
the database or the loop. With PIKIR_LOOP_STATS set, the bot runs a task that wakes every few
milliseconds and notes how late it woke (the loop was busy or blocked that long), and times every
garbage collection with ``gc.callbacks``. SIGUSR2 logs the figures since the previous SIGUSR2 and
starts counting afresh, so that a benchmark can measure exactly the part it is interested in:

    PIKIR_LOOP longest_stall_ms=12.3 gc_longest_ms=4.1 gc_full=0 gc_full_longest_ms=0.0 tracked=81234
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import signal
import sys
import threading
import time
import traceback
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

ENABLED_BY = "PIKIR_LOOP_STATS"
TICK = 0.005  # seconds between two wake-ups of the watcher
STALL_SAMPLED = 0.08  # a stall this long has the loop thread's stack logged (where the time goes)


@dataclass
class LoopFigures:
    longest_stall: float = 0.0
    gc_longest: float = 0.0
    gc_full: int = 0
    gc_full_longest: float = 0.0


class LoopMonitor:
    """The watcher task and the collection timer; ``report()`` logs and resets the figures."""

    def __init__(self) -> None:
        self.figures = LoopFigures()
        self._gc_started = 0.0
        self._task: asyncio.Task[None] | None = None
        self._last_tick = time.monotonic()
        self._loop_thread = threading.get_ident()
        self._stopped = threading.Event()

    def start(self) -> None:
        gc.callbacks.append(self._on_gc)
        self._task = asyncio.create_task(self._watch(), name="loop-monitor")
        threading.Thread(target=self._sample_stalls, name="loop-stall-sampler", daemon=True).start()
        with contextlib.suppress(ValueError, RuntimeError):  # not in the main thread: no signal
            asyncio.get_running_loop().add_signal_handler(signal.SIGUSR2, self.report)

    async def stop(self) -> None:
        self._stopped.set()
        with contextlib.suppress(ValueError):
            gc.callbacks.remove(self._on_gc)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def report(self) -> None:
        figures, self.figures = self.figures, LoopFigures()
        log.warning(
            "PIKIR_LOOP longest_stall_ms=%.1f gc_longest_ms=%.1f gc_full=%d gc_full_longest_ms=%.1f "
            "tracked=%d",
            1000 * figures.longest_stall,
            1000 * figures.gc_longest,
            figures.gc_full,
            1000 * figures.gc_full_longest,
            len(gc.get_objects()),
        )

    async def _watch(self) -> None:
        while True:
            before = time.monotonic()
            await asyncio.sleep(TICK)
            self._last_tick = time.monotonic()
            late = self._last_tick - before - TICK
            if late > self.figures.longest_stall:
                self.figures.longest_stall = late

    def _sample_stalls(self) -> None:
        """From another thread: when the loop has not ticked for a while, log what it is doing."""
        while not self._stopped.wait(0.02):
            if time.monotonic() - self._last_tick < STALL_SAMPLED:
                continue
            frame = sys._current_frames().get(self._loop_thread)
            if frame is not None:
                stack = "".join(traceback.format_stack(frame, limit=12))
                log.warning("PIKIR_LOOP stalled for %.0f ms in:\n%s", 1000 * STALL_SAMPLED, stack)
            while time.monotonic() - self._last_tick >= STALL_SAMPLED and not self._stopped.is_set():
                time.sleep(0.01)  # one sample per stall

    def _on_gc(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._gc_started = time.perf_counter()
            return
        took = time.perf_counter() - self._gc_started
        self.figures.gc_longest = max(self.figures.gc_longest, took)
        if info.get("generation") == 2:
            self.figures.gc_full += 1
            self.figures.gc_full_longest = max(self.figures.gc_full_longest, took)


def monitor_if_asked() -> LoopMonitor | None:
    """A started monitor when PIKIR_LOOP_STATS is set (benchmarks), else None."""
    if not os.environ.get(ENABLED_BY):
        return None
    monitor = LoopMonitor()
    monitor.start()
    return monitor
