"""Endpoints, the deliveries a change of a lead writes, and sending them (PostgreSQL)."""

import json
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from leads.intake import IntakeOptions, IntakeRow, intake_batch
from leads.services import lead_change_owner, lead_create, lead_delete, lead_mark_converted, lead_restore, lead_update
from webhooks import services
from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from webhooks.signing import verify

pytestmark = pytest.mark.django_db

ALL = ["lead.created", "lead.updated", "lead.assigned", "lead.converted", "lead.deleted", "lead.restored"]


def endpoint(user, url="https://hooks.example.com/in", events=ALL, **kwargs):
    return services.endpoint_create(
        name=kwargs.pop("name", "CRM sync"), url=url, events=events, acting_user=user, **kwargs
    )


def new_lead(user, **data):
    return lead_create(data={"last_name": "Lovelace", "company": "Analytical", **data}, acting_user=user)


# Endpoints ---------------------------------------------------------------------------------------


def test_an_endpoint_needs_a_name_an_https_url_and_known_events(system_admin):
    with pytest.raises(ValidationError) as caught:
        services.endpoint_create(
            name="", url="http://hooks.example.com/", events=["lead.eaten"], acting_user=system_admin
        )
    errors = caught.value.message_dict
    assert set(errors) == {"name", "url", "events"}
    assert "https" in errors["url"][0]
    with pytest.raises(ValidationError) as caught:
        services.endpoint_create(name="X", url="https://h.example.com/", events=[], acting_user=system_admin)
    assert "events" in caught.value.message_dict


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/x",
        "https://10.1.2.3/x",
        "https://169.254.169.254/latest",
        "https://localhost/x",
        "https://[::1]/x",
    ],
)
def test_private_and_local_addresses_are_refused(system_admin, url):
    with pytest.raises(ValidationError) as caught:
        endpoint(system_admin, url=url)
    assert "url" in caught.value.message_dict


