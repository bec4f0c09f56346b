"""Idempotency-Key on API POSTs: a retry gets the first answer, never a second record."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.urls import include, path
from django.utils import timezone
from rest_framework.response import Response
from rest_framework.test import APIClient
from rest_framework.views import APIView

from core.models import IdempotencyKey
from core.tokens import api_token_create
from leads.models import Lead
from tests.factories import LeadFactory
from tests.seeding import seed_fields

LIST = "/api/leads/"
LEAD = {"last_name": "Lovelace", "company": "Analytical"}


def _post(client, data=LEAD, key="retry-1"):
    return client.post(LIST, data, format="json", headers={"Idempotency-Key": key})


@pytest.mark.django_db
def test_a_retry_with_the_same_key_gets_the_first_answer_and_no_duplicate(api, rep):
    client = api.as_user(rep)

    first = _post(client)
    retry = _post(client)

    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert retry["Location"] == first["Location"]
    assert retry["Idempotent-Replayed"] == "true"
    assert Lead.objects.count() == 1


@pytest.mark.django_db
def test_the_same_key_with_another_body_is_refused(api, rep):
    client = api.as_user(rep)
    _post(client)

    response = _post(client, {**LEAD, "company": "Other"})

    assert response.status_code == 422
    assert "different request" in response.json()["detail"]
    assert Lead.objects.count() == 1


@pytest.mark.django_db
def test_keys_belong_to_their_user(api, rep, other_rep):
    assert _post(api.as_user(rep)).status_code == 201
    assert _post(api.as_user(other_rep)).status_code == 201

    assert Lead.objects.count() == 2


@pytest.mark.django_db
def test_without_a_key_each_post_creates(api, rep):
    client = api.as_user(rep)
    client.post(LIST, LEAD, format="json")
    client.post(LIST, LEAD, format="json")

    assert Lead.objects.count() == 2


@pytest.mark.django_db
def test_a_refused_body_is_replayed_too(api, rep):
    client = api.as_user(rep)
    first = _post(client, {"first_name": "Ada"})

    retry = _post(client, {"first_name": "Ada"})

    assert first.status_code == retry.status_code == 400
    assert retry.json() == first.json()


@pytest.mark.django_db
def test_an_expired_key_runs_again(api, rep, settings):
    client = api.as_user(rep)
    _post(client)
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS + 1))

    assert _post(client).status_code == 201
    assert Lead.objects.count() == 2


class _FailsOnce(APIView):
    """Creates a lead, then fails the first time: the lead and the key roll back together."""

    calls = 0

    def post(self, request):
        _FailsOnce.calls += 1
        lead = LeadFactory(owner_user=request.user)
        if _FailsOnce.calls == 1:
            raise RuntimeError("connection dropped")
        return Response({"id": lead.pk}, status=201)


urlpatterns = [path("api/fails-once/", _FailsOnce.as_view()), path("", include("leadcrm.urls"))]


@pytest.mark.django_db
def test_a_server_error_keeps_no_key_so_the_retry_runs(rep, settings):
    settings.ROOT_URLCONF = __name__
    _FailsOnce.calls = 0
    _, key = api_token_create(user=rep)
    client = Client(raise_request_exception=False, headers={"Authorization": f"Token {key}"})

    failed = client.post("/api/fails-once/", {}, content_type="application/json", headers={"Idempotency-Key": "k"})
    assert failed.status_code == 500
    assert not Lead.objects.exists()
    assert not IdempotencyKey.objects.exists()

    retry = client.post("/api/fails-once/", {}, content_type="application/json", headers={"Idempotency-Key": "k"})
    assert retry.status_code == 201
    assert Lead.objects.count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_duplicates_create_one_lead(rep):
    # Transactional tests flush the database between tests, seeded fields and picklists included.
    seed_fields("leads")
    _, key = api_token_create(user=rep)
    start = threading.Barrier(2)
    answers = []

    def send():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        start.wait()
        try:
            answers.append(_post(client, key="same"))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert [a.status_code for a in answers] == [201, 201], [a.content for a in answers]
    assert answers[0].json()["id"] == answers[1].json()["id"]
    assert Lead.objects.count() == 1
