"""Each standard report's numbers on the known data set of conftest.py."""

import datetime as dt
from urllib.parse import parse_qs, urlparse

import pytest

from core.models import OrgSettings
from reports import stats
from reports.selectors import run_report

from .conftest import RANGE

pytestmark = pytest.mark.django_db


def rows_by(result, key):
    return {row[key]: row for row in result.rows}


def test_percentile_interpolates_like_percentile_cont():
    assert stats.percentile([], 0.5) is None
    assert stats.percentile([4.0, 2.0], 0.5) == 3.0
    assert stats.percentile([2.0, 4.0], 0.9) == pytest.approx(3.8)
    assert stats.percentile([1.0, 2.0, 3.0, 10.0], 0.5) == 2.5


def test_leads_created_by_source_per_week(known_leads, marketing_admin):
    _spec, _params, result = run_report(
        user=marketing_admin, key="leads-created", data={**RANGE, "period": "week", "group": "lead_source"}
    )

    assert [g["label"] for g in result.groups] == ["Website", "Phone Inquiry"]
    assert [row["period"] for row in result.rows] == ["2026-11-02", "2026-11-09"]
    assert [(r["g0"], r["g1"], r["total"]) for r in result.rows] == [(2, 2, 4), (1, 0, 1)]
    assert result.chart["labels"] == ["2026-11-02", "2026-11-09"]
    assert result.chart["datasets"][0] == {"label": "Website", "data": [2, 1]}


def test_leads_created_drill_down_is_the_filtered_lead_list(known_leads, marketing_admin):
    _spec, _params, result = run_report(
        user=marketing_admin, key="leads-created", data={**RANGE, "period": "week", "group": "lead_source"}
    )

    link = urlparse(result.links[1]["g0"])
    assert link.path == "/leads/"
    assert parse_qs(link.query) == {
        "view": ["all"],
        "lead_source": ["Website"],
        "created_from": ["2026-11-09"],
        "created_to": ["2026-11-15"],
    }


def test_leads_created_by_owner_per_day_fills_empty_days(known_leads, marketing_admin, rep):
    _spec, _params, result = run_report(
        user=marketing_admin, key="leads-created", data={**RANGE, "period": "day", "group": "owner"}
    )

    assert len(result.rows) == 14
    assert result.groups[0] == {"key": f"user:{rep.pk}", "label": "Riley Rep", "total": 4}
    assert rows_by(result, "period")["2026-11-04"]["total"] == 0
    assert f"owner=user%3A{rep.pk}" in result.links[0]["g0"]


def test_funnel_by_source_counts_each_stage_and_its_rate(known_leads, marketing_admin):
    _spec, _params, result = run_report(user=marketing_admin, key="funnel", data={**RANGE, "by": "lead_source"})

    rows = rows_by(result, "group")
    website, phone, total = rows["Website"], rows["Phone Inquiry"], rows["Total"]
    assert [website[s] for s in ("created", "working", "qualified", "converted")] == [3, 2, 1, 1]
    assert [phone[s] for s in ("created", "working", "qualified", "converted")] == [2, 2, 2, 2]
    assert [total[s] for s in ("created", "working", "qualified", "converted")] == [5, 4, 3, 3]
    assert (total["working_rate"], total["qualified_rate"], total["converted_rate"], total["overall_rate"]) == (
        80.0,
        75.0,
        100.0,
        60.0,
    )
    assert website["qualified_rate"] == 50.0


def test_funnel_by_owner(known_leads, marketing_admin, rep, other_rep):
    _spec, _params, result = run_report(user=marketing_admin, key="funnel", data={**RANGE, "by": "owner"})

    rows = rows_by(result, "group")
    assert rows["Riley Rep"]["created"] == 4
    assert rows["Riley Rep"]["converted"] == 2
    assert rows["Olive Other"]["converted"] == 1


def test_conversion_rate_and_time_to_convert_by_source(known_leads, marketing_admin):
    _spec, _params, result = run_report(user=marketing_admin, key="conversion-by-source", data=RANGE)

    rows = rows_by(result, "source")
    assert rows["Website"] == {
        "source": "Website",
        "leads": 3,
        "converted": 1,
        "conversion_rate": 33.3,
        "median_days": 2.0,
        "p90_days": 2.0,
    }
    assert (rows["Phone Inquiry"]["median_days"], rows["Phone Inquiry"]["p90_days"]) == (3.0, 3.8)
    assert rows["Phone Inquiry"]["conversion_rate"] == 100.0


def test_time_in_status_from_the_status_history(known_leads, marketing_admin):
    _spec, _params, result = run_report(user=marketing_admin, key="time-in-status", data={**RANGE, "stuck_days": 14})

    rows = rows_by(result, "status")
    assert rows["New"] == {"status": "New", "visits": 3, "median_days": 1.0, "p90_days": 1.0, "now_in": 1, "stuck": 1}
    assert rows["Working"]["visits"] == 1
    assert rows["Working"]["median_days"] == 2.0
    assert rows["Working"]["now_in"] == 1
    assert [lead["name"] for lead in result.extra["stuck_leads"]] == [known_leads["L1"].name, known_leads["L2"].name]


def test_a_reopened_lead_visits_a_status_twice(rep, marketing_admin):
    from tests.factories import LeadFactory

    from .conftest import at, status_change

    lead = LeadFactory(owner_user=rep, status="Working", created_at=at(2))
    status_change(lead, "New", "Working", at(3))
    status_change(lead, "Working", "Nurturing", at(5))
    status_change(lead, "Nurturing", "Working", at(6))

    _spec, _params, result = run_report(user=marketing_admin, key="time-in-status", data=RANGE)

    rows = rows_by(result, "status")
    assert rows["Working"]["visits"] == 1
    assert rows["Working"]["median_days"] == 2.0
    assert rows["Nurturing"]["median_days"] == 1.0
    assert rows["Working"]["now_in"] == 1


