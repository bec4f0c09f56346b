"""Lead list filters by campaign and by Web-to-Lead form (``core.registry`` list extension).

Reports filter their leads with the lead list's own FilterSet so that every drill-down opens the
same leads; these two filters live here, above leads, campaigns and webtolead, which the leads
app must not import."""

import django_filters
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.choices import CallableChoiceIterator
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from campaigns.models import Campaign, CampaignMember
from core.registry import ListExtension
from webtolead.models import Intake, WebToLeadForm


def _campaign_choices() -> list[tuple[int, str]]:
    return list(Campaign.objects.order_by("name").values_list("pk", "name"))


def _form_choices() -> list[tuple[int, str]]:
    return list(WebToLeadForm.objects.order_by("name").values_list("pk", "name"))


def _in_campaign(qs: QuerySet, name: str, value) -> QuerySet:
    if not value:
        return qs
    # A converted lead's membership passed to its contact and remembers the lead.
    members = CampaignMember.objects.filter(campaign_id=int(value)).filter(
        Q(lead=OuterRef("pk")) | Q(converted_lead=OuterRef("pk"))
    )
    return qs.filter(Exists(members))


def _from_form(qs: QuerySet, name: str, value) -> QuerySet:
    if not value:
        return qs
    return qs.filter(Exists(Intake.objects.filter(lead=OuterRef("pk"), form_id=int(value))))


@extend_schema_field(OpenApiTypes.INT)
class RecordChoiceFilter(django_filters.ChoiceFilter):
    """One record chosen by id; in the API schema an integer (the choices are read per request)."""


def _filters() -> dict:
    return {
        "campaign": RecordChoiceFilter(
            label=gettext_lazy("Campaign"),
            choices=CallableChoiceIterator(_campaign_choices),
            empty_label=gettext_lazy("Any"),
            method=_in_campaign,
        ),
        "web_form": RecordChoiceFilter(
            label=gettext_lazy("Web-to-Lead form"),
            choices=CallableChoiceIterator(_form_choices),
            empty_label=gettext_lazy("Any"),
            method=_from_form,
        ),
    }


EXTENSION = ListExtension(
    object_name="lead",
    key="reports-filters",
    annotate=lambda qs: qs,
    columns=(),
    display=lambda key, value: str(value),
    filters=_filters,
    order=300,
)
