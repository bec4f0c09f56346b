"""The duplicate management API: setup, a lead's duplicates, merge and undo, with sharing."""

import pytest

from core.models import OrgSettings
from dedupe.models import DuplicateRule, MatchingRule

pytestmark = pytest.mark.django_db


def test_admins_configure_matching_and_duplicate_rules(api, system_admin):
    client = api.as_user(system_admin)
    response = client.post(
        "/api/matching-rules/", {"name": "Email", "email": "normalized", "gmail_dots": True}, format="json"
    )
    assert response.status_code == 201
    matching_id = response.json()["id"]
    assert client.post("/api/matching-rules/", {"name": "email", "email": "exact"}, format="json").status_code == 400
    rule = client.post("/api/duplicate-rules/", {"name": "Leads"}, format="json").json()
    response = client.post(
        f"/api/duplicate-rules/{rule['id']}/entries/",
        {"matching_rule": matching_id, "action_api": "block", "action_webtolead": "attach"},
        format="json",
    )
    assert response.status_code == 201
    bad = client.post(
        f"/api/duplicate-rules/{rule['id']}/entries/",
        {"matching_rule": matching_id, "action_api": "attach"},
        format="json",
    )
    assert bad.status_code == 400
    assert "action_api" in bad.json()
    assert client.post(f"/api/duplicate-rules/{rule['id']}/activate/").json()["is_active"] is True
    assert DuplicateRule.objects.get().entries.get().action_webtolead == "attach"


def test_reps_may_not_configure_rules(api, rep):
    client = api.as_user(rep)
    assert client.get("/api/matching-rules/").status_code == 403
    assert client.post("/api/matching-rules/", {"name": "X", "email": "exact"}, format="json").status_code == 403
    assert not MatchingRule.objects.exists()


def test_a_leads_duplicates_come_with_the_rule_and_score(api, rep, email_rule, make_lead):
    lead = make_lead(email="ada@example.net", owner_user=rep)
    twin = make_lead(email="Ada+x@example.net", owner_user=rep)
    response = api.as_user(rep).get(f"/api/leads/{lead.pk}/duplicates/")
    assert response.status_code == 200
    assert [(d["id"], d["rule"], d["score"], d["methods"]) for d in response.json()] == [
        (twin.pk, "Same email", 1.0, ["email"])
    ]


def test_duplicates_of_a_lead_the_user_cannot_see_are_a_404(api, rep, other_rep, email_rule, make_lead):
    OrgSettings.objects.update(lead_access=OrgSettings.LeadAccess.PRIVATE)
    theirs = make_lead(owner_user=other_rep)
    assert api.as_user(rep).get(f"/api/leads/{theirs.pk}/duplicates/").status_code == 404


def test_merge_and_undo_through_the_api(api, rep, make_lead):
    master = make_lead(owner_user=rep, title="")
    loser = make_lead(owner_user=rep, title="CTO")
    client = api.as_user(rep)
    response = client.post(
        "/api/leads/merge/",
        {"master_id": master.pk, "merged_ids": [loser.pk], "value_from": {"title": loser.pk}},
        format="json",
    )
    assert response.status_code == 201
    merge_id = response.json()["id"]
    assert client.get(f"/api/leads/{master.pk}/").json()["title"] == "CTO"
    assert client.get(f"/api/leads/{loser.pk}/").status_code == 404
    response = client.post(f"/api/merges/{merge_id}/undo/")
    assert response.status_code == 200
    assert client.get(f"/api/leads/{loser.pk}/").json()["title"] == "CTO"
    assert client.get(f"/api/leads/{master.pk}/").json()["title"] == ""
    assert client.post(f"/api/merges/{merge_id}/undo/").status_code == 400


def test_the_api_refuses_a_merge_of_a_lead_the_rep_may_not_edit(api, rep, other_rep, make_lead):
    OrgSettings.objects.update(lead_access=OrgSettings.LeadAccess.PUBLIC_READ_ONLY)
    mine = make_lead(owner_user=rep)
    theirs = make_lead(owner_user=other_rep)
    response = api.as_user(rep).post(
        "/api/leads/merge/", {"master_id": mine.pk, "merged_ids": [theirs.pk]}, format="json"
    )
    assert response.status_code == 403
    bad = api.as_user(rep).post("/api/leads/merge/", {"master_id": mine.pk, "merged_ids": []}, format="json")
    assert bad.status_code == 400


def test_the_schema_documents_the_duplicate_endpoints(api, system_admin):
    schema = api.as_user(system_admin).get("/api/schema/?format=json").json()
    for path in (
        "/api/duplicate-rules/",
        "/api/matching-rules/",
        "/api/leads/{id}/duplicates/",
        "/api/leads/merge/",
        "/api/merges/{id}/undo/",
    ):
        assert path in schema["paths"], path
    assert "409" in schema["paths"]["/api/leads/"]["post"]["responses"]
