"""The nurture API: sequences with their steps (400 with field errors, 403 for reps), enrolment by
lead ids, a lead's enrolments, pause/resume/remove, and the schema."""

import pytest
from django.utils import timezone

from nurture.models import NurtureEnrolment, NurtureSequence

pytestmark = pytest.mark.django_db


def test_an_admin_builds_a_sequence_through_the_api(api, marketing_admin, lead_fields, make_template):
    client = api.as_user(marketing_admin)
    created = client.post("/api/sequences/", {"name": "API drip", "send_days": [0, 1, 2]}, format="json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    template = make_template("Drip")

    email = client.post(f"/api/sequences/{pk}/steps/", {"kind": "email", "template": template.pk}, format="json")
    wait = client.post(f"/api/sequences/{pk}/steps/", {"kind": "wait", "wait_days": 2}, format="json")
    first = client.post(f"/api/sequences/{pk}/steps/", {"kind": "wait", "wait_hours": 1, "position": 1}, format="json")
    resumed = client.post(f"/api/sequences/{pk}/resume/")

    assert (email.status_code, wait.status_code, first.status_code) == (201, 201, 201)
    assert resumed.status_code == 200
    body = client.get(f"/api/sequences/{pk}/").json()
    assert body["status"] == "active"
    assert [(s["position"], s["kind"]) for s in body["steps"]] == [(1, "wait"), (2, "email"), (3, "wait")]

    deleted = client.delete(f"/api/sequences/{pk}/steps/{first.json()['id']}/")
    changed = client.patch(f"/api/sequences/{pk}/steps/{wait.json()['id']}/", {"wait_days": 5}, format="json")
    assert (deleted.status_code, changed.status_code) == (204, 200)
    assert changed.json()["wait_days"] == 5
    assert changed.json()["position"] == 2


def test_bad_input_answers_400_with_field_errors(api, marketing_admin, lead_fields):
    client = api.as_user(marketing_admin)
    response = client.post(
        "/api/sequences/", {"name": "", "time_zone": "Mars/Olympus", "send_days": [9]}, format="json"
    )
    assert response.status_code == 400
    assert {"name", "time_zone", "send_days"} <= set(response.json())
    pk = client.post("/api/sequences/", {"name": "Ok"}, format="json").json()["id"]
    step = client.post(f"/api/sequences/{pk}/steps/", {"kind": "email", "template": 999999}, format="json")
    assert step.status_code == 400
    assert "template" in step.json()
    activate = client.post(f"/api/sequences/{pk}/resume/")
    assert activate.status_code == 400
    duplicate = client.post("/api/sequences/", {"name": "OK"}, format="json")
    assert duplicate.status_code == 400
    assert "name" in duplicate.json()


def test_reps_read_sequences_but_may_not_change_them(api, rep, three_step_sequence):
    client = api.as_user(rep)
    assert client.get("/api/sequences/").status_code == 200
    assert client.post("/api/sequences/", {"name": "Mine"}, format="json").status_code == 403
    assert client.post(f"/api/sequences/{three_step_sequence.pk}/pause/").status_code == 403


def test_enrol_leads_and_read_a_leads_enrolments(api, rep, three_step_sequence, nurture_leads):
    mine, opted = nurture_leads(2)
    opted.email_opt_out = True
    opted.save()
    client = api.as_user(rep)
    response = client.post(
        f"/api/sequences/{three_step_sequence.pk}/enrolments/", {"lead_ids": [mine.pk, opted.pk]}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["enrolled"] == [mine.pk]
    assert list(response.json()["refused"]) == [str(opted.pk)]

    rows = client.get(f"/api/leads/{mine.pk}/enrolments/").json()
    assert len(rows) == 1
    assert rows[0]["status"] == "active"
    assert rows[0]["current_step"] == three_step_sequence.steps.get(position=1).pk
    assert rows[0]["next_run_at"] is not None

    bad = client.post(f"/api/sequences/{three_step_sequence.pk}/enrolments/", {"lead_ids": ["x"]}, format="json")
    assert bad.status_code == 400
    listed = client.get(f"/api/sequences/{three_step_sequence.pk}/enrolments/")
    assert listed.status_code == 200
    assert [r["lead"] for r in listed.json()["results"]] == [mine.pk]


def test_pause_resume_and_remove_an_enrolment(api, rep, other_rep, three_step_sequence, nurture_leads):
    (lead,) = nurture_leads(1)
    enrolment = NurtureEnrolment.objects.create(
        sequence=three_step_sequence, lead=lead, enrolled_at=timezone.now(), next_run_at=timezone.now()
    )
    client = api.as_user(rep)
    assert client.post(f"/api/enrolments/{enrolment.pk}/pause/").json()["status"] == "paused"
    assert client.post(f"/api/enrolments/{enrolment.pk}/pause/").status_code == 400
    assert client.post(f"/api/enrolments/{enrolment.pk}/resume/").json()["status"] == "active"
    removed = client.post(f"/api/enrolments/{enrolment.pk}/remove/").json()
    assert (removed["status"], removed["exit_reason"]) == ("exited", "removed")
    assert api.as_user(other_rep).post(f"/api/enrolments/{enrolment.pk}/remove/").status_code == 404


def test_the_schema_documents_the_nurture_api(api, marketing_admin):
    schema = api.as_user(marketing_admin).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    paths = schema["paths"]
    assert "/api/sequences/{id}/enrolments/" in paths
    assert "/api/leads/{id}/enrolments/" in paths
    assert "/api/enrolments/{id}/{action}/" in paths
    assert NurtureSequence.Status.PAUSED in str(schema["components"]["schemas"])


def test_pausing_a_sequence_through_the_api_exits_its_enrolments(
    api, marketing_admin, rep, three_step_sequence, nurture_leads
):
    (lead,) = nurture_leads(1)
    api.as_user(rep).post(
        f"/api/sequences/{three_step_sequence.pk}/enrolments/", {"lead_ids": [lead.pk]}, format="json"
    )
    client = api.as_user(marketing_admin)
    assert client.post(f"/api/sequences/{three_step_sequence.pk}/pause/").json()["status"] == "paused"
    (row,) = api.as_user(rep).get(f"/api/leads/{lead.pk}/enrolments/").json()
    assert (row["status"], row["exit_reason"]) == ("exited", "sequence_paused")
    refused = api.as_user(rep).post(
        f"/api/sequences/{three_step_sequence.pk}/enrolments/", {"lead_ids": [lead.pk]}, format="json"
    )
    assert refused.status_code == 400
    assert "sequence" in refused.json()
