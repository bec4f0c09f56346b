"""The SLA columns of the lead list and the lead API: when the first touch is due and the
clock's state now, sortable by due time and filterable by state."""

from __future__ import annotations

import datetime as dt

import django_filters
from django.db.models import Case, CharField, F, Q, QuerySet, Value, When
from django.db.models.functions import Now
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.fields import localized_datetime
from core.registry import ListExtension

from .models import LeadSla
from .selectors import AT_RISK

STATES = [
    ("open", _("Open")),
    ("at_risk", _("Breaching within 30 min")),
    ("breached", _("Breached")),
    ("met", _("Met")),
]


def annotate(qs: QuerySet) -> QuerySet:
    """One join on the lead's clock (its primary key is the lead's)."""
    return qs.annotate(
        sla_due_at=F("sla__due_at"),
        sla_status=Case(
            When(sla__status=LeadSla.Status.MET, then=Value("met")),
            When(sla__status=LeadSla.Status.BREACHED, then=Value("breached")),
            When(Q(sla__status=LeadSla.Status.OPEN, sla__due_at__lte=Now()), then=Value("breached")),
            When(Q(sla__status=LeadSla.Status.OPEN, sla__due_at__lte=Now() + AT_RISK), then=Value("at_risk")),
            When(sla__status=LeadSla.Status.OPEN, then=Value("open")),
            default=Value(""),
            output_field=CharField(),
        ),
    )


def display(key: str, value) -> str:
    if value in (None, ""):
        return ""
    if key == "sla_due_at":
        when = localized_datetime(value)
        left = value - timezone.now()
        if left <= dt.timedelta(0):
            return _("%(when)s (past due)") % {"when": when}
        if left <= AT_RISK:
            return _("%(when)s (breaching in %(minutes)s min)") % {
                "when": when,
                "minutes": int(left.total_seconds() // 60),
            }
        return when
    return str(dict(STATES).get(value, value))


def _filter_status(queryset, name, value):
    return queryset.filter(sla_status=value) if value else queryset


def filters() -> dict:
    return {
        "sla_status": django_filters.ChoiceFilter(
            label=_("SLA"), choices=STATES, method=_filter_status, empty_label=_("Any SLA state")
        )
    }


def api_fields() -> dict:
    return {
        "sla_due_at": serializers.DateTimeField(
            read_only=True, allow_null=True, help_text=_("When a person must first touch the lead (its SLA policy).")
        ),
        "sla_status": serializers.CharField(
            read_only=True, help_text=_('"" (no SLA), open, at_risk (due within 30 minutes), breached or met.')
        ),
    }


SLA_COLUMNS = ListExtension(
    object_name="lead",
    key="sla",
    annotate=annotate,
    columns=(("sla_due_at", _("SLA due"), "datetime"), ("sla_status", _("SLA"), "text")),
    display=display,
    ordering={"sla_due_at": ("sla_due_at",)},
    filters=filters,
    api_fields=api_fields,
    order=50,
)
