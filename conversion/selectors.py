"""Reads for conversion: suggestions on the convert page, the mapping tables, past conversions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from core.memo import memoized
from core.models import FieldDefinition, PicklistValue
from leads.models import Lead
from leads.processes.selectors import lead_process_statuses, lead_record_type_of
from sales import selectors as sales_selectors
from sales.models import Account, Contact

from .mapping import PAGE_SET_FIELDS, STANDARD_MAPPING, TARGET_LABELS, TARGET_OBJECTS, TYPE_COMPATIBILITY
from .models import LeadConversion, LeadFieldMapping

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def converted_statuses(*, lead: Lead | None = None) -> list[PicklistValue]:
    """The active Lead Status values flagged converted, in picklist order (the first is the default);
    for a lead, those its record type's process offers (in the process's order) when it offers any."""
    values = list(
        PicklistValue.objects.filter(
            object_name="lead", field_name="status", is_converted=True, is_active=True
        ).order_by("sort_order", "id")
    )
    if lead is None:
        return values
    offered = lead_process_statuses(lead_record_type_of(lead))
    in_process = sorted((v for v in values if v.api_name in offered), key=lambda v: offered.index(v.api_name))
    return in_process or values


def opportunity_stages() -> QuerySet[PicklistValue]:
    return PicklistValue.objects.filter(object_name="opportunity", field_name="stage", is_active=True).order_by(
        "sort_order", "id"
    )


def default_stage(stages: list[PicklistValue] | None = None) -> str:
    """The stage a new opportunity gets: the picklist default, else the first open stage."""
    stages = list(opportunity_stages()) if stages is None else stages
    for value in stages:
        if value.is_default:
            return value.api_name
    open_stages = [v for v in stages if not v.is_closed]
    return (open_stages or stages)[0].api_name if stages else ""


def opportunity_required() -> bool:
    """Whether Lead Settings make an opportunity mandatory at conversion."""
    from leads.routing.selectors import lead_settings

    return bool(lead_settings().opportunity_required_on_convert)


def default_owner(lead: Lead, acting_user: User):
    """The lead's owner; the converting user when a queue owns the lead."""
    owner = lead.owner_user if lead.owner_user_id else None
    if owner is not None and owner.is_active:
        return owner
    return acting_user


def record_type_restrictions(record_type) -> dict[str, set[str]]:
    """Picklist field -> the values the record type offers (fields it leaves open are absent)."""
    if record_type is None:
        return {}

    def read() -> dict[str, set[str]]:
        allowed: dict[str, set[str]] = {}
        for field_name, api_name in record_type.picklist_values.values_list("field_name", "api_name"):
            allowed.setdefault(field_name, set()).add(api_name)
        return allowed

    return memoized(("record_type_restrictions", record_type.pk), read)


def conversion_of(*, lead: Lead) -> LeadConversion | None:
    return (
        LeadConversion.objects.select_related("account", "contact", "opportunity", "owner", "converted_by")
        .filter(lead=lead)
        .first()
    )


def account_suggestions(*, user, lead: Lead) -> list[Account]:
    """Existing accounts the lead's company may be: by name, website domain or email domain."""
    return sales_selectors.account_matches(user=user, name=lead.company, website=lead.website, email=lead.email)


def account_search(*, user, q: str, limit: int = 10) -> list[Account]:
    q = (q or "").strip()
    if not q:
        return []
    return list(sales_selectors.account_list(user=user, q=q)[:limit])


def contact_suggestions(*, user, lead: Lead, account: Account | None) -> list[Contact]:
    """Contacts of the chosen account that may be the lead's person: by email, then by name."""
    if account is None:
        return []
    return sales_selectors.contact_matches(
        user=user, account=account, email=lead.email, first_name=lead.first_name, last_name=lead.last_name
    )


def owner_choices() -> QuerySet:
    return get_user_model().objects.filter(is_active=True).order_by("first_name", "last_name", "username")


def field_mappings() -> QuerySet[LeadFieldMapping]:
    return LeadFieldMapping.objects.select_related("lead_field", "target_field", "created_by").order_by(
        "target_object", "lead_field__label", "id"
    )


def standard_mapping_rows() -> list[dict]:
    """The fixed mapping table with the current field labels, grouped by target object."""
    labels: dict[tuple[str, str], str] = {
        (o, a): label
        for o, a, label in FieldDefinition.objects.filter(object_name__in=("lead", *TARGET_OBJECTS)).values_list(
            "object_name", "api_name", "label"
        )
    }
    groups = []
    for target in TARGET_OBJECTS:
        rows = [
            {
                "lead_field": lead_field,
                "lead_label": labels.get(("lead", lead_field), lead_field),
                "target_field": target_field,
                "target_label": labels.get((target, target_field), target_field),
            }
            for lead_field, obj, target_field in STANDARD_MAPPING
            if obj == target
        ]
        page_set = [
            {"target_field": f, "target_label": labels.get((target, f), f), "source": source}
            for obj, f, source in PAGE_SET_FIELDS
            if obj == target
        ]
        groups.append({"object": target, "label": TARGET_LABELS[target], "rows": rows, "page_set": page_set})
    return groups


def compatibility_rows() -> list[tuple[str, list[str]]]:
    from core.models import FieldType

    return [
        (str(FieldType(source).label), sorted(str(FieldType(t).label) for t in targets))
        for source, targets in TYPE_COMPATIBILITY.items()
    ]


def mappable_lead_fields() -> QuerySet[FieldDefinition]:
    return FieldDefinition.objects.filter(object_name="lead", is_custom=True, is_active=True).order_by("label")


def mappable_target_fields() -> QuerySet[FieldDefinition]:
    return FieldDefinition.objects.filter(object_name__in=TARGET_OBJECTS, is_custom=True, is_active=True).order_by(
        "object_name", "label"
    )
