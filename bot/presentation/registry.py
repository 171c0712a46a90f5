"""The registry import in words, in the current locale: the problems of a refused file and the changes
of an import, for the bot's /import and for ``python -m bot import-registry`` alike."""

from __future__ import annotations

from bot.i18n import _, format_number
from bot.services.registry import Change, ChangeAction, RegistryChanges, RegistryProblem, Unit


def describe_problem(problem: RegistryProblem) -> str:
    """One sentence in the current locale, naming the row, the column and the bad value."""
    return _(problem.key).format(**problem.params)


def _shown(value: str | int | None) -> str:
    if value is None or value == "":
        return "—"
    return format_number(value) if isinstance(value, int) else value


def _describe_change(change: Change) -> str:
    place = f"{change.name} ({change.soate})" if change.soate else change.name
    if change.unit is Unit.MEMBERSHIP:
        if change.action is ChangeAction.REMOVED:
            return _("- {municipality} leaves {association}").format(
                municipality=place, association=change.association
            )
        return _("+ {municipality} joins {association}").format(
            municipality=place, association=change.association
        )
    line = f"{change.action.value} {place}"
    if change.fields:
        line += ": " + "; ".join(
            f"{item.column} {_shown(item.old)} → {_shown(item.new)}" for item in change.fields
        )
    return line


def describe_changes(changes: RegistryChanges) -> str:
    """A summary in the current locale: counts per kind of unit, then example lines of what changed."""
    units = _("{label}: added {added}, updated {updated}, unchanged {unchanged}")
    lines = []
    for label, counts in (
        (_("Oblasts and cities of republican rank"), changes.oblasts),
        (_("Districts"), changes.districts),
        (_("Municipalities"), changes.municipalities),
        (_("Associations"), changes.associations),
    ):
        if counts.total:
            lines.append(
                units.format(
                    label=label,
                    added=format_number(counts.added),
                    updated=format_number(counts.updated),
                    unchanged=format_number(counts.unchanged),
                )
            )
    if changes.memberships.total:
        lines.append(
            _("Association memberships: added {added}, removed {removed}, unchanged {unchanged}").format(
                added=format_number(changes.memberships.added),
                removed=format_number(changes.memberships.removed),
                unchanged=format_number(changes.memberships.unchanged),
            )
        )
    if changes.not_in_file:
        lines.append(
            _("Municipalities in the registry but not in the file (kept as they are): {count}").format(
                count=format_number(changes.not_in_file)
            )
        )
    if not changes.changed:
        lines.append(_("Nothing to change: the registry already matches the file."))
        return "\n".join(lines)
    lines.append("")
    lines.extend(_describe_change(change) for change in changes.examples)
    if changes.changed > len(changes.examples):
        lines.append(
            _("…and more changes: {count}").format(
                count=format_number(changes.changed - len(changes.examples))
            )
        )
    return "\n".join(lines)
