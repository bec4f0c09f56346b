"""The routing API: queues, their leads, Accept Next and accepting a lead."""

import pytest
from rest_framework.test import APIClient

from leads.models import Lead
from tests.factories import QueueFactory

from .conftest import bulk_leads

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def test_queues_list_only_the_callers_queues_with_counts(api, reps, sales_queue):
    QueueFactory(name="Elsewhere")
    bulk_leads(2, owner_queue=sales_queue)
    api.force_authenticate(reps[0])
    body = api.get("/api/queues/").json()
    assert [(q["name"], q["waiting"], q["is_member"]) for q in body["results"]] == [("Sales Queue", 2, True)]
    assert api.get(f"/api/queues/{sales_queue.pk}/").json()["name"] == "Sales Queue"


def test_queue_leads_oldest_first(api, reps, sales_queue):
    leads = bulk_leads(3, owner_queue=sales_queue)
    api.force_authenticate(reps[0])
    body = api.get(f"/api/queues/{sales_queue.pk}/leads/").json()
    assert [row["id"] for row in body["results"]] == [lead.pk for lead in leads]


def test_accept_next_and_empty_queue(api, reps, sales_queue):
    leads = bulk_leads(1, owner_queue=sales_queue)
    api.force_authenticate(reps[2])
    response = api.post(f"/api/queues/{sales_queue.pk}/accept-next/")
    assert response.status_code == 200
    assert response.json()["id"] == leads[0].pk
    assert Lead.objects.get(pk=leads[0].pk).owner_user == reps[2]
    assert api.post(f"/api/queues/{sales_queue.pk}/accept-next/").status_code == 204


def test_non_members_get_404_for_a_queue(api, rep, sales_queue):
    api.force_authenticate(rep)
    assert api.get(f"/api/queues/{sales_queue.pk}/").status_code == 404
    assert api.post(f"/api/queues/{sales_queue.pk}/accept-next/").status_code == 404


def test_accept_a_lead(api, reps, sales_queue, rep):
    lead = bulk_leads(1, owner_queue=sales_queue)[0]
    api.force_authenticate(reps[0])
    response = api.post(f"/api/leads/{lead.pk}/accept/")
    assert response.status_code == 200
    assert response.json()["id"] == lead.pk
    again = api.post(f"/api/leads/{lead.pk}/accept/")
    assert again.status_code == 400
    assert "not in a queue" in again.json()["non_field_errors"][0]
    api.force_authenticate(rep)
    assert api.post(f"/api/leads/{lead.pk}/accept/").status_code == 404
