"""End to end on real services: page views posted to the public tracking endpoint become events in
a real Celery worker on Redis, rescore the lead past the MQL threshold, and the hand-off sets the
status, writes the Field History and the timeline, and emails the owner over real SMTP on loopback;
five email opens raise the "call now" alert the same way."""

import email
import email.policy
import json

import pytest

from core.models import FieldHistory
from emails.models import OutboundEmail
from engagement.models import EngagementEvent
from engagement.services import visitor_attach
from leads.models import Lead
from scoring import alerts
from scoring.models import AlertFiring, LeadScore
from tests.factories import LeadFactory
from tests.seeding import seed_fields
from tests.waiting import wait_until

from .conftest import MQL, mql_status

VISITOR = "mqlvisitor0123456789"


@pytest.fixture
def seeded(transactional_db):
    """Transactional tests flush the database, migration-seeded rows included."""
    seed_fields("leads")
    mql_status()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_tracked_visits_qualify_the_lead_and_email_its_owner(
    seeded, visits_model, client, rep, smtp_inbox, celery_worker_process
):
    model = visits_model
    lead = LeadFactory(owner_user=rep, status="New", first_name="Ada", last_name="Lovelace")
    visitor_attach(visitor_id=VISITOR, lead=lead)

    for path in ("/pricing", "/pricing/team", "/pricing/enterprise"):
        body = json.dumps({"type": "page_view", "vid": VISITOR, "url": f"https://www.example.com{path}"})
        assert client.post("/t/events/", data=body, content_type="text/plain").status_code == 204

    assert wait_until(lambda: LeadScore.objects.filter(lead=lead, model=model, mql_crossings=1).exists(), timeout=30), (
        "the worker did not qualify the lead"
    )
    assert wait_until(lambda: smtp_inbox.messages, timeout=30), "the owner got no email"
    assert Lead.objects.get(pk=lead.pk).status == MQL
    assert FieldHistory.objects.filter(record_id=lead.pk, field_name="status", new_value=MQL).exists()
    assert EngagementEvent.objects.filter(lead=lead, source="scoring", properties__kind="mql").count() == 1
    envelope = smtp_inbox.messages[0]
    assert envelope.rcpt_tos == [rep.email]
    assert "Lovelace" in envelope.content.decode()
    assert wait_until(
        lambda: (
            OutboundEmail.objects.get(idempotency_key=f"mql:{lead.pk}:{model.pk}:1").status == OutboundEmail.Status.SENT
        )
    )


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_five_email_opens_alert_the_owner_through_the_worker(
    seeded, api, rep, marketing_admin, smtp_inbox, celery_worker_process
):
    rule = alerts.alert_rule_create(
        data={"name": "Call now", "event_type": "email_open", "min_events": 5, "window_hours": 24},
        acting_user=marketing_admin,
    )
    lead = LeadFactory(owner_user=rep)

    for n in range(6):
        response = api.as_user(rep).post(
            "/api/engagement-events/",
            {"lead": lead.pk, "event_type": "email_open", "external_id": f"open-{n}"},
            format="json",
        )
        assert response.status_code == 201, response.json()

    assert wait_until(lambda: smtp_inbox.messages, timeout=30), "the owner got no alert"
    assert AlertFiring.objects.filter(rule=rule, lead=lead).count() == 1
    assert smtp_inbox.messages[0].rcpt_tos == [rep.email]
    message = email.message_from_bytes(smtp_inbox.messages[0].content, policy=email.policy.default)
    assert "Call now" in message["Subject"]
    assert "act now" in message.get_content()
