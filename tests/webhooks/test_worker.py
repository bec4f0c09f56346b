"""End to end: a lead made through the API reaches a receiver on loopback through a real Celery
worker on Redis, signed with the endpoint's secret."""

import pytest

from leads.models import Lead
from tests.waiting import wait_until
from webhooks.models import WebhookDelivery
from webhooks.services import endpoint_create
from webhooks.signing import verify


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_posts_signed_events_that_the_receiver_verifies(
    seeded_lead_fields, receiver, celery_worker_process, api, system_admin
):
    receiver.statuses = [503, 200]  # the first try fails; the retry is published with its wait
    saved = endpoint_create(
        name="Warehouse", url=receiver.url, events=["lead.created", "lead.updated"], acting_user=system_admin
    )
    client = api.as_user(system_admin)
    created = client.post("/api/leads/", {"last_name": "Turing", "company": "Bletchley"}, format="json")
    assert created.status_code == 201, created.content
    lead = Lead.objects.get(pk=created.json()["id"])

    assert wait_until(lambda: len(receiver.requests) >= 1, timeout=30), "the worker posted nothing"
    delivery = WebhookDelivery.objects.get()
    assert wait_until(
        lambda: WebhookDelivery.objects.get().attempts == 1 and WebhookDelivery.objects.get().status == "pending"
    )
    # The retry waits a minute: bring it forward and let the worker's own task find it due.
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=delivery.created_at)
    from webhooks.services import deliveries_publish

    deliveries_publish([delivery.pk])
    assert wait_until(lambda: WebhookDelivery.objects.get().status == "delivered", timeout=30)
    assert len(receiver.requests) == 2
    for request in receiver.requests:
        assert verify(saved.secret, request["headers"]["x-leadcrm-signature"], request["body"])
    assert receiver.payloads()[1]["record_id"] == lead.pk
    assert receiver.payloads()[0]["id"] == receiver.payloads()[1]["id"]
