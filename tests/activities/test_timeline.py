"""The Activity History is one timeline: tasks, events and calls, the lead's notes, the emails sent
to it and its website and email engagement, newest first, narrowed by kind."""

from datetime import timedelta

import pytest
from django.utils import timezone

from activities import services
from emails.models import OutboundEmail
from engagement.models import EngagementEvent
from leads.models import LeadNote
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def _email(lead, *, subject, kind, at):
    return OutboundEmail.objects.create(
        idempotency_key=f"test:{subject}",
        kind=kind,
        status=OutboundEmail.Status.SENT,
        to_address=lead.email or "lead@example.com",
        subject=subject,
        body_text="Hello",
        object_name="lead",
        record_id=lead.pk,
        created_at=at,
        sent_at=at,
        next_attempt_at=at,
    )


@pytest.fixture
def lead_with_history(rep):
    now = timezone.now()
    lead = LeadFactory(owner_user=rep, email="ada@example.com")
    services.call_log(data={"lead": lead.pk, "subject": "Intro call", "notes": "Keen on a demo"}, acting_user=rep)
    LeadNote.objects.create(
        lead=lead, title="Budget", body="Q1 budget approved", created_by=rep, created_at=now - timedelta(hours=1)
    )
    _email(lead, subject="Thanks for your interest", kind=OutboundEmail.Kind.AUTO_RESPONSE, at=now - timedelta(hours=2))
    _email(lead, subject="New lead assigned to you", kind=OutboundEmail.Kind.ASSIGNMENT, at=now - timedelta(hours=2))
    EngagementEvent.objects.create(
        lead=lead,
        event_type=EngagementEvent.Type.PAGE_VIEW,
        occurred_at=now - timedelta(hours=3),
        recorded_at=now,
        url="https://example.com/pricing",
        title="Pricing",
        source="tracking",
    )
    EngagementEvent.objects.create(
        lead=lead,
        event_type=EngagementEvent.Type.EMAIL_OPEN,
        occurred_at=now - timedelta(hours=2, minutes=-1),
        recorded_at=now,
        is_machine=True,
        source="tracking",
    )
    return lead


def test_the_history_merges_every_kind_newest_first(client, rep, lead_with_history):
    client.force_login(rep)

    page = client.get(f"/activities/lead/{lead_with_history.pk}/history/").content.decode()

    order = [page.index(text) for text in ("Intro call", "Budget", "Thanks for your interest", "Pricing")]
    assert order == sorted(order)
    assert "Keen on a demo" in page
    # an email to the owner about the lead, and a machine open, are not the lead's history
    assert "New lead assigned to you" not in page
    assert "Email open" not in page


@pytest.mark.parametrize(
    ("kind", "shown", "hidden"),
    [
        ("email", "Thanks for your interest", "Intro call"),
        ("note", "Budget", "Pricing"),
        ("activities", "Intro call", "Budget"),
        ("engagement", "Pricing", "Thanks for your interest"),
    ],
)
def test_the_history_narrows_to_one_kind(client, rep, lead_with_history, kind, shown, hidden):
    client.force_login(rep)

    page = client.get(f"/activities/lead/{lead_with_history.pk}/history/?kind={kind}").content.decode()

    assert shown in page
    assert hidden not in page


def test_a_long_history_shows_25_then_more(client, rep):
    lead = LeadFactory(owner_user=rep)
    now = timezone.now()
    LeadNote.objects.bulk_create(
        LeadNote(lead=lead, title=f"Note {i}", body="x", created_by=rep, created_at=now - timedelta(minutes=i))
        for i in range(30)
    )
    client.force_login(rep)

    first = client.get(f"/activities/lead/{lead.pk}/history/").content.decode()
    everything = client.get(f"/activities/lead/{lead.pk}/history/?all=1").content.decode()

    assert first.count('data-testid="history-note"') == 25
    assert 'data-testid="history-show-all"' in first
    assert everything.count('data-testid="history-note"') == 30


def test_another_reps_private_lead_history_is_a_404(client, other_rep, lead_with_history):
    from core.models import OrgSettings

    OrgSettings.objects.update_or_create(singleton=1, defaults={"lead_access": OrgSettings.LeadAccess.PRIVATE})
    client.force_login(other_rep)

    assert client.get(f"/activities/lead/{lead_with_history.pk}/history/").status_code == 404
