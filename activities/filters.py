"""One FilterSet per activity, shared by the API (and any list page)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from .models import Call, Event, Task

RELATED = ["lead", "contact", "account", "opportunity", "assigned_to"]


class TaskFilter(django_filters.FilterSet):
    due_after = django_filters.DateFilter(field_name="due_date", lookup_expr="gte", label=_("Due on or after"))
    due_before = django_filters.DateFilter(field_name="due_date", lookup_expr="lte", label=_("Due on or before"))
    open = django_filters.BooleanFilter(method="filter_open", label=_("Open"))

    class Meta:
        model = Task
        fields = ["status", "priority", *RELATED]

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        if value:
            return queryset.exclude(status=Task.Status.COMPLETED)
        return queryset.filter(status=Task.Status.COMPLETED)


class EventFilter(django_filters.FilterSet):
    starts_after = django_filters.IsoDateTimeFilter(
        field_name="start_at", lookup_expr="gte", label=_("Starts at or after")
    )
    starts_before = django_filters.IsoDateTimeFilter(
        field_name="start_at", lookup_expr="lte", label=_("Starts at or before")
    )

    class Meta:
        model = Event
        fields = RELATED


class CallFilter(django_filters.FilterSet):
    called_after = django_filters.IsoDateTimeFilter(
        field_name="called_at", lookup_expr="gte", label=_("Called at or after")
    )
    called_before = django_filters.IsoDateTimeFilter(
        field_name="called_at", lookup_expr="lte", label=_("Called at or before")
    )

    class Meta:
        model = Call
        fields = ["outcome", *RELATED]