def test_private_sharing_a_rep_counts_only_leads_they_can_read(known_leads, rep, marketing_admin):
    OrgSettings.objects.update_or_create(singleton=1, defaults={"lead_access": OrgSettings.LeadAccess.PRIVATE})

    _spec, _params, mine = run_report(user=rep, key="funnel", data=RANGE)
    _spec, _params, everyone = run_report(user=marketing_admin, key="funnel", data=RANGE)
    _spec, _params, created = run_report(user=rep, key="leads-created", data={**RANGE, "period": "month"})

    assert rows_by(mine, "group")["Total"]["created"] == 4
    assert rows_by(mine, "group")["Website"]["converted"] == 0
    assert rows_by(everyone, "group")["Total"]["created"] == 5
    assert sum(row["total"] for row in created.rows) == 4


def test_filters_narrow_the_report(known_leads, marketing_admin, other_rep):
    _spec, _params, result = run_report(
        user=marketing_admin, key="funnel", data={**RANGE, "owner": f"user:{other_rep.pk}"}
    )

    assert rows_by(result, "group")["Total"]["created"] == 1
    assert f"owner=user%3A{other_rep.pk}" in result.links[-1]["created"]


def test_time_to_convert_without_percentile_cont_matches_postgresql(known_leads, marketing_admin, monkeypatch):
    from types import SimpleNamespace

    from reports import selectors

    _spec, _params, in_sql = run_report(user=marketing_admin, key="conversion-by-source", data=RANGE)
    monkeypatch.setattr(selectors, "connection", SimpleNamespace(vendor="sqlite"))
    _spec, _params, in_python = run_report(user=marketing_admin, key="conversion-by-source", data=RANGE)

    assert in_python.rows == in_sql.rows


def test_a_long_date_range_needs_a_longer_period_only_where_there_are_periods(marketing_admin):
    from reports.selectors import ReportParamsError

    two_years = {"created_from": "2024-01-01", "created_to": "2025-12-31"}

    with pytest.raises(ReportParamsError) as refused:
        run_report(user=marketing_admin, key="leads-created", data={**two_years, "period": "day"})
    _spec, _params, monthly = run_report(
        user=marketing_admin, key="leads-created", data={**two_years, "period": "month"}
    )
    _spec, _params, funnel = run_report(user=marketing_admin, key="funnel", data=two_years)

    assert "period" in refused.value.errors
    assert len(monthly.rows) == 24
    assert funnel.rows[-1]["created"] == 0


def test_conversion_on_the_day_of_creation(rep, marketing_admin):
    from tests.factories import LeadFactory

    from .conftest import at

    LeadFactory(
        owner_user=rep,
        lead_source="Webinar",
        status="Qualified",
        created_at=at(4),
        is_converted=True,
        converted_at=at(4) + dt.timedelta(hours=12),
    )

    _spec, _params, conversion = run_report(user=marketing_admin, key="conversion-by-source", data=RANGE)
    _spec, _params, funnel = run_report(user=marketing_admin, key="funnel", data=RANGE)

    assert rows_by(conversion, "source")["Webinar"]["median_days"] == 0.5
    assert [rows_by(funnel, "group")["Webinar"][s] for s in ("created", "working", "qualified", "converted")] == [
        1,
        1,
        1,
        1,
    ]


def test_queue_filter_and_a_queue_member_under_private_sharing(rep, other_rep):
    from tests.factories import LeadFactory, QueueFactory

    from .conftest import at

    OrgSettings.objects.update_or_create(singleton=1, defaults={"lead_access": OrgSettings.LeadAccess.PRIVATE})
    queue = QueueFactory(name="Inbound")
    queue.members.add(rep)
    LeadFactory(owner_user=None, owner_queue=queue, created_at=at(5))
    LeadFactory(owner_user=other_rep, created_at=at(5))

    _spec, _params, member = run_report(user=rep, key="funnel", data={**RANGE, "owner": f"queue:{queue.pk}"})
    _spec, _params, outsider = run_report(user=other_rep, key="funnel", data={**RANGE, "owner": f"queue:{queue.pk}"})

    assert rows_by(member, "group")["Total"]["created"] == 1
    assert rows_by(outsider, "group")["Total"]["created"] == 0


def test_queue_backlog_now_whatever_the_creation_date(rep, marketing_admin):
    from django.utils import timezone

    from tests.factories import LeadFactory, QueueFactory

    from .conftest import at

    inbound, partners = QueueFactory(name="Inbound"), QueueFactory(name="Partners")
    now = timezone.now()
    for days in (1, 2, 3, 10):
        LeadFactory(owner_user=None, owner_queue=inbound, owner_assigned_at=now - dt.timedelta(days=days))
    LeadFactory(
        owner_user=None, owner_queue=partners, created_at=at(1, 1), owner_assigned_at=now - dt.timedelta(days=4)
    )
    LeadFactory(owner_user=rep, created_at=at(1, 1))

    _spec, _params, result = run_report(user=marketing_admin, key="queue-backlog", data={"created_from": "2026-11-01"})

    rows = rows_by(result, "queue")
    assert list(rows) == ["Inbound", "Partners"]
    assert rows["Inbound"]["waiting"] == 4
    assert rows["Inbound"]["oldest_days"] == 10.0
    assert rows["Inbound"]["median_days"] == 2.5
    assert rows["Inbound"]["p90_days"] == pytest.approx(7.9)
    assert rows["Partners"]["waiting"] == 1
    assert "created_from" not in result.links[0]["waiting"]
    assert f"owner=queue%3A{inbound.pk}" in result.links[0]["waiting"]
