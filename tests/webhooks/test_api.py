import pytest

from leads.services import lead_create
from webhooks.models import WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db

BODY = {"name": "Warehouse", "url": "https://hooks.example.com/in", "events": ["lead.created", "lead.updated"]}


def test_system_admins_register_list_change_and_delete_endpoints(api, system_admin):
    client = api.as_user(system_admin)
    created = client.post("/api/webhooks/", BODY, format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["secret"].startswith("whsec_")
    assert [row["name"] for row in client.get("/api/webhooks/").json()] == ["Warehouse"]
    changed = client.put(
        f"/api/webhooks/{pk}/", {**BODY, "events": ["lead.deleted"], "is_active": False}, format="json"
    )
    assert changed.status_code == 200
    assert changed.json()["events"] == ["lead.deleted"]
    rotated = client.post(f"/api/webhooks/{pk}/rotate-secret/")
    assert rotated.status_code == 200
    assert rotated.json()["secret"] != created.json()["secret"]
    assert client.delete(f"/api/webhooks/{pk}/").status_code == 204
    assert not WebhookEndpoint.objects.exists()


def test_bad_input_is_a_400_with_field_errors(api, system_admin):
    client = api.as_user(system_admin)
    answer = client.post("/api/webhooks/", {"name": "", "url": "ftp://x", "events": ["nope"]}, format="json")
    assert answer.status_code == 400
    assert {"name", "events"} <= set(answer.json())
    answer = client.post("/api/webhooks/", {**BODY, "url": "https://10.0.0.1/x"}, format="json")
    assert answer.status_code == 400
    assert "url" in answer.json()
    client.post("/api/webhooks/", BODY, format="json")
    answer = client.post("/api/webhooks/", {**BODY, "name": "warehouse"}, format="json")
    assert answer.status_code == 400
    assert "name" in answer.json()


def test_others_may_not_use_the_webhooks_api(api, marketing_admin, rep):
    for user in (marketing_admin, rep):
        client = api.as_user(user)
        assert client.get("/api/webhooks/").status_code == 403
        assert client.post("/api/webhooks/", BODY, format="json").status_code == 403


def test_the_delivery_log_a_delivery_and_sending_it_again(
    api, system_admin, receiver, django_capture_on_commit_callbacks
):
    client = api.as_user(system_admin)
    pk = client.post("/api/webhooks/", {**BODY, "url": receiver.url}, format="json").json()["id"]
    with django_capture_on_commit_callbacks(execute=True):
        lead_create(data={"last_name": "Hopper", "company": "Navy"}, acting_user=system_admin)
    log = client.get(f"/api/webhooks/{pk}/deliveries/?status=delivered")
    assert log.status_code == 200
    [row] = log.json()["results"]
    assert row["event"] == "lead.created"
    assert row["payload"]["data"]["last_name"] == "Hopper"
    detail = client.get(f"/api/webhook-deliveries/{row['id']}/").json()
    assert detail["attempt_log"][0]["response_status"] == 200
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(f"/api/webhook-deliveries/{row['id']}/replay/")
    assert again.status_code == 202
    assert len(receiver.requests) == 2
    with django_capture_on_commit_callbacks(execute=True):
        ping = client.post(f"/api/webhooks/{pk}/test/")
    assert ping.status_code == 202
    assert receiver.events()[-1] == "ping"
    assert WebhookDelivery.objects.count() == 2


def test_the_webhooks_api_is_in_the_schema(api, system_admin):
    schema = api.as_user(system_admin).get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert "/api/webhooks/" in schema["paths"]
    assert "/api/webhook-deliveries/{id}/replay/" in schema["paths"]
    assert "/api/leads/deleted/" in schema["paths"]
    names = [p["name"] for p in schema["paths"]["/api/leads/"]["get"]["parameters"]]
    assert "modified_since" in names
    assert "cursor" in names
