"""Conversion by campaign, a standard report run like the others (``reports.selectors.run_report``):
the leads the viewer may read, the same filters, drill-downs to the lead list."""

from __future__ import annotations

from collections import defaultdict

from django.db import connection
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from campaigns.models import Campaign, CampaignMember

from . import stats
from .results import Result, conversion_result
from .selectors import Params, lead_list_url

# Conversion by campaign ---------------------------------------------------------------------------


def _campaign_durations(members) -> dict[int, tuple]:
    converted = members.filter(converted_lead__isnull=False, converted_lead__converted_at__isnull=False)
    if connection.vendor == "postgresql":
        seconds = stats.seconds_between("converted_lead__created_at", "converted_lead__converted_at")
        rows = (
            converted.values("campaign_id")
            .annotate(median=stats.Percentile(seconds, 0.5), p90=stats.Percentile(seconds, 0.9))
            .order_by()
        )
        return {r["campaign_id"]: (r["median"], r["p90"]) for r in rows}
    values: dict[int, list[float]] = defaultdict(list)
    for campaign_id, created, done in converted.values_list(
        "campaign_id", "converted_lead__created_at", "converted_lead__converted_at"
    ):
        values[campaign_id].append((done - created).total_seconds())
    return {k: (stats.percentile(v, 0.5), stats.percentile(v, 0.9)) for k, v in values.items()}


def conversion_by_campaign(params: Params) -> Result:
    """Leads created in the range that are (or, converted, were) campaign members, per campaign."""
    lead_ids = params.leads.values("pk")
    # A converted lead's membership passed to its contact and remembers the lead in converted_lead.
    members = CampaignMember.objects.filter(Q(lead_id__in=lead_ids) | Q(converted_lead_id__in=lead_ids))
    counted = {
        r["campaign_id"]: r
        for r in members.values("campaign_id")
        .annotate(leads=Count("pk"), converted=Count("pk", filter=Q(converted_lead__isnull=False)))
        .order_by()
    }
    durations = _campaign_durations(members)
    names = dict(Campaign.objects.filter(pk__in=list(counted)).values_list("pk", "name"))
    keys = sorted(counted, key=lambda k: (-counted[k]["leads"], names.get(k, "")))
    return conversion_result(
        first=("campaign", _("Campaign")),
        keys=keys,
        counts=counted,
        durations=durations,
        label=lambda key: names.get(key, str(key)),
        link=lambda key: lead_list_url(params, campaign=key),
    )
