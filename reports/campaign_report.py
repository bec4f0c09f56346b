"""Conversion by campaign, a standard report run like the others (``reports.selectors.run_report``):
the leads the viewer may read, the same filters, drill-downs to the lead list."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.models import Campaign, CampaignMember

from . import stats
from .selectors import Params, Result, _rate, lead_list_url


def _bounds(params: Params) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(params.date_from, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(params.date_to + dt.timedelta(days=1), dt.time.min))
    return start, end


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
    columns = [
        {"key": "campaign", "label": _("Campaign"), "numeric": False},
        {"key": "leads", "label": _("Leads"), "numeric": True},
        {"key": "converted", "label": _("Converted"), "numeric": True},
        {"key": "conversion_rate", "label": _("Conversion rate %"), "numeric": True},
        {"key": "median_days", "label": _("Median days to convert"), "numeric": True},
        {"key": "p90_days", "label": _("90th percentile days to convert"), "numeric": True},
    ]
    rows, links = [], []
    for key in keys:
        median, p90 = durations.get(key, (None, None))
        row = counted[key]
        rows.append(
            {
                "campaign": names.get(key, str(key)),
                "leads": row["leads"],
                "converted": row["converted"],
                "conversion_rate": _rate(row["converted"], row["leads"]),
                "median_days": stats.days(median),
                "p90_days": stats.days(p90),
            }
        )
        links.append({"leads": lead_list_url(params, campaign=key)})
    chart = {
        "type": "bar",
        "stacked": False,
        "labels": [r["campaign"] for r in rows],
        "datasets": [{"label": _("Conversion rate %"), "data": [r["conversion_rate"] or 0 for r in rows]}],
        "links": [[link["leads"] for link in links]],
    }
    groups = [{"key": str(k), "label": names.get(k, str(k))} for k in keys]
    return Result(columns=columns, rows=rows, links=links, groups=groups, chart=chart)
