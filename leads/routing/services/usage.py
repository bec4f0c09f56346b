"""Where lead routing uses a picklist value (so the value cannot be deleted)."""

from core import rules

from .rules import ASSIGNMENT


def picklist_usage(value) -> list[str]:
    """Assignment rule entries whose criteria use a lead picklist value."""
    return rules.picklist_usage(kind=ASSIGNMENT, value=value)
