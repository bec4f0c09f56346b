"""Alert rules: N events of a type within D hours email the owner (or a queue) at once, at most once
per lead, rule and window; the Setup pages and /api/alert-rules/ go through the same services."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from emails.models import OutboundEmail
from engagement.models import EngagementEvent
from engagement.services import engagement_event_record
from scoring import alerts
from scoring.models import AlertFiring, AlertRule
from tests.factories import LeadFactory, QueueFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()


@pytest.fixture
def call_now(marketing_admin):
    """The seed's "opened the email five times → call now"."""
    return alerts.alert_rule_create(
        data={"name": "Call now", "event_type": "email_open", "min_events": 5, "window_hours": 24},
        acting_user=marketing_admin,
    )


def _opens(lead, n, at=NOW, **extra):
    EngagementEvent.objects.bulk_create(
        EngagementEvent(lead=lead, event_type="email_open", occurred_at=at, recorded_at=at, source="test", **extra)
        for _ in range(n)
    )


def test_five_opens_within_the_window_alert_the_owner_once(call_now, rep):
    lead = LeadFactory(owner_user=rep)
    _opens(lead, 4)
    assert alerts.lead_alerts_evaluate(lead_id=lead.pk, now=NOW) == []

    _opens(lead, 1)
    fired = alerts.lead_alerts_evaluate(lead_id=lead.pk, now=NOW)
    _opens(lead, 3)
    again = alerts.lead_alerts_evaluate(lead_id=lead.pk, now=NOW + timedelta(minutes=5))

    assert [f.event_count for f in fired] == [5]
    assert again == []
    email = OutboundEmail.objects.get(record_id=lead.pk)
    assert email.to_address == rep.email
    assert "Call now" in email.subject
    assert email.idempotency_key.startswith(f"alert:{call_now.pk}:{lead.pk}:")


def test_old_and_machine_events_do_not_count(call_now, rep):
    lead = LeadFactory(owner_user=rep)
    _opens(lead, 3, at=NOW - timedelta(hours=30))
    _opens(lead, 3, is_machine=True)
    _opens(lead, 1)

    assert alerts.lead_alerts_evaluate(lead_id=lead.pk, now=NOW) == []


def test_the_next_window_alerts_again(call_now, rep):
    lead = LeadFactory(owner_user=rep)
    _opens(lead, 5)
    alerts.lead_alerts_evaluate(lead_id=lead.pk, now=NOW)
    later = NOW + timedelta(hours=48)
    _opens(lead, 5, at=later)

    assert len(alerts.lead_alerts_evaluate(lead_id=lead.pk, now=later)) == 1
    assert AlertFiring.objects.filter(rule=call_now, lead=lead).count() == 2


def test_the_database_holds_one_alert_per_lead_rule_and_window(call_now, rep):
    lead = LeadFactory(owner_user=rep)
    start = alerts.window_start(call_now, NOW)
    AlertFiring.objects.create(rule=call_now, lead=lead, window_start=start, fired_at=NOW, event_count=5)

    with pytest.raises(IntegrityError), transaction.atomic():
        AlertFiring.objects.create(rule=call_now, lead=lead, window_start=start, fired_at=NOW, event_count=6)


def test_a_queue_rule_on_a_url_emails_the_queue(marketing_admin, rep):
    queue = QueueFactory(email="sales-desk@example.com")
    alerts.alert_rule_create(
        data={
            "name": "Pricing burst",
            "event_type": "page_view",
            "url_pattern": "/pricing",
            "min_events": 2,
            "window_hours": 4,
            "notify_queue": queue.pk,
        },
        acting_user=marketing_admin,
    )
    lead = LeadFactory(owner_user=rep)
    for url in ("https://a.example/pricing", "https://a.example/blog", "https://a.example/pricing?x=1"):
        EngagementEvent.objects.create(
            lead=lead, event_type="page_view", url=url, occurred_at=NOW, recorded_at=NOW, source="test"
        )

    assert len(alerts.lead_alerts_evaluate(lead_id=lead.pk, now=NOW)) == 1
    assert OutboundEmail.objects.get(record_id=lead.pk).to_address == "sales-desk@example.com"


def test_events_recorded_in_a_transaction_are_checked_by_the_task(call_now, rep, django_capture_on_commit_callbacks):
    lead = LeadFactory(owner_user=rep)
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            engagement_event_record(event_type="email_open", source="api", lead=lead)

    assert AlertFiring.objects.filter(rule=call_now, lead=lead).count() == 1


