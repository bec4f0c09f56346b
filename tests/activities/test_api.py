"""/api/tasks/, /api/events/, /api/calls/: field errors, sharing, writes through the services."""

import datetime as dt

import pytest
from django.utils import timezone

from activities import services
from activities.models import Task
from tests.factories import ContactFactory, LeadFactory

pytestmark = pytest.mark.django_db


def test_create_a_task_and_complete_it(api, rep):
    lead = LeadFactory(owner_user=rep)
    client = api.as_user(rep)

    created = client.post("/api/tasks/", {"lead": lead.pk, "subject": "Call", "priority": "high"}, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["lead"] == lead.pk
    assert created.json()["priority"] == "high"

    done = client.post(f"/api/tasks/{created.json()['id']}/complete/")
    assert done.status_code == 200
    assert done.json()["status"] == "completed"
    assert done.json()["completed_at"]


def test_create_answers_400_with_field_errors(api, rep):
    answer = api.as_user(rep).post("/api/tasks/", {"subject": "", "priority": "urgent"}, format="json")

    assert answer.status_code == 400
    assert {"related", "subject", "priority"} <= set(answer.json())
    assert not Task.objects.exists()


def test_event_end_before_start_is_a_400_on_end_at(api, rep):
    start = timezone.now()
    answer = api.as_user(rep).post(
        "/api/events/",
        {
            "contact": ContactFactory().pk,
            "subject": "Demo",
            "start_at": start.isoformat(),
            "end_at": (start - dt.timedelta(hours=1)).isoformat(),
        },
        format="json",
    )

    assert answer.status_code == 400
    assert "end_at" in answer.json()


def test_an_unseen_task_is_a_404_and_not_listed(api, rep, other_rep, private_sharing):
    theirs = services.task_create(
        data={"lead": LeadFactory(owner_user=other_rep).pk, "subject": "Theirs"}, acting_user=other_rep
    )
    client = api.as_user(rep)

    assert client.get(f"/api/tasks/{theirs.pk}/").status_code == 404
    assert client.patch(f"/api/tasks/{theirs.pk}/", {"subject": "x"}, format="json").status_code == 404
    assert client.get("/api/tasks/").json()["results"] == []


def test_a_call_on_an_unseen_lead_is_a_400_on_lead(api, rep, other_rep, private_sharing):
    answer = api.as_user(rep).post(
        "/api/calls/", {"lead": LeadFactory(owner_user=other_rep).pk, "subject": "Call"}, format="json"
    )

    assert answer.status_code == 400
    assert "lead" in answer.json()


def test_filters_and_update(api, rep):
    lead = LeadFactory(owner_user=rep)
    open_task = services.task_create(data={"lead": lead.pk, "subject": "Open"}, acting_user=rep)
    services.task_create(data={"lead": lead.pk, "subject": "Done", "status": "completed"}, acting_user=rep)
    client = api.as_user(rep)

    listed = client.get("/api/tasks/", {"open": "true", "lead": lead.pk}).json()["results"]
    assert [row["id"] for row in listed] == [open_task.pk]

    changed = client.patch(f"/api/tasks/{open_task.pk}/", {"status": "nope"}, format="json")
    assert changed.status_code == 400
    assert "status" in changed.json()


def test_the_schema_documents_the_activity_endpoints(api, rep):
    schema = api.as_user(rep).get("/api/schema/", {"format": "json"}).json()

    assert {"/api/tasks/", "/api/events/", "/api/calls/", "/api/tasks/{id}/complete/"} <= set(schema["paths"])
