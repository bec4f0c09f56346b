"""The list views API, ``GET /api/leads/?list_view=`` and ``GET /api/leads/export.csv``."""

import csv
import io

import pytest
from django.contrib.auth.models import Group, Permission

from core.roles import SALES_REP
from leads.listviews.models import ListView
from leads.listviews.services import list_view_create
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db

URL = "/api/list-views/"


def _view(user, name="View", **kwargs):
    kwargs.setdefault("columns", ["name", "company"])
    return list_view_create(name=name, acting_user=user, **kwargs)


def test_create_list_and_read_a_view(api, rep):
    client = api.as_user(rep)

    response = client.post(
        URL,
        {"name": "Working", "columns": ["company", "name"], "filters": {"status": "Working"}, "ordering": "-company"},
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["filters"] == {"status": ["Working"]}
    assert body["columns"] == ["company", "name"]
    assert body["sharing"] == "private"
    assert body["editable"] is True
    assert body["owner"]["id"] == rep.pk
    assert [v["name"] for v in client.get(URL).json()["results"]] == ["Working"]
    assert client.get(f"{URL}{body['id']}/").json()["ordering"] == "-company"


def test_validation_errors_are_field_errors(api, rep):
    client = api.as_user(rep)
    _view(rep, name="Taken")

    response = client.post(
        URL,
        {
            "name": "TAKEN",
            "columns": ["name", "nope"],
            "filters": {"colour": "red", "status": "Nope"},
            "ordering": "height",
            "sharing": "everyone",
        },
        format="json",
    )

    assert response.status_code == 400
    errors = response.json()
    assert set(errors) >= {"columns", "filters", "sharing"}
    assert "nope" in errors["columns"][0]
    bad_sort = client.post(URL, {"name": "Sorted", "columns": ["name"], "ordering": "height"}, format="json")
    assert bad_sort.status_code == 400
    assert "height" in bad_sort.json()["ordering"][0]
    duplicate = client.post(URL, {"name": "TAKEN", "columns": ["name"]}, format="json")
    assert duplicate.status_code == 400
    assert duplicate.json()["name"]
    assert client.post(URL, {"name": "x", "columns": "name"}, format="json").status_code == 400
    assert client.post(URL, {"name": "x", "columns": []}, format="json").status_code == 400


def test_a_rep_never_sees_or_changes_another_reps_private_view(api, rep, other_rep):
    theirs = _view(other_rep, name="Theirs")
    client = api.as_user(rep)

    assert client.get(URL).json()["results"] == []
    assert client.get(f"{URL}{theirs.pk}/").status_code == 404
    assert client.patch(f"{URL}{theirs.pk}/", {"name": "Mine"}, format="json").status_code == 404
    assert client.delete(f"{URL}{theirs.pk}/").status_code == 404


def test_sharing_with_a_role_and_admin_management(api, rep, other_rep, marketing_admin):
    admin = api.as_user(marketing_admin)
    role = Group.objects.get(name=SALES_REP)
    created = admin.post(
        URL, {"name": "For reps", "columns": ["name"], "sharing": "role", "shared_role": role.pk}, format="json"
    )
    assert created.status_code == 201
    pk = created.json()["id"]

    rep_client = api.as_user(rep)
    seen = rep_client.get(URL).json()["results"]
    assert [(v["name"], v["editable"]) for v in seen] == [("For reps", False)]
    assert rep_client.patch(f"{URL}{pk}/", {"name": "Hijack"}, format="json").status_code == 403
    assert rep_client.delete(f"{URL}{pk}/").status_code == 403
    clone = rep_client.post(f"{URL}{pk}/clone/", {"name": "Mine now"}, format="json")
    assert clone.status_code == 201
    assert clone.json()["sharing"] == "private"

    # An admin renames and deletes it (one client: authenticate as the admin again).
    admin = api.as_user(marketing_admin)
    assert admin.patch(f"{URL}{pk}/", {"name": "Reps only"}, format="json").json()["name"] == "Reps only"
    assert admin.delete(f"{URL}{pk}/").status_code == 204
    assert not ListView.objects.filter(pk=pk).exists()


def test_a_rep_cannot_share_by_updating_their_view(api, rep):
    view = _view(rep)

    response = api.as_user(rep).patch(f"{URL}{view.pk}/", {"sharing": "everyone"}, format="json")

    assert response.status_code == 400
    assert response.json()["sharing"]


def test_the_lead_list_applies_a_list_view_within_sharing(api, rep, other_rep, marketing_admin):
    LeadFactory(owner_user=rep, last_name="Bee", company="Bco", status="Working")
    LeadFactory(owner_user=rep, last_name="Ant", company="Aco", status="Working")
    LeadFactory(owner_user=rep, last_name="Cat", company="Cco", status="New")
    LeadFactory(owner_user=other_rep, last_name="Hidden", company="Zco", status="Working")
    shared = _view(marketing_admin, filters={"status": ["Working"]}, ordering="-company", sharing="everyone")
    client = api.as_user(rep)

    names = [lead["last_name"] for lead in client.get("/api/leads/", {"list_view": shared.pk}).json()["results"]]
    assert names == ["Bee", "Ant"]  # the rep's own rows only, sorted by the view
    resorted = client.get("/api/leads/", {"list_view": shared.pk, "ordering": "company"}).json()["results"]
    assert [lead["last_name"] for lead in resorted] == ["Ant", "Bee"]


def test_a_list_view_the_caller_cannot_see_is_a_400(api, rep, other_rep):
    theirs = _view(other_rep)
    client = api.as_user(rep)

    for value in (theirs.pk, "abc", 999999):
        response = client.get("/api/leads/", {"list_view": value})
        assert response.status_code == 400
        assert response.json()["list_view"]


def test_export_csv_through_the_api(api, rep, marketing_admin):
    LeadFactory(owner_user=rep, last_name="Plain", company="+SUM(A1)", status="Working")
    view = _view(marketing_admin, filters={"status": ["Working"]}, columns=["company", "name", "status"])
    response = api.as_user(marketing_admin).get("/api/leads/export.csv", {"list_view": view.pk})

    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == ["Company", "Name", "Lead Status"]
    assert rows[1][0] == "'+SUM(A1)"


def test_export_needs_the_permission_and_valid_input(api, rep):
    client = api.as_user(rep)
    assert client.get("/api/leads/export.csv").status_code == 403

    rep.user_permissions.add(Permission.objects.get(codename="export_records"))
    client = api.as_user(rep)
    response = client.get("/api/leads/export.csv", {"columns": "name,shoe", "status": "Nope"})
    assert response.status_code == 400
    assert "columns" in response.json()
    assert client.get("/api/leads/export.csv", {"columns": "name", "status": "Nope"}).json()["status"]


def test_the_schema_documents_list_views_and_the_export(api, rep):
    schema = api.as_user(rep).get("/api/schema/", {"format": "json"}).json()

    assert "/api/list-views/" in schema["paths"]
    assert "/api/list-views/{id}/clone/" in schema["paths"]
    assert "text/csv" in schema["paths"]["/api/leads/export.csv"]["get"]["responses"]["200"]["content"]
    params = {p["name"] for p in schema["paths"]["/api/leads/"]["get"]["parameters"]}
    assert "list_view" in params
