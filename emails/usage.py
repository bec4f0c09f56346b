"""Places in the emails app that use a picklist value (so that it cannot be deleted meanwhile)."""

from .models import AutoResponseEntry

OBJECT_NAME = "lead"


def _uses(criterion: dict, field_name: str, api_name: str) -> bool:
    if not isinstance(criterion, dict) or criterion.get("field") != field_name:
        return False
    value = criterion.get("value")
    values = value if isinstance(value, list) else [value]
    return api_name in [str(v) for v in values if v is not None]


def autoresponse_picklist_usage(value) -> list[str]:
    """A provider for ``core.registry.register_picklist_usage``."""
    if value.object_name != OBJECT_NAME:
        return []
    usages = []
    for entry in AutoResponseEntry.objects.select_related("rule").order_by("rule__name", "sort_order"):
        if any(_uses(c, value.field_name, value.api_name) for c in entry.criteria or []):
            usages.append(f"Auto-response rule “{entry.rule.name}”, entry {entry.sort_order}.")
    return usages
