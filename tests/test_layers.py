"""The domain is channel-free: no module of bot/services or bot/flows translates or knows aiogram."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOMAIN_DIRS = [ROOT / "bot" / "services", ROOT / "bot" / "flows"]

# Translating (_, ngettext, ...), entering the reader's locale (use_locale) and formatting for the
# reader (format_number, format_date) belong to the channel: nothing of bot.i18n is for the domain.


def channel_imports(source: str) -> list[str]:
    """The imports in ``source`` that only the channel may make, as «module: name» strings."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [
                alias.name
                for alias in node.names
                if alias.name.split(".")[0] == "aiogram" or alias.name == "bot.i18n"
            ]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.split(".")[0] == "aiogram":
                found.append(node.module)
            elif node.module == "bot.i18n":
                found += [f"bot.i18n: {alias.name}" for alias in node.names]
            elif node.module == "bot":
                found += [f"bot: {a.name}" for a in node.names if a.name == "i18n"]
    return found


def domain_modules() -> list[str]:
    return sorted(str(path.relative_to(ROOT)) for folder in DOMAIN_DIRS for path in folder.rglob("*.py"))


@pytest.mark.parametrize("module", domain_modules())
def test_domain_module_neither_translates_nor_imports_aiogram(module: str) -> None:
    assert channel_imports((ROOT / module).read_text("utf-8")) == [], (
        f"{module}: return data and message keys (bot.errors.N_); translate in the channel"
    )


def test_the_check_sees_each_way_of_importing_the_channel() -> None:
    source = (
        "import aiogram\nfrom aiogram.types import Message\nfrom bot.i18n import _, format_number\n"
        "from bot.i18n import use_locale as entered\nfrom bot import i18n\nfrom bot.errors import N_\n"
    )
    assert channel_imports(source) == [
        "aiogram",
        "aiogram.types",
        "bot.i18n: _",
        "bot.i18n: format_number",
        "bot.i18n: use_locale",
        "bot: i18n",
    ]
    modules = domain_modules()
    assert "bot/services/answers/__init__.py" in modules and "bot/flows/__init__.py" in modules