def test_private_addresses_and_http_are_allowed_when_the_setting_says_so(system_admin, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = True
    saved = endpoint(system_admin, url="http://127.0.0.1:9/x")
    assert saved.pk
    assert saved.secret.startswith("whsec_")


def test_names_are_unique_whatever_the_case_and_only_system_admins_manage_endpoints(system_admin, marketing_admin):
    endpoint(system_admin, name="Warehouse")
    with pytest.raises(ValidationError) as caught:
        endpoint(system_admin, name="WAREHOUSE")
    assert "name" in caught.value.message_dict
    with pytest.raises(Exception) as refused:
        endpoint(marketing_admin, name="Other")
    assert not isinstance(refused.value, ValidationError)
    assert WebhookEndpoint.objects.count() == 1


def test_rotating_the_secret_changes_it(system_admin):
    saved = endpoint(system_admin)
    assert services.endpoint_rotate_secret(endpoint=saved, acting_user=system_admin).secret != saved.secret


# Events ------------------------------------------------------------------------------------------


def test_no_endpoint_no_delivery(rep):
    new_lead(rep)
    assert not WebhookDelivery.objects.exists()


def test_a_lead_created_updated_assigned_converted_deleted_and_restored_makes_one_delivery_each(
    system_admin, rep, other_rep
):
    endpoint(system_admin)
    lead = new_lead(system_admin, city="London")
    lead = lead_update(lead=lead, data={"city": "Paris"}, acting_user=system_admin)
    lead_change_owner(lead=lead, owner=other_rep, acting_user=system_admin)
    entry = lead_delete(lead=lead, acting_user=system_admin)
    restored = lead_restore(entry=entry, acting_user=system_admin)
    lead_mark_converted(lead=restored, status="Qualified", acting_user=system_admin)

    events = list(WebhookDelivery.objects.order_by("pk").values_list("event", flat=True))
    assert events == [
        "lead.created",
        "lead.updated",
        "lead.assigned",
        "lead.deleted",
        "lead.restored",
        "lead.converted",
    ]
    created, updated, assigned, deleted = WebhookDelivery.objects.order_by("pk")[:4]
    assert created.payload["data"]["city"] == "London"
    assert created.payload["record_id"] == lead.pk
    assert updated.payload["changes"] == [{"field": "city", "label": "City", "old": "London", "new": "Paris"}]
    assert updated.payload["data"]["city"] == "Paris"
    assert assigned.payload["data"]["owner_user_id"] == other_rep.pk
    assert deleted.payload["data"]["city"] == "Paris"  # the lead as it was when deleted
    assert len({d.event_id for d in WebhookDelivery.objects.all()}) == 6


def test_only_subscribed_events_and_active_endpoints_get_deliveries(system_admin):
    endpoint(system_admin, name="Created only", events=["lead.created"])
    endpoint(system_admin, name="Off", events=ALL, is_active=False)
    lead = new_lead(system_admin)
    lead_update(lead=lead, data={"city": "Oslo"}, acting_user=system_admin)
    assert list(WebhookDelivery.objects.values_list("event", "endpoint__name")) == [("lead.created", "Created only")]


def test_an_endpoint_change_takes_effect_at_once(system_admin, django_capture_on_commit_callbacks):
    saved = endpoint(system_admin, events=["lead.created"])
    new_lead(system_admin)
    with django_capture_on_commit_callbacks(execute=True):
        services.endpoint_update(
            endpoint=saved,
            name=saved.name,
            url=saved.url,
            events=["lead.updated"],
            is_active=True,
            acting_user=system_admin,
        )
    new_lead(system_admin)
    assert WebhookDelivery.objects.count() == 1


def test_a_batch_of_leads_makes_one_created_delivery_per_lead_in_one_insert(system_admin, rep):
    endpoint(system_admin, events=["lead.created"])
    rows = [IntakeRow(data={"last_name": f"L{n}", "company": "Acme"}) for n in range(30)]
    intake_batch(rows=rows, options=IntakeOptions(source="import"), acting_user=rep)
    deliveries = WebhookDelivery.objects.all()
    assert deliveries.count() == 30
    assert {d.payload["data"]["last_name"] for d in deliveries} == {f"L{n}" for n in range(30)}


def test_a_rolled_back_change_leaves_no_delivery(system_admin):
    from django.db import transaction

    endpoint(system_admin)

    def change_then_fail():
        with transaction.atomic():
            new_lead(system_admin)
            raise RuntimeError("stop")

    with pytest.raises(RuntimeError):
        change_then_fail()
    assert not WebhookDelivery.objects.exists()


# Sending -----------------------------------------------------------------------------------------


def test_a_delivery_is_posted_signed_and_marked_delivered(system_admin, receiver, django_capture_on_commit_callbacks):
    saved = endpoint(system_admin, url=receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        lead = new_lead(system_admin)
    assert receiver.events() == ["lead.created"]
    request = receiver.requests[0]
    assert verify(saved.secret, request["headers"]["x-leadcrm-signature"], request["body"])
    assert request["headers"]["x-leadcrm-event"] == "lead.created"
    delivery = WebhookDelivery.objects.get()
    assert request["headers"]["x-leadcrm-delivery"] == str(delivery.event_id)
    assert json.loads(request["body"])["record_id"] == lead.pk
    assert delivery.status == "delivered"
    assert delivery.attempts == 1
    assert delivery.response_status == 200
    assert WebhookAttempt.objects.get().response_status == 200


def test_a_failed_post_is_tried_again_later_and_fails_for_good_after_the_last_attempt(
    system_admin, receiver, django_capture_on_commit_callbacks
):
    receiver.statuses = [500]
    endpoint(system_admin, url=receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        new_lead(system_admin)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "pending"
    assert delivery.attempts == 1
    assert delivery.response_status == 500
    assert delivery.next_attempt_at > timezone.now() + timedelta(seconds=50)
    for _ in range(services.MAX_ATTEMPTS - 1):
        WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
        services.delivery_deliver(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == "failed"
    assert delivery.attempts == services.MAX_ATTEMPTS
    assert len(receiver.requests) == services.MAX_ATTEMPTS
    assert services.delivery_deliver(delivery_id=delivery.pk) == "skipped"


def test_a_redirect_is_never_followed(system_admin, receiver, django_capture_on_commit_callbacks):
    receiver.statuses = [302]
    endpoint(system_admin, url=receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        new_lead(system_admin)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "pending"
    assert delivery.response_status == 302
    assert len(receiver.requests) == 1


def test_an_unreachable_endpoint_is_recorded_not_raised(system_admin, settings, django_capture_on_commit_callbacks):
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = True
    endpoint(system_admin, url="http://127.0.0.1:9/closed")
    with django_capture_on_commit_callbacks(execute=True):
        new_lead(system_admin)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "pending"
    assert delivery.last_error
    assert WebhookAttempt.objects.get().error


def test_a_delivery_claimed_by_another_worker_is_not_sent_twice(system_admin, receiver):
    endpoint(system_admin, url=receiver.url)
    new_lead(system_admin)
    delivery = WebhookDelivery.objects.get()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status="sending", claimed_at=timezone.now())
    assert services.delivery_deliver(delivery_id=delivery.pk) == "skipped"
    assert receiver.requests == []


def test_the_sweep_takes_back_abandoned_claims_and_hands_over_what_never_reached_the_broker(
    system_admin, receiver, monkeypatch
):
    endpoint(system_admin, url=receiver.url)
    new_lead(system_admin)
    new_lead(system_admin, last_name="Second")
    first, second = WebhookDelivery.objects.order_by("pk")
    WebhookDelivery.objects.filter(pk=first.pk).update(
        status="sending", claimed_at=timezone.now() - timedelta(minutes=30)
    )
    handed = []
    monkeypatch.setattr(services, "deliveries_publish", lambda ids, countdown=None: handed.extend(ids) or True)
    result = services.webhooks_sweep()
    assert result.requeued == 1
    assert sorted(handed) == [first.pk, second.pk]


def test_a_delivered_or_failed_delivery_can_be_sent_again(system_admin, receiver, django_capture_on_commit_callbacks):
    endpoint(system_admin, url=receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        new_lead(system_admin)
    delivery = WebhookDelivery.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        services.delivery_replay(delivery=delivery, acting_user=system_admin)
    assert len(receiver.requests) == 2
    assert receiver.payloads()[0] == receiver.payloads()[1]
    delivery.refresh_from_db()
    assert delivery.status == "delivered"
    assert delivery.attempt_log.count() == 2


def test_a_waiting_delivery_cannot_be_sent_again(system_admin):
    endpoint(system_admin)
    new_lead(system_admin)
    with pytest.raises(ValidationError):
        services.delivery_replay(delivery=WebhookDelivery.objects.get(), acting_user=system_admin)


def test_a_test_event_reaches_the_endpoint(system_admin, receiver, django_capture_on_commit_callbacks):
    saved = endpoint(system_admin, url=receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        services.endpoint_send_test(endpoint=saved, acting_user=system_admin)
    assert receiver.events() == ["ping"]


def test_a_merge_is_a_merged_event_of_the_master_and_a_deleted_event_of_the_other(system_admin):
    from dedupe.services import lead_merge

    endpoint(system_admin, events=["lead.merged", "lead.deleted"])
    master, other = new_lead(system_admin), new_lead(system_admin, last_name="Byron")
    lead_merge(master_id=master.pk, merged_ids=[other.pk], acting_user=system_admin)
    events = set(WebhookDelivery.objects.values_list("event", "record_id"))
    assert events == {("lead.merged", master.pk), ("lead.deleted", other.pk)}
