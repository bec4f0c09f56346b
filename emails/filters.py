"""The outbox FilterSet: status, kind, date and recipient; serves the outbox page and the API."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy

from .models import OutboundEmail


class OutboundEmailFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=OutboundEmail.Status.choices, empty_label=gettext_lazy("Any status"))
    kind = django_filters.ChoiceFilter(choices=OutboundEmail.Kind.choices, empty_label=gettext_lazy("Any kind"))
    recipient = django_filters.CharFilter(
        field_name="to_address", lookup_expr="icontains", label=gettext_lazy("Recipient")
    )
    date_from = django_filters.DateFilter(
        field_name="created_at",
        lookup_expr="date__gte",
        label=gettext_lazy("Created from"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = django_filters.DateFilter(
        field_name="created_at",
        lookup_expr="date__lte",
        label=gettext_lazy("Created until"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = OutboundEmail
        fields = ["status", "kind", "recipient", "date_from", "date_to"]
