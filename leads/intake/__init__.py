"""Lead intake: the one way new leads come in, whatever the entry point.

- ``single``: one lead (``lead_intake``, ``intake_row``) and what both paths share
  (``IntakeOptions``, ``IntakeRow``, ``IntakeResult``, ``IntakeRules``);
- ``batch``: many leads in one transaction (``intake_batch``), with the results of one at a time.

Every public name is re-exported here: import from ``leads.intake``.
"""

from .batch import BATCH_SIZE, intake_batch
from .single import (
    SOURCES,
    DuplicateLeadError,
    IntakeOptions,
    IntakeResult,
    IntakeRow,
    IntakeRules,
    intake_row,
    lead_duplicates_check,
    lead_edit_duplicates_check,
    lead_intake,
)

__all__ = [
    "BATCH_SIZE",
    "SOURCES",
    "DuplicateLeadError",
    "IntakeOptions",
    "IntakeResult",
    "IntakeRow",
    "IntakeRules",
    "intake_batch",
    "intake_row",
    "lead_duplicates_check",
    "lead_edit_duplicates_check",
    "lead_intake",
]
