"""End to end: a real Celery worker on Redis sends through SMTP to a real server on loopback."""

import time

import pytest
from django.db import transaction

from emails.models import OutboundEmail
from emails.services import autoresponse_settings_update, email_enqueue, email_template_create, outbox_sweep
from leadcrm.celery import app as celery_app
from tests.factories import LeadFactory
from tests.waiting import wait_until

CLOSED_BROKER = "redis://127.0.0.1:6390/0"


def _use_broker(url: str) -> None:
    """Point this process's publisher at another broker (the worker keeps its own connection)."""
    celery_app.conf.broker_url = url
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def restore_broker():
    original = celery_app.conf.broker_url
    yield
    _use_broker(original)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_worker_delivers_an_auto_response_over_smtp(
    seeded_lead_fields, smtp_inbox, celery_worker_process, marketing_admin
):
    template = email_template_create(
        data={
            "name": "Thanks",
            "subject": "Thanks, {{Lead.FirstName|there}}",
            "body_text": "Hello {{Lead.FirstName}} at {{Lead.Company}}, {{Lead.Owner.Name}} will call you.",
            "body_html": "<p>Hello <b>{{Lead.FirstName}}</b> at {{Lead.Company}}</p>",
        },
        acting_user=marketing_admin,
    )
    autoresponse_settings_update(
        default_template=template,
        default_from_name="Acme Sales",
        default_from_address="sales@acme.example",
        acting_user=marketing_admin,
    )
    lead = LeadFactory(first_name="Ann", company="Acme <Labs>", email="ann@example.com", owner_user=marketing_admin)
    from emails.services import autoresponse_send

    with transaction.atomic():
        email = autoresponse_send(lead=lead, source="web")

    assert wait_until(lambda: smtp_inbox.messages), "the worker sent nothing"
    assert wait_until(lambda: OutboundEmail.objects.get(pk=email.pk).status == OutboundEmail.Status.SENT)
    envelope = smtp_inbox.messages[0]
    content = envelope.content.decode()
    assert envelope.rcpt_tos == ["ann@example.com"]
    assert envelope.mail_from == "sales@acme.example"
    assert "Subject: Thanks, Ann" in content
    assert "Hello Ann at Acme <Labs>, Mara Admin will call you." in content
    assert "at Acme &lt;Labs&gt;</p>" in content
    assert len(smtp_inbox.messages) == 1


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_broker_down_keeps_the_row_queued_and_the_sweeper_delivers_once(
    seeded_lead_fields, smtp_inbox, celery_worker_process, restore_broker
):
    _use_broker(CLOSED_BROKER)
    started = time.monotonic()

    with transaction.atomic():
        email = email_enqueue(
            to="bob@example.com",
            subject="While the broker was down",
            body_text="Kept safe in the outbox.",
            kind=OutboundEmail.Kind.SYSTEM,
            idempotency_key="broker-down-1",
        )

    elapsed = time.monotonic() - started
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.QUEUED
    assert email.published_at is None
    assert elapsed < 10
    time.sleep(1)
    assert smtp_inbox.messages == []

    _use_broker(restore_broker_url())
    first = outbox_sweep()
    second = outbox_sweep()

    assert (first.published, second.published) == (1, 0)
    assert wait_until(lambda: OutboundEmail.objects.get(pk=email.pk).status == OutboundEmail.Status.SENT)
    time.sleep(2)
    assert len(smtp_inbox.messages) == 1
    assert smtp_inbox.messages[0].rcpt_tos == ["bob@example.com"]
    assert outbox_sweep().published == 0


def restore_broker_url() -> str:
    from django.conf import settings

    return settings.CELERY_BROKER_URL
