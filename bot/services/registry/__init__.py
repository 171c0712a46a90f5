"""Importing the municipal registry (oblasts, districts, municipalities, associations) from CSV or XLSX.

``parse_registry_file`` turns a file into checked rows or raises ``RegistryFileError`` with every
problem it found (each with a message key and its values); ``import_registry`` upserts the rows by
СОАТЕ code in one transaction and reports what changed (or, in a dry run, what would change). Both
return data: the channels put it in words (``bot.presentation.registry``).

The parts: ``reading`` (bytes → rows of cells), ``values`` (columns, cell values), ``problems``
(what can be wrong), ``validation`` (rows → checked RegistryRows), ``changes`` (the summary),
``planning`` (what would change), ``writing`` (apply it).
"""

from bot.services.registry.changes import (
    MAX_EXAMPLES,
    Change,
    ChangeAction,
    Counts,
    FieldChange,
    RegistryChanges,
    Unit,
)
from bot.services.registry.problems import MAX_PROBLEMS, ProblemCode, RegistryFileError, RegistryProblem
from bot.services.registry.reading import MAX_FILE_BYTES
from bot.services.registry.validation import RegistryRow, UnitRef, parse_registry_file
from bot.services.registry.values import COLUMNS, REQUIRED_COLUMNS
from bot.services.registry.writing import import_registry

__all__ = [
    "COLUMNS",
    "MAX_EXAMPLES",
    "MAX_FILE_BYTES",
    "MAX_PROBLEMS",
    "REQUIRED_COLUMNS",
    "Change",
    "ChangeAction",
    "Counts",
    "FieldChange",
    "ProblemCode",
    "RegistryChanges",
    "RegistryFileError",
    "RegistryProblem",
    "RegistryRow",
    "Unit",
    "UnitRef",
    "import_registry",
    "parse_registry_file",
]
