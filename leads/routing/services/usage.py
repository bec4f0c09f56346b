"""Where lead routing uses a picklist value (so the value cannot be deleted)."""

from __future__ import annotations

from ...fields import OBJECT_NAME
from ..models import RuleEntry


def picklist_usage(value) -> list[str]:
    """Rule entries whose criteria use a lead picklist value (so the value cannot be deleted)."""
    if value.object_name != OBJECT_NAME:
        return []
    usages = []
    for entry in RuleEntry.objects.select_related("rule").order_by("rule__name", "sort_order"):
        for criterion in entry.criteria or []:
            if not isinstance(criterion, dict) or criterion.get("field") != value.field_name:
                continue
            values = criterion.get("value")
            values = values if isinstance(values, list) else [values]
            if value.api_name in values:
                usages.append(f"Assignment rule “{entry.rule.name}”, entry {entry.sort_order} uses it in its criteria.")
                break
    return usages
