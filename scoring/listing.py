"""The score columns and filters of the lead list (page and API): the default model's score,
grade and the time it was computed, which scoring keeps on the lead row (``leads.sort_keys``;
``lead_score_idx`` serves the sort), registered with ``core.registry`` so that the leads app never
imports scoring."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.fields import localized_datetime
from core.registry import ListExtension

from .models import LeadScore, ScoringModel

COLUMNS = (
    ("score", _("Score"), "number"),
    ("grade", _("Grade"), "text"),
    ("score_updated_at", _("Score Updated"), "datetime"),
)


def default_model_id() -> int | None:
    return ScoringModel.objects.filter(is_default=True).values_list("pk", flat=True).first()


def annotate(qs: QuerySet) -> QuerySet:
    """Nothing to join: the default model's score, grade and time are columns of the lead row."""
    return qs


def display(key: str, value) -> str:
    if value is None:
        return ""
    if key == "score_updated_at":
        return localized_datetime(value)
    return str(value)


def filters() -> dict:
    return {
        "score_min": django_filters.NumberFilter(
            field_name="score", lookup_expr="gte", label=_("Score (min)"), widget=forms.NumberInput
        ),
        "score_max": django_filters.NumberFilter(
            field_name="score", lookup_expr="lte", label=_("Score (max)"), widget=forms.NumberInput
        ),
        "grade": django_filters.MultipleChoiceFilter(
            field_name="grade",
            label=_("Grade"),
            choices=LeadScore.Grade.choices,
            widget=forms.CheckboxSelectMultiple,
            distinct=False,
        ),
    }


def api_fields() -> dict:
    return {
        "score": serializers.IntegerField(
            read_only=True, allow_null=True, help_text=_("The default scoring model's score (0–100); null if unscored.")
        ),
        "grade": serializers.CharField(
            read_only=True, allow_null=True, help_text=_("The default scoring model's grade (A–D, from fit).")
        ),
        "score_updated_at": serializers.DateTimeField(
            read_only=True, allow_null=True, help_text=_("When the default model's score or grade last changed.")
        ),
    }


EXTENSION = ListExtension(
    object_name="lead",
    key="score",
    annotate=annotate,
    columns=COLUMNS,
    display=display,
    ordering={"score": ("score",), "grade": ("grade",), "score_updated_at": ("score_updated_at",)},
    filters=filters,
    api_fields=api_fields,
    order=10,
)
