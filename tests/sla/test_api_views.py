"""SLA pages and API: setup pages for admins, the lead page's badge, the lead list column and
API fields, queue health, and the sharing rules."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from leads.intake import lead_intake
from sla.models import BusinessHours, LeadSla

pytestmark = pytest.mark.django_db

WEEK = [["09:00", "17:00"]] * 5 + [None, None]


def test_admin_creates_business_hours_and_a_holiday_through_the_pages(client, marketing_admin):
    client.force_login(marketing_admin)
    data = {"name": "Paris office", "time_zone": "Europe/Paris", "is_default": ""}
    for day in range(5):
        data[f"opens_{day}"], data[f"closes_{day}"] = "08:30", "18:00"
    response = client.post(reverse("sla:business_hours_create"), data)
    calendar = BusinessHours.objects.get(name="Paris office")
    assert response.status_code == 302
    assert calendar.weekly_hours == [["08:30", "18:00"]] * 5 + [None, None]

    client.post(reverse("sla:holiday_add", args=[calendar.pk]), {"date": "2026-12-25", "name": "Christmas"})
    page = client.get(reverse("sla:business_hours_detail", args=[calendar.pk])).content.decode()
    assert "Christmas" in page
    assert "08:30–18:00" in page


def test_the_business_hours_form_shows_the_services_errors(client, marketing_admin):
    client.force_login(marketing_admin)
    data = {"name": "Bad", "time_zone": "Nowhere/City", "opens_0": "18:00", "closes_0": "09:00"}
    response = client.post(reverse("sla:business_hours_create"), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Choose a time zone such as Europe/Paris." in body
    assert "A day must close after it opens." in body


def test_reps_may_not_open_the_sla_setup(client, rep):
    client.force_login(rep)
    assert client.get(reverse("sla:rule_list")).status_code == 403
    assert client.get(reverse("sla:business_hours_list")).status_code == 403


def test_setup_pages_render(client, marketing_admin, sla_rule):
    client.force_login(marketing_admin)
    assert "Hot queue" in client.get(reverse("sla:rule_detail", args=[sla_rule.pk])).content.decode()
    assert client.get(reverse("sla:policy_create", args=[sla_rule.pk])).status_code == 200
    assert client.get(reverse("sla:rule_list")).status_code == 200


def test_the_lead_page_shows_a_breaching_soon_badge(client, sla_rule, rep):
    lead = lead_intake(
        data={"last_name": "Soon", "company": "Acme", "lead_source": "Webinar"}, acting_user=rep, source="api"
    ).lead
    LeadSla.objects.filter(lead=lead).update(due_at=timezone.now() + dt.timedelta(minutes=10, seconds=30))
    client.force_login(rep)
    page = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()
    assert 'data-testid="lead-sla"' in page
    assert "Breaching in 10 min" in page


def test_the_lead_api_gives_sla_fields_and_sorts_and_filters_by_them(api, sla_rule, rep):
    late = lead_intake(
        data={"last_name": "Late", "company": "Acme", "lead_source": "Webinar"}, acting_user=rep, source="api"
    ).lead
    fresh = lead_intake(
        data={"last_name": "Fresh", "company": "Acme", "lead_source": "Webinar"}, acting_user=rep, source="api"
    ).lead
    LeadSla.objects.filter(lead=late).update(due_at=timezone.now() - dt.timedelta(minutes=1))
    client = api.as_user(rep)

    rows = client.get("/api/leads/", {"ordering": "sla_due_at"}).json()["results"]
    assert [r["id"] for r in rows[:2]] == [late.pk, fresh.pk]
    assert rows[0]["sla_status"] == "breached"
    assert rows[1]["sla_status"] == "open"
    assert rows[1]["sla_due_at"]

    breached = client.get("/api/leads/", {"sla_status": "breached"}).json()["results"]
    assert [r["id"] for r in breached] == [late.pk]


def test_business_hours_api_validates_and_is_for_admins(api, marketing_admin, rep):
    client = api.as_user(marketing_admin)
    bad = client.post(
        "/api/business-hours/", {"name": "X", "time_zone": "Mars/Base", "weekly_hours": WEEK}, format="json"
    )
    assert bad.status_code == 400
    assert "time_zone" in bad.json()
    short = client.post("/api/business-hours/", {"name": "X", "time_zone": "UTC", "weekly_hours": []}, format="json")
    assert short.status_code == 400

    made = client.post(
        "/api/business-hours/", {"name": "Office", "time_zone": "Europe/Paris", "weekly_hours": WEEK}, format="json"
    )
    assert made.status_code == 201
    holiday = client.post(f"/api/business-hours/{made.json()['id']}/holidays/", {"date": "2026-12-25"}, format="json")
    assert holiday.json()["holidays"][0]["date"] == "2026-12-25"

    assert api.as_user(rep).get("/api/business-hours/").status_code == 403


def test_sla_policy_api_creates_a_policy_through_the_rules_mechanism(api, marketing_admin, hours, hot_queue):
    from sla.services import sla_rule_create

    rule = sla_rule_create(name="API rule", acting_user=marketing_admin)
    client = api.as_user(marketing_admin)
    payload = {
        "rule": rule.pk,
        "name": "Queue",
        "criteria": [{"field": "owner", "operator": "equals", "value": f"queue:{hot_queue.pk}"}],
        "business_hours": hours.pk,
        "first_touch_hours": "1.5",
    }
    made = client.post("/api/sla-policies/", payload, format="json")
    assert made.status_code == 201
    assert made.json()["sort_order"] == 1
    both = client.post(
        "/api/sla-policies/", {**payload, "reassign": True, "move_to_queue": hot_queue.pk}, format="json"
    )
    assert both.status_code == 400
    assert "move_to_queue" in both.json()
    bad_criteria = client.post(
        "/api/sla-policies/",
        {**payload, "criteria": [{"field": "nope", "operator": "equals", "value": 1}]},
        format="json",
    )
    assert bad_criteria.status_code == 400


def test_lead_sla_api_shows_only_leads_the_caller_may_read(api, sla_rule, rep, other_rep, private_sharing):
    mine = lead_intake(
        data={"last_name": "Mine", "company": "Acme", "lead_source": "Webinar"}, acting_user=rep, source="api"
    ).lead
    lead_intake(
        data={"last_name": "Theirs", "company": "Acme", "lead_source": "Webinar"}, acting_user=other_rep, source="api"
    )
    rows = api.as_user(rep).get("/api/lead-slas/").json()["results"]
    assert [r["lead"] for r in rows] == [mine.pk]


def test_queue_health_page(client, sla_rule, hot_queue, marketing_admin, rep):
    lead_intake(data={"last_name": "Q", "company": "Acme"}, acting_user=marketing_admin, owner=hot_queue, source="api")
    client.force_login(rep)
    page = client.get(reverse("sla:queue_health")).content.decode()
    assert "Hot Leads" in page
    assert 'data-testid="queue-health"' in page


def test_the_api_schema_describes_the_sla_endpoints(api, marketing_admin):
    schema = api.as_user(marketing_admin).get("/api/schema/", {"format": "json"}).json()
    assert "/api/business-hours/" in schema["paths"]
    assert "/api/sla-policies/{id}/" in schema["paths"]


def test_admin_adds_a_policy_through_the_shared_rule_pages(client, marketing_admin, hours, hot_queue, escalation_queue):
    from sla.services import sla_rule_create

    rule = sla_rule_create(name="Pages", acting_user=marketing_admin)
    client.force_login(marketing_admin)
    response = client.post(
        reverse("sla:policy_create", args=[rule.pk]),
        {
            "field_1": "owner",
            "operator_1": "equals",
            "value_1": f"queue:{hot_queue.pk}",
            "filter_logic": "",
            "name": "Hot queue",
            "business_hours": hours.pk,
            "first_touch_hours": "0.5",
            "notify_owner": "on",
            "move_to_queue": escalation_queue.pk,
        },
    )
    assert response.status_code == 302
    policy = rule.entries.get()
    assert (policy.name, policy.first_touch_hours, policy.move_to_queue) == ("Hot queue", 0.5, escalation_queue)
    assert policy.criteria == [{"field": "owner", "operator": "equals", "value": f"queue:{hot_queue.pk}"}]

    refused = client.post(
        reverse("sla:policy_create", args=[rule.pk]),
        {
            "name": "Both",
            "business_hours": hours.pk,
            "first_touch_hours": "1",
            "reassign": "on",
            "move_to_queue": escalation_queue.pk,
        },
    )
    assert refused.status_code == 200
    assert "Reassign by the assignment rule or move to a queue, not both." in refused.content.decode()


def test_the_lead_list_shows_the_sla_columns_and_sorts_by_due_time(client, sla_rule, rep):
    soon = lead_intake(
        data={"last_name": "Soonish", "company": "Acme", "lead_source": "Webinar"}, acting_user=rep, source="api"
    ).lead
    lead_intake(data={"last_name": "Later", "company": "Acme", "lead_source": "Webinar"}, acting_user=rep, source="api")
    LeadSla.objects.filter(lead=soon).update(due_at=timezone.now() + dt.timedelta(minutes=10, seconds=30))
    client.force_login(rep)
    client.post(reverse("leads:list_columns"), {"columns": ["name", "sla_due_at", "sla_status"]})

    page = client.get(reverse("leads:list"), {"view": "all", "ordering": "sla_due_at"}).content.decode()
    assert "SLA due" in page
    assert "(breaching in 10 min)" in page
    assert "Breaching within 30 min" in page
    assert page.index("Soonish") < page.index("Later")
