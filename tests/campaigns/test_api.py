"""The campaigns API: CRUD through the services (400 with field errors, 403 for those who may not
write), members added many at a time, their status changed and removed, all in the schema."""

import pytest

from campaigns.models import Campaign, CampaignMember
from tests.factories import ContactFactory, LeadFactory

pytestmark = pytest.mark.django_db

BASE = "/api/campaigns/"


def test_a_marketing_admin_creates_a_campaign(api, marketing_admin, campaign_metadata, rep):
    response = api.as_user(marketing_admin).post(
        BASE,
        {"name": "Expo", "type": "Trade Show", "start_date": "2026-06-01", "owner": rep.pk, "actual_cost": "900"},
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["owner"] == rep.pk
    assert body["status"] == "Planned"
    assert body["actual_cost"] == "900.00"
    assert Campaign.objects.get(pk=body["id"]).member_statuses.count() == 2


def test_invalid_fields_answer_400_with_field_errors(api, marketing_admin, campaign_metadata):
    response = api.as_user(marketing_admin).post(
        BASE,
        {"name": "", "type": "Smoke signals", "start_date": "2026-06-10", "end_date": "2026-06-01", "owner": 999999},
        format="json",
    )

    assert response.status_code == 400
    assert set(response.json()) == {"owner"}
    response = api.post(
        BASE, {"name": "", "type": "Smoke signals", "start_date": "2026-06-10", "end_date": "2026-06-01"}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"name", "type", "end_date"}


def test_a_rep_reads_campaigns_but_may_not_create_or_change_them(api, rep, campaign):
    client = api.as_user(rep)

    assert client.get(BASE).status_code == 200
    assert client.get(f"{BASE}{campaign.pk}/").json()["name"] == "Spring Webinar"
    assert client.post(BASE, {"name": "Mine"}, format="json").status_code == 403
    assert client.patch(f"{BASE}{campaign.pk}/", {"name": "Mine"}, format="json").status_code == 403


def test_the_owner_updates_with_the_version_read(api, marketing_admin, rep, new_campaign):
    campaign = new_campaign(owner=rep)
    client = api.as_user(rep)

    ok = client.patch(f"{BASE}{campaign.pk}/", {"status": "In Progress", "version": 1}, format="json")
    stale = client.patch(f"{BASE}{campaign.pk}/", {"status": "Completed", "version": 1}, format="json")

    assert ok.status_code == 200
    assert ok.json()["version"] == 2
    assert stale.status_code == 400
    assert "version" in stale.json()


def test_members_are_added_many_at_once_listed_updated_and_removed(api, marketing_admin, campaign):
    leads = [LeadFactory() for _ in range(3)]
    contact = ContactFactory()
    client = api.as_user(marketing_admin)
    url = f"{BASE}{campaign.pk}/members/"

    added = client.post(url, {"leads": [lead.pk for lead in leads], "contacts": [contact.pk]}, format="json")
    again = client.post(url, {"leads": [leads[0].pk], "status": "Responded"}, format="json")

    assert added.status_code == 201, added.json()
    assert len(added.json()["added"]) == 4
    assert again.json()["already_members"] == 1
    listed = client.get(url).json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert len(rows) == 4
    member = CampaignMember.objects.get(lead=leads[0])
    patched = client.patch(f"{url}{member.pk}/", {"status": "Responded"}, format="json")
    assert patched.status_code == 200
    assert patched.json()["status"] == "Responded"
    assert patched.json()["first_responded_at"]
    assert client.delete(f"{url}{member.pk}/").status_code == 204
    assert CampaignMember.objects.filter(campaign=campaign).count() == 3


def test_adding_unknown_ids_or_nobody_is_a_field_error_and_adds_nobody(api, marketing_admin, campaign):
    lead = LeadFactory()
    client = api.as_user(marketing_admin)
    url = f"{BASE}{campaign.pk}/members/"

    unknown = client.post(url, {"leads": [lead.pk, 987654]}, format="json")
    empty = client.post(url, {}, format="json")
    bad_status = client.post(url, {"leads": [lead.pk], "status": "Danced"}, format="json")
    bad_shape = client.post(url, {"leads": "all"}, format="json")

    assert unknown.status_code == 400
    assert "987654" in unknown.json()["leads"][0]
    assert empty.status_code == 400
    assert "leads" in empty.json()
    assert bad_status.status_code == 400
    assert "status" in bad_status.json()
    assert bad_shape.status_code == 400
    assert not CampaignMember.objects.exists()


def test_a_rep_may_not_add_members_to_someone_elses_campaign(api, rep, campaign):
    lead = LeadFactory(owner_user=rep)

    response = api.as_user(rep).post(f"{BASE}{campaign.pk}/members/", {"leads": [lead.pk]}, format="json")

    assert response.status_code == 403
    assert not CampaignMember.objects.exists()


def test_member_statuses_are_listed_and_added(api, marketing_admin, campaign):
    client = api.as_user(marketing_admin)
    url = f"{BASE}{campaign.pk}/member-statuses/"

    created = client.post(url, {"label": "Attended", "counts_as_responded": True}, format="json")
    duplicate = client.post(url, {"label": "attended"}, format="json")

    assert created.status_code == 201
    assert [s["label"] for s in client.get(url).json()] == ["Sent", "Responded", "Attended"]
    assert duplicate.status_code == 400
    assert "label" in duplicate.json()


def test_the_schema_describes_campaigns_and_their_members(api, rep):
    schema = api.as_user(rep).get("/api/schema/", HTTP_ACCEPT="application/json").json()

    assert "/api/campaigns/" in schema["paths"]
    assert "/api/campaigns/{id}/members/" in schema["paths"]
    assert {"patch", "delete"} <= set(schema["paths"]["/api/campaigns/{id}/members/{member_pk}/"])
