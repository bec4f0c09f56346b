"""Reads of Web-to-Lead settings, forms and the intake log."""

import datetime as dt
import re
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from core.models import FieldDefinition, FieldType
from core.roles import is_marketing_admin
from core.salesforce_ids import id15, id_checksum
from core.selectors import picklist_values

from .fields import SALESFORCE_FIELDS, STANDARD_ORDER, salesforce_name
from .models import Intake, WebToLeadForm, WebToLeadSettings

WINDOW = dt.timedelta(hours=24)


def webtolead_settings() -> WebToLeadSettings:
    row = WebToLeadSettings.objects.select_related("default_creator").filter(singleton=1).first()
    if row is None:
        row, _ = WebToLeadSettings.objects.get_or_create(singleton=1)
    return row


# Public keys are URL-safe tokens and Salesforce org ids letters and digits; anything else names
# no form and is not worth a query (nor can every such text be sent to the database).
_FORM_KEY_RE = re.compile(r"[A-Za-z0-9_\-]{1,40}")


def form_key_or_none(key: str) -> str | None:
    """A posted form key as stored forms could have it (public keys and Salesforce org ids are
    short), else ``None``."""
    key = (key or "").strip()
    return key if _FORM_KEY_RE.fullmatch(key) else None


def salesforce_oid_forms(oid: str) -> list[str]:
    """Both forms (15 and 18 characters) of a Salesforce org id, or [] when ``oid`` is not one."""
    short = id15(oid)
    return [] if short is None else [short, short + id_checksum(short)]


def form_for_key(key: str) -> WebToLeadForm | None:
    """The form a submission names, by its public key or its former Salesforce org id (in its
    15- or 18-character form)."""
    key = form_key_or_none(key)
    if key is None:
        return None
    match = Q(public_key=key)
    oids = salesforce_oid_forms(key)
    if oids:
        match |= Q(salesforce_oid__in=oids)
    return WebToLeadForm.objects.filter(match).order_by("-is_active").first()


def forms_visible_to(user) -> QuerySet[WebToLeadForm]:
    if not is_marketing_admin(user):
        return WebToLeadForm.objects.none()
    return WebToLeadForm.objects.select_related("created_by", "updated_by").annotate(
        submissions=Count("intakes"),
        leads_created=Count("intakes", filter=Q(intakes__outcome=Intake.Outcome.CREATED)),
    )


def intakes_visible_to(user) -> QuerySet[Intake]:
    if not is_marketing_admin(user):
        return Intake.objects.none()
    return Intake.objects.select_related("form", "lead", "processed_by", "duplicate_of")


def intake_list(*, user, outcome: str = "", form_id: int | None = None, unused: bool = False) -> QuerySet[Intake]:
    qs = intakes_visible_to(user)
    if outcome:
        qs = qs.filter(outcome=outcome)
    if form_id:
        qs = qs.filter(form_id=form_id)
    if unused:
        qs = qs.exclude(unused_values={})
    return qs


def unused_values_count(*, user) -> int:
    """Submissions with posted values we could not use (a picklist value not in our list): an admin
    adds the value and fills it in on the leads."""
    return intakes_visible_to(user).exclude(unused_values={}).count()


@dataclass(frozen=True)
class DayCount:
    day: dt.date
    form_name: str
    form_id: int | None
    total: int
    created: int
    pending: int
    spam: int
    rejected: int
    duplicate: int


def intake_counters(*, user, days: int = 14) -> list[DayCount]:
    """Submissions per form and day for the last ``days`` days, newest day first."""
    since = timezone.now() - dt.timedelta(days=days)
    outcome = Intake.Outcome
    rows = (
        intakes_visible_to(user)
        .filter(received_at__gte=since)
        .annotate(day=TruncDate("received_at"))
        .values("day", "form_id", "form__name")
        .annotate(
            total=Count("id"),
            created=Count("id", filter=Q(outcome=outcome.CREATED)),
            pending=Count("id", filter=Q(outcome__in=[outcome.PENDING, outcome.RECEIVED])),
            spam=Count("id", filter=Q(outcome=outcome.SPAM)),
            rejected=Count("id", filter=Q(outcome=outcome.REJECTED)),
            duplicate=Count("id", filter=Q(outcome=outcome.DUPLICATE)),
        )
        .order_by("-day", "form__name")
    )
    return [
        DayCount(
            day=r["day"],
            form_name=r["form__name"] or "(unknown form)",
            form_id=r["form_id"],
            total=r["total"],
            created=r["created"],
            pending=r["pending"],
            spam=r["spam"],
            rejected=r["rejected"],
            duplicate=r["duplicate"],
        )
        for r in rows
    ]


def leads_created_in_window(*, now=None) -> int:
    now = now or timezone.now()
    return Intake.objects.filter(outcome=Intake.Outcome.CREATED, processed_at__gt=now - WINDOW).count()


def pending_count() -> int:
    return Intake.objects.filter(outcome=Intake.Outcome.PENDING).count()


@dataclass(frozen=True)
class AvailableField:
    name: str  # the name posted by the form (Salesforce name or custom API name)
    lead_field: str
    label: str
    field_type: str
    is_custom: bool
    max_length: int | None
    help_text: str
    choices: list[tuple[str, str]]


def available_fields() -> list[AvailableField]:
    """Every lead field a web form may carry, standard (in Salesforce's order) then custom."""
    from leads.models import Lead

    definitions = {
        d.api_name: d
        for d in FieldDefinition.objects.filter(object_name="lead", is_active=True).order_by("sort_order", "id")
    }
    result = []
    lead_fields = {lf: sf for sf, lf in SALESFORCE_FIELDS.items()}
    ordered = [SALESFORCE_FIELDS[name] for name in STANDARD_ORDER] + [
        api for api, d in definitions.items() if d.is_custom
    ]
    for lead_field in ordered:
        definition = definitions.get(lead_field)
        if definition is None:
            continue
        if definition.is_custom:
            max_length = definition.max_length
        else:
            max_length = getattr(Lead._meta.get_field(lead_field), "max_length", None)
        choices = []
        if definition.field_type == FieldType.PICKLIST:
            choices = [
                (v.api_name, v.label)
                for v in picklist_values(object_name="lead", field_name=lead_field, active_only=True)
            ]
        result.append(
            AvailableField(
                name=lead_fields.get(lead_field) or salesforce_name(lead_field),
                lead_field=lead_field,
                label=definition.label,
                field_type=definition.field_type,
                is_custom=definition.is_custom,
                max_length=max_length,
                help_text=definition.help_text,
                choices=choices,
            )
        )
    return result


def picklist_usages(value) -> list[str]:
    """Web forms that use a lead source as their default keep it from being removed."""
    if value.object_name != "lead" or value.field_name != "lead_source":
        return []
    names = WebToLeadForm.objects.filter(lead_source=value.api_name).values_list("name", flat=True)
    return [f"Web-to-Lead form “{name}” uses it as its default lead source." for name in names]
