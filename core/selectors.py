"""Reads of shared configuration."""

from dataclasses import dataclass

from django.db.models import Count, Q, TextField
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast

from . import registry
from .memo import memoized
from .models import FieldDefinition, FieldType, OrgSettings, PicklistValue, RecycleBinEntry
from .picklist_values import value_set_objects
from .translation import picklist_label


def org_settings() -> OrgSettings:
    return memoized(("org_settings",), lambda: OrgSettings.objects.get_or_create(singleton=1)[0])


def picklist_values(*, object_name: str, field_name: str, active_only: bool = False):
    qs = PicklistValue.objects.filter(object_name=object_name, field_name=field_name)
    if active_only:
        qs = qs.filter(is_active=True)
    return qs.order_by("sort_order", "id")


def picklist_default(*, object_name: str, field_name: str) -> str | None:
    return memoized(
        ("picklist_default", object_name, field_name),
        lambda: (
            PicklistValue.objects.filter(object_name=object_name, field_name=field_name, is_default=True)
            .values_list("api_name", flat=True)
            .first()
        ),
    )


def picklist_labels(*, object_name: str) -> dict[str, dict[str, str]]:
    """``{field: {api_name: label}}`` for all picklists of an object, in one query."""
    labels: dict[str, dict[str, str]] = {}
    for field, api, label in PicklistValue.objects.filter(object_name=object_name).values_list(
        "field_name", "api_name", "label"
    ):
        labels.setdefault(field, {})[api] = picklist_label(
            label, object_name=object_name, field_name=field, api_name=api
        )
    return labels


def field_definitions(*, object_name: str, custom_only: bool = False, active_only: bool = True):
    qs = FieldDefinition.objects.filter(object_name=object_name)
    if custom_only:
        qs = qs.filter(is_custom=True)
    if active_only:
        qs = qs.filter(is_active=True)
    return qs.order_by("sort_order", "id")


def field_labels(*, object_name: str) -> dict[str, str]:
    return dict(
        memoized(
            ("field_labels", object_name),
            lambda: tuple(FieldDefinition.objects.filter(object_name=object_name).values_list("api_name", "label")),
        )
    )


# Setup pages ------------------------------------------------------------------------------------

# Flag columns that matter for particular picklists (the setup page shows only these).
PICKLIST_FLAGS: dict[tuple[str, str], tuple[str, ...]] = {
    ("lead", "status"): ("is_converted",),
    ("opportunity", "stage"): ("is_closed", "is_won", "probability"),
}
FLAG_LABELS = {"is_converted": "Converted", "is_closed": "Closed", "is_won": "Won", "probability": "Probability (%)"}


def picklist_flags(object_name: str, field_name: str) -> tuple[str, ...]:
    return PICKLIST_FLAGS.get((object_name, field_name), ())


@dataclass(frozen=True)
class PicklistField:
    """One picklist field of one object, as listed on the Picklists setup page."""

    object_name: str
    object_label: str
    field_name: str
    label: str
    is_custom: bool
    is_active: bool
    value_count: int
    active_count: int
    default_label: str

    @property
    def shared_with(self) -> list[str]:
        """The other objects whose picklist shares this one's values (a global value set)."""
        labels = []
        for name in value_set_objects(self.object_name, self.field_name)[1:]:
            try:
                labels.append(registry.object_spec(name).label)
            except KeyError:
                continue
        return labels


def picklist_fields(*, object_name: str | None = None) -> list[PicklistField]:
    """Every picklist of every registered object (standard columns and picklist-type custom fields),
    in a fixed number of queries."""
    specs = [s for s in registry.registered_objects() if object_name is None or s.name == object_name]
    names = [s.name for s in specs]
    definitions = {
        (d.object_name, d.api_name): d
        for d in FieldDefinition.objects.filter(object_name__in=names, field_type=FieldType.PICKLIST)
    }
    counts: dict[tuple[str, str], dict] = {}
    for row in (
        PicklistValue.objects.filter(object_name__in=names)
        .values("object_name", "field_name")
        .annotate(total=Count("id"), active=Count("id", filter=Q(is_active=True)))
    ):
        counts[(row["object_name"], row["field_name"])] = row
    defaults = {
        (o, f): label
        for o, f, label in PicklistValue.objects.filter(object_name__in=names, is_default=True).values_list(
            "object_name", "field_name", "label"
        )
    }
    result = []
    for spec in specs:
        keys = [(spec.name, f) for f in spec.picklist_fields]
        sorted_defs = sorted(
            (d for (o, _), d in definitions.items() if o == spec.name), key=lambda d: (d.sort_order, d.id)
        )
        keys = [(spec.name, d.api_name) for d in sorted_defs] + [k for k in keys if k not in definitions]
        for key in keys:
            definition = definitions.get(key)
            row = counts.get(key, {})
            result.append(
                PicklistField(
                    object_name=spec.name,
                    object_label=spec.label,
                    field_name=key[1],
                    label=definition.label if definition else key[1].replace("_", " ").title(),
                    is_custom=bool(definition and definition.is_custom),
                    is_active=definition.is_active if definition else True,
                    value_count=row.get("total", 0),
                    active_count=row.get("active", 0),
                    default_label=defaults.get(key, ""),
                )
            )
    return result


def picklist_field(*, object_name: str, field_name: str) -> PicklistField | None:
    return next((f for f in picklist_fields(object_name=object_name) if f.field_name == field_name), None)


def picklist_record_counts(*, object_name: str, field_name: str) -> dict[str, int]:
    """``{api_name: number of records holding it}`` for one picklist, in one query."""
    try:
        spec = registry.object_spec(object_name)
    except KeyError:
        return {}
    column = spec.picklist_fields.get(field_name)
    records = spec.model._default_manager.all()
    if not column:
        # Custom API names contain "__" ("Tier__c"), so the key is named explicitly.
        records = records.annotate(_picklist_value=Cast(KeyTextTransform(field_name, "custom_fields"), TextField()))
        column = "_picklist_value"
    # Blank values are left out in Python: an isnull lookup on a JSON key is not portable.
    rows = records.values(column).annotate(n=Count("pk")).order_by()
    return {str(row[column]): row["n"] for row in rows if row[column] not in (None, "")}


def recycle_bin_entries(*, user, object_name: str | None = None):
    """The Recycle Bin a user sees: admins all of it; others what they deleted or owned."""
    from .roles import sees_all_records

    entries = RecycleBinEntry.objects.select_related("deleted_by", "owner_user")
    if object_name:
        entries = entries.filter(object_name=object_name)
    if not getattr(user, "is_authenticated", False):
        return entries.none()
    if sees_all_records(user):
        return entries
    return entries.filter(Q(deleted_by=user) | Q(owner_user=user))
