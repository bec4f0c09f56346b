"""Every email the outbox sends to a lead records an "email sent" engagement event (through the
outbox's email-sent hook, so emails never imports engagement), once per email, and behaviour
rules can score it."""

import pytest

from core import registry
from emails.models import OutboundEmail
from emails.services import email_enqueue
from emails.services.outbox import outbound_email_deliver
from engagement.models import EngagementEvent
from scoring import services

pytestmark = pytest.mark.django_db


def _email(lead, key="hello-1", **extra):
    return email_enqueue(
        to=lead.email,
        subject="Hello",
        body_text="Hi",
        kind=OutboundEmail.Kind.MANUAL,
        idempotency_key=key,
        object_name="lead",
        record_id=lead.pk,
        **extra,
    )


def test_a_sent_email_to_a_lead_records_one_email_sent_event(lead, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        row = _email(lead)

    first = outbound_email_deliver(email_id=row.pk)
    again = outbound_email_deliver(email_id=row.pk)

    row.refresh_from_db()
    (event,) = EngagementEvent.objects.filter(lead=lead, event_type="email_sent")
    assert (first, again) == ("sent", "skipped")
    assert (event.outbound_email_id, event.occurred_at, event.title) == (row.pk, row.sent_at, "Hello")
    lead.refresh_from_db()
    assert lead.last_activity_at == row.sent_at


def test_an_email_to_no_lead_records_nothing(lead):
    row = email_enqueue(
        to="ops@example.com", subject="Report", body_text="x", kind=OutboundEmail.Kind.MANUAL, idempotency_key="ops-1"
    )

    assert outbound_email_deliver(email_id=row.pk) == "sent"
    assert not EngagementEvent.objects.filter(event_type="email_sent").exists()


def test_a_failing_hook_never_keeps_the_email_from_being_marked_sent(lead, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(registry, "_email_sent_hooks", [broken])
    row = _email(lead, key="hello-2")

    assert outbound_email_deliver(email_id=row.pk) == "sent"
    assert OutboundEmail.objects.get(pk=row.pk).status == OutboundEmail.Status.SENT


def test_a_behaviour_rule_scores_sent_emails(lead, marketing_admin):
    model = services.scoring_model_create(
        data={"name": "Touches", "fit_weight": 0, "behaviour_weight": 100, "decay_half_life_days": 0},
        acting_user=marketing_admin,
    )
    services.behaviour_rule_create(
        model=model, data={"event_type": "email_sent", "points": 5}, acting_user=marketing_admin
    )
    for key in ("a", "b"):
        outbound_email_deliver(email_id=_email(lead, key=key).pk)

    (score,) = services.lead_score_recompute(lead_id=lead.pk)

    assert score.score == 10
    assert score.explanation["behaviour"][0]["events"] == 2
