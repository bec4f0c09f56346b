import pytest
from django.core import mail
from rest_framework.test import APIClient

from emails.models import OutboundEmail
from emails.services import autoresponse_settings_update
from leads.models import Lead


@pytest.fixture
def api(rep):
    client = APIClient()
    client.force_authenticate(rep)
    return client


@pytest.fixture
def default_response(marketing_admin, welcome_template):
    autoresponse_settings_update(default_template=welcome_template, acting_user=marketing_admin)
    return welcome_template


LEAD = {"first_name": "Ann", "last_name": "Lee", "company": "Acme", "email": "ann@example.com"}


@pytest.mark.django_db
def test_api_create_sends_the_auto_response_when_asked_in_the_query(
    api, default_response, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/leads/?autoresponse=true", LEAD, format="json")

    assert response.status_code == 201
    row = OutboundEmail.objects.get()
    assert (row.kind, row.record_id, row.idempotency_key) == (
        "auto_response",
        response.data["id"],
        f"autoresponse:lead:{response.data['id']}:api",
    )
    assert mail.outbox[0].subject == "Welcome, Ann"


@pytest.mark.django_db
def test_api_create_sends_the_auto_response_when_asked_in_the_body(api, default_response):
    response = api.post("/api/leads/", {**LEAD, "send_autoresponse": True}, format="json")

    assert response.status_code == 201
    assert OutboundEmail.objects.filter(kind="auto_response").count() == 1


@pytest.mark.django_db
def test_api_create_sends_nothing_unless_asked(api, default_response):
    response = api.post("/api/leads/", LEAD, format="json")

    assert response.status_code == 201
    assert OutboundEmail.objects.count() == 0


@pytest.mark.django_db
def test_hand_created_lead_gets_no_auto_response(client, rep, default_response):
    client.force_login(rep)

    response = client.post("/leads/new/", {**LEAD, "status": "New", "owner": f"user:{rep.pk}"})

    assert response.status_code == 302
    assert Lead.objects.filter(last_name="Lee", created_by=rep).exists()
    assert OutboundEmail.objects.count() == 0


@pytest.mark.django_db
def test_outbox_api_filters_and_is_for_admins(rep, marketing_admin):
    from django.utils import timezone

    for key, status in (("a", "failed"), ("b", "sent")):
        OutboundEmail.objects.create(
            idempotency_key=key,
            status=status,
            kind="system",
            to_address=f"{key}@example.com",
            subject="S",
            body_text="B",
            next_attempt_at=timezone.now(),
            created_at=timezone.now(),
            sent_at=timezone.now(),
        )
    client = APIClient()
    client.force_authenticate(rep)
    assert client.get("/api/outbox/").status_code == 403

    client.force_authenticate(marketing_admin)
    response = client.get("/api/outbox/", {"status": "failed"})
    retried = client.post(f"/api/outbox/{response.data['results'][0]['id']}/retry/")
    refused = client.post(f"/api/outbox/{OutboundEmail.objects.get(idempotency_key='b').pk}/retry/")

    assert [row["idempotency_key"] for row in response.data["results"]] == ["a"]
    assert retried.status_code == 200
    assert retried.data["status"] in {"queued", "sent"}
    assert refused.status_code == 400
