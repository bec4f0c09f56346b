"""The users API: system admins only; writes answer 400 with field errors."""

import pytest

from emails.models import OutboundEmail
from users.models import PermissionSet

pytestmark = pytest.mark.django_db


def test_others_than_system_admins_get_403(api, rep, marketing_admin):
    for user in (rep, marketing_admin):
        client = api.as_user(user)
        assert client.get("/api/users/").status_code == 403
        assert (
            client.post("/api/users/", {"email": "x@example.com", "last_name": "X"}, format="json").status_code == 403
        )
        assert client.get("/api/permission-sets/").status_code == 403


def test_a_system_admin_invites_and_changes_a_user(api, system_admin):
    client = api.as_user(system_admin)
    export = PermissionSet.objects.get(key="export")

    response = client.post(
        "/api/users/",
        {"email": "ana@example.com", "first_name": "Ana", "last_name": "Alba", "permission_sets": [export.pk]},
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["role"] == "Sales rep"
    assert body["invitation_pending"] is True
    assert body["permission_sets"] == [{"id": export.pk, "name": export.name}]
    assert OutboundEmail.objects.filter(to_address="ana@example.com").count() == 1

    response = client.patch(f"/api/users/{body['id']}/", {"role": "Marketing admin"}, format="json")
    assert response.status_code == 200
    assert response.json()["role"] == "Marketing admin"
    assert response.json()["email"] == "ana@example.com"

    history = client.get(f"/api/users/{body['id']}/history/").json()
    assert [entry["action"] for entry in history] == ["role_changed", "invited"]


def test_bad_input_is_a_400_with_field_errors(api, system_admin):
    client = api.as_user(system_admin)

    assert client.post("/api/users/", {"email": "nope", "last_name": ""}, format="json").json().keys() >= {
        "email",
        "last_name",
    }
    response = client.post("/api/users/", {"email": "a@example.com", "last_name": "A", "role": "King"}, format="json")
    assert response.status_code == 400
    assert "role" in response.json()
    response = client.post("/api/permission-sets/", {"name": "X", "permissions": ["auth.add_user"]}, format="json")
    assert response.status_code == 400
    assert "permissions" in response.json()
    response = client.post("/api/permission-sets/", {"name": "export"}, format="json")
    assert response.status_code == 400
    assert "name" in response.json()


def test_deactivate_and_permission_sets_through_the_api(api, system_admin, rep):
    client = api.as_user(system_admin)
    converted = PermissionSet.objects.get(key="view-edit-converted-leads")

    response = client.put(f"/api/users/{rep.pk}/permission-sets/", {"permission_sets": [converted.pk]}, format="json")
    assert response.status_code == 200
    assert [s["id"] for s in response.json()["permission_sets"]] == [converted.pk]

    response = client.post(f"/api/users/{rep.pk}/deactivate/")
    assert response.status_code == 200
    assert response.json()["is_active"] is False
    assert client.post(f"/api/users/{system_admin.pk}/deactivate/").status_code == 400


def test_a_custom_permission_set_through_the_api(api, system_admin, rep):
    client = api.as_user(system_admin)

    created = client.post(
        "/api/permission-sets/", {"name": "Exporters", "permissions": ["core.export_records"]}, format="json"
    )
    assert created.status_code == 201
    pk = created.json()["id"]
    assigned = client.post(f"/api/permission-sets/{pk}/assign/", {"users": [rep.pk]}, format="json")
    assert assigned.json()["users"] == [rep.pk]
    changed = client.patch(f"/api/permission-sets/{pk}/", {"description": "Quarter-end"}, format="json")
    assert changed.json()["permissions"] == ["core.export_records"]
    assert changed.json()["description"] == "Quarter-end"
    assert client.delete(f"/api/permission-sets/{pk}/").status_code == 204
    standard = PermissionSet.objects.get(key="export")
    assert client.delete(f"/api/permission-sets/{standard.pk}/").status_code == 400
    available = client.get("/api/permission-sets/available/").json()
    assert "core.manage_campaigns" in {item["codename"] for item in available}
