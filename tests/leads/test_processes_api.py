"""The lead record types API and the record type and Unqualified Reason of the leads API."""

import pytest

from core.models import RecordType
from leads.models import Lead
from leads.processes.services import lead_record_type_create
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def partner(marketing_admin):
    return lead_record_type_create(
        name="Partner", statuses=["New", "Working", "Unqualified", "Qualified"], acting_user=marketing_admin
    )


def test_reps_read_the_record_types_with_their_process(api, rep, partner):
    response = api.as_user(rep).get("/api/lead-record-types/")

    assert response.status_code == 200
    by_name = {r["name"]: r for r in response.json()}
    assert [s["status"] for s in by_name["Partner"]["process"]] == ["New", "Working", "Unqualified", "Qualified"]
    assert by_name["General"]["is_org_default"] is True


def test_admins_create_a_record_type_and_set_a_steps_guidance(api, marketing_admin):
    client = api.as_user(marketing_admin)

    created = client.post(
        "/api/lead-record-types/",
        {"name": "Events", "statuses": ["New", "Working", "Qualified"], "layout_sections": ["info"]},
        format="json",
    )
    pk = created.json()["id"]
    step = client.post(
        f"/api/lead-record-types/{pk}/path-steps/",
        {"status": "Working", "guidance": "Book a demo.", "key_fields": ["title"]},
        format="json",
    )

    assert created.status_code == 201
    assert step.status_code == 200
    working = next(s for s in step.json()["process"] if s["status"] == "Working")
    assert (working["guidance"], working["key_fields"]) == ("Book a demo.", ["title"])


def test_record_type_setup_errors_are_field_errors(api, marketing_admin, rep, partner):
    client = api.as_user(marketing_admin)

    dead_end = client.post("/api/lead-record-types/", {"name": "X", "statuses": ["New"]}, format="json")
    too_many = client.post(
        f"/api/lead-record-types/{partner.pk}/path-steps/",
        {"status": "New", "key_fields": ["title", "phone", "email", "city", "country", "industry"]},
        format="json",
    )
    duplicate = client.post("/api/lead-record-types/", {"name": "partner"}, format="json")
    by_rep = api.as_user(rep).post("/api/lead-record-types/", {"name": "Mine"}, format="json")

    assert dead_end.status_code == 400
    assert "statuses" in dead_end.json()
    assert too_many.status_code == 400
    assert "key_fields" in too_many.json()
    assert duplicate.status_code == 400
    assert "name" in duplicate.json()
    assert by_rep.status_code == 403


def test_a_lead_is_created_with_a_record_type_and_its_process_is_enforced(api, rep, partner):
    client = api.as_user(rep)

    created = client.post(
        "/api/leads/", {"last_name": "Ng", "company": "Acme", "record_type": partner.pk}, format="json"
    )
    pk = created.json()["id"]
    outside = client.patch(f"/api/leads/{pk}/", {"status": "Nurturing"}, format="json")
    unknown = client.post("/api/leads/", {"last_name": "Ng", "company": "Acme", "record_type": 999999}, format="json")

    assert created.status_code == 201
    assert (created.json()["record_type"], created.json()["record_type_name"]) == (partner.pk, "Partner")
    assert outside.status_code == 400
    assert "status" in outside.json()
    assert unknown.status_code == 400
    assert "record_type" in unknown.json()


def test_unqualified_through_the_api_needs_a_reason(api, rep):
    lead = LeadFactory(owner_user=rep, status="Working")
    client = api.as_user(rep)

    refused = client.patch(f"/api/leads/{lead.pk}/", {"status": "Unqualified"}, format="json")
    bad_reason = client.patch(
        f"/api/leads/{lead.pk}/", {"status": "Unqualified", "unqualified_reason": "Bored"}, format="json"
    )
    done = client.patch(
        f"/api/leads/{lead.pk}/", {"status": "Unqualified", "unqualified_reason": "Competitor"}, format="json"
    )

    assert refused.status_code == 400
    assert "unqualified_reason" in refused.json()
    assert bad_reason.status_code == 400
    assert "unqualified_reason" in bad_reason.json()
    assert done.status_code == 200
    assert done.json()["unqualified_reason"] == "Competitor"
    assert Lead.objects.get(pk=lead.pk).status == "Unqualified"


def test_the_lead_list_filters_by_record_type(api, rep, partner):
    mine = LeadFactory(owner_user=rep, record_type=partner)
    LeadFactory(owner_user=rep)

    response = api.as_user(rep).get("/api/leads/", {"record_type": partner.pk})

    assert [row["id"] for row in response.json()["results"]] == [mine.pk]


def test_a_default_record_type_is_set_for_a_role(api, marketing_admin, partner):
    response = api.as_user(marketing_admin).post(
        "/api/lead-record-types/defaults/", {"role": "Sales rep", "record_type": partner.pk}, format="json"
    )

    assert response.status_code == 204
    assert RecordType.objects.get(pk=partner.pk).defaults.filter(group__name="Sales rep").exists()
