"""aiogram routers, one module per feature; ``all_routers()`` lists them in the order they must run."""

from __future__ import annotations

from aiogram import Router


def all_routers() -> list[Router]:
    """Fresh routers for one dispatcher (a router can belong to only one, so none is made at import)."""
    from handlers import (
        answers,
        common,
        consultation_wizard,
        consultations,
        errors,
        picker,
        positions,
        procedures,
        registry,
        reminders,
        reports,
        responses,
        settings,
        signup,
        staff,
        surveys,
    )

    # Commands come first so they work inside any dialogue step; the catch-all goes last.
    return [
        common.create_router(),
        settings.create_router(),
        staff.create_router(),
        registry.create_router(),
        consultations.create_router(),
        answers.create_router(),
        responses.create_router(),
        reminders.create_router(),
        positions.create_router(),
        procedures.create_router(),
        surveys.create_router(),
        reports.create_router(),
        consultation_wizard.create_router(),
        picker.create_router(),
        signup.create_router(),
        errors.create_router(),
    ]