def test_the_service_checks_alert_rules(marketing_admin, rep):
    with pytest.raises(ValidationError) as exc:
        alerts.alert_rule_create(
            data={"name": "", "event_type": "nope", "min_events": 0, "window_hours": 99999, "notify_queue": 0},
            acting_user=marketing_admin,
        )
    assert set(exc.value.message_dict) == {"name", "event_type", "min_events", "window_hours", "notify_queue"}
    with pytest.raises(PermissionError):
        alerts.alert_rule_create(
            data={"name": "Mine", "event_type": "email_open", "min_events": 1, "window_hours": 1}, acting_user=rep
        )


# API -------------------------------------------------------------------------------------------


def test_the_api_creates_lists_changes_and_deletes_alert_rules(api, marketing_admin):
    client = api.as_user(marketing_admin)
    created = client.post(
        "/api/alert-rules/",
        {"name": "Call now", "event_type": "email_open", "min_events": 5, "window_hours": 24},
        format="json",
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]

    duplicate = client.post(
        "/api/alert-rules/",
        {"name": "call NOW", "event_type": "email_open", "min_events": 5, "window_hours": 24},
        format="json",
    )
    changed = client.put(
        f"/api/alert-rules/{pk}/",
        {"name": "Call now", "event_type": "email_click", "min_events": 2, "window_hours": 1},
        format="json",
    )

    assert duplicate.status_code == 400
    assert "name" in duplicate.json()
    assert changed.status_code == 200
    assert changed.json()["event_type"] == "email_click"
    assert [r["name"] for r in client.get("/api/alert-rules/").json()] == ["Call now"]
    assert client.delete(f"/api/alert-rules/{pk}/").status_code == 204
    assert not AlertRule.objects.exists()


def test_the_api_answers_400_to_bad_input_and_403_to_a_sales_rep(api, marketing_admin, rep):
    bad = api.as_user(marketing_admin).post(
        "/api/alert-rules/", {"name": "X", "event_type": "email_open", "min_events": "many"}, format="json"
    )
    forbidden = api.as_user(rep).post(
        "/api/alert-rules/",
        {"name": "X", "event_type": "email_open", "min_events": 1, "window_hours": 1},
        format="json",
    )

    assert bad.status_code == 400
    assert set(bad.json()) >= {"min_events", "window_hours"}
    assert forbidden.status_code == 403


def test_the_scoring_model_api_takes_the_mql_fields(api, marketing_admin):
    queue = QueueFactory()
    response = api.as_user(marketing_admin).post(
        "/api/scoring-models/",
        {"name": "MQL", "mql_threshold": 70, "mql_hysteresis": 15, "mql_queue": queue.pk, "mql_notify_owner": True},
        format="json",
    )
    bad = api.as_user(marketing_admin).post(
        "/api/scoring-models/", {"name": "Bad", "mql_threshold": 70, "mql_status": "Nope"}, format="json"
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["mql_threshold"], body["mql_hysteresis"], body["mql_queue"], body["mql_notify_owner"]) == (
        70,
        15,
        queue.pk,
        True,
    )
    assert bad.status_code == 400
    assert "mql_status" in bad.json()


# Pages -----------------------------------------------------------------------------------------


def test_a_marketing_admin_builds_an_alert_rule_from_setup(client, marketing_admin, call_now, rep):
    client.force_login(marketing_admin)
    lead = LeadFactory(owner_user=rep, last_name="Lovelace")
    _opens(lead, 5)
    alerts.lead_alerts_evaluate(lead_id=lead.pk)

    listing = client.get("/setup/alert-rules/")
    form_error = client.post(
        "/setup/alert-rules/new/", {"name": "call now", "event_type": "email_open", "min_events": 3, "window_hours": 2}
    )
    created = client.post(
        "/setup/alert-rules/new/",
        {"name": "Clicks", "event_type": "email_click", "min_events": 3, "window_hours": 2, "is_active": "on"},
    )
    detail = client.get(f"/setup/alert-rules/{call_now.pk}/")

    assert "Call now" in listing.content.decode()
    assert "already exists" in form_error.content.decode()
    assert created.status_code == 302
    assert AlertRule.objects.get(name="Clicks").min_events == 3
    assert "Lovelace" in detail.content.decode()


def test_sales_reps_do_not_reach_the_alert_setup(client, rep):
    client.force_login(rep)
    assert client.get("/setup/alert-rules/").status_code == 403
