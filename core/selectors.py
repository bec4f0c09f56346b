"""Reads of shared configuration."""

from .models import FieldDefinition, OrgSettings, PicklistValue


def org_settings() -> OrgSettings:
    settings_row, _ = OrgSettings.objects.get_or_create(singleton=1)
    return settings_row


def picklist_values(*, object_name: str, field_name: str, active_only: bool = False):
    qs = PicklistValue.objects.filter(object_name=object_name, field_name=field_name)
    if active_only:
        qs = qs.filter(is_active=True)
    return qs.order_by("sort_order", "id")


def picklist_default(*, object_name: str, field_name: str) -> str | None:
    return (
        PicklistValue.objects.filter(object_name=object_name, field_name=field_name, is_default=True)
        .values_list("api_name", flat=True)
        .first()
    )


def picklist_labels(*, object_name: str) -> dict[str, dict[str, str]]:
    """``{field: {api_name: label}}`` for all picklists of an object, in one query."""
    labels: dict[str, dict[str, str]] = {}
    for field, api, label in PicklistValue.objects.filter(object_name=object_name).values_list(
        "field_name", "api_name", "label"
    ):
        labels.setdefault(field, {})[api] = label
    return labels


def field_definitions(*, object_name: str, custom_only: bool = False, active_only: bool = True):
    qs = FieldDefinition.objects.filter(object_name=object_name)
    if custom_only:
        qs = qs.filter(is_custom=True)
    if active_only:
        qs = qs.filter(is_active=True)
    return qs.order_by("sort_order", "id")


def field_labels(*, object_name: str) -> dict[str, str]:
    return dict(FieldDefinition.objects.filter(object_name=object_name).values_list("api_name", "label"))
