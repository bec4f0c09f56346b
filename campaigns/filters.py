"""The campaign FilterSet, shared by the campaign list page and ``GET /api/campaigns/``."""

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from core.selectors import picklist_values

from .fields import CAMPAIGN
from .models import Campaign


def _choices(field_name: str):
    def choices():
        # Inactive values stay filterable: old campaigns still hold them.
        return [(v.api_name, v.label) for v in picklist_values(object_name=CAMPAIGN, field_name=field_name)]

    return choices


class CampaignFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    type = django_filters.ChoiceFilter(choices=_choices("type"), label=_("Type"))
    status = django_filters.ChoiceFilter(choices=_choices("status"), label=_("Status"))
    is_active = django_filters.BooleanFilter(label=_("Active"))
    # By id: a campaign list can be long; the list page leaves it out of its form.
    parent = django_filters.NumberFilter(field_name="parent_id", label=_("Parent Campaign (id)"))
    owner = django_filters.ModelChoiceFilter(
        queryset=lambda request: get_user_model().objects.filter(is_active=True), label=_("Owner")
    )

    class Meta:
        model = Campaign
        fields = ["q", "type", "status", "is_active", "parent", "owner"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.form.fields.items():
            field.widget.attrs.setdefault("class", "form-control" if name == "q" else "form-select")

    def filter_q(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        value = (value or "").strip()
        if not value:
            return qs
        return qs.filter(Q(name__icontains=value) | Q(tracking_code__iexact=value))
