"""The "last activity" column and filter of the lead list (page and API): the time of the lead's
newest engagement event or of the last time a person worked it (a note, a call, a completed task:
the lead-touch hook, a status change), which engagement keeps on the lead row
(``leads.sort_keys``; ``lead_last_activity_idx`` serves the sort), registered with ``core.registry`` so that the leads app never imports engagement."""

from __future__ import annotations

import datetime as dt

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.fields import localized_datetime
from core.registry import ListExtension


def annotate(qs: QuerySet) -> QuerySet:
    """Nothing to join: the last activity is a column of the lead row."""
    return qs


def display(key: str, value) -> str:
    return localized_datetime(value) if value else ""


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _from(qs: QuerySet, name: str, value: dt.date) -> QuerySet:
    return qs.filter(last_activity_at__gte=_day_start(value)) if value else qs


def _to(qs: QuerySet, name: str, value: dt.date) -> QuerySet:
    return qs.filter(last_activity_at__lt=_day_start(value + dt.timedelta(days=1))) if value else qs


def filters() -> dict:
    widget = forms.DateInput(attrs={"type": "date"})
    return {
        "last_activity_from": django_filters.DateFilter(method=_from, label=_("Last activity from"), widget=widget),
        "last_activity_to": django_filters.DateFilter(method=_to, label=_("Last activity to"), widget=widget),
    }


def api_fields() -> dict:
    return {
        "last_activity_at": serializers.DateTimeField(
            read_only=True,
            allow_null=True,
            help_text=_("The time of the lead's newest engagement event, note, call or completed task."),
        )
    }


EXTENSION = ListExtension(
    object_name="lead",
    key="last_activity",
    annotate=annotate,
    columns=(("last_activity_at", _("Last Activity"), "datetime"),),
    display=display,
    ordering={"last_activity_at": ("last_activity_at",)},
    filters=filters,
    api_fields=api_fields,
    order=20,
)
