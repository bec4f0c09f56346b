"""Store first, lead later: a public submission costs one insert; the lead is made by a worker task
that drains the received rows, checks them again afresh and loses none of them."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from leadcrm.celery import app as celery_app
from leads.models import Lead
from tests.database import terminate_backend
from webtolead import services
from webtolead.models import Intake, WebToLeadForm
from webtolead.services import batches, processing, submissions_process

pytestmark = pytest.mark.django_db

URL = "/web-to-lead/"


@pytest.fixture
def published(monkeypatch):
    """Tasks run by a worker (not inline); what the endpoint publishes is recorded, not sent."""
    celery_app.conf.task_always_eager = False
    calls = []
    monkeypatch.setattr(services.DRAIN, "_publish", lambda delay: calls.append(delay))
    return calls


def test_an_accepted_submission_is_one_received_row_until_the_drain_makes_its_lead(
    client, web_form, fields_for, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, fields_for(web_form, last_name="Later"))

    assert response.status_code == 303
    intake = Intake.objects.get()
    assert intake.outcome == Intake.Outcome.RECEIVED
    assert response["Location"].endswith(f"?ref={intake.public_ref}")
    assert not Lead.objects.exists()
    assert published == [0.0]  # one drain task, published after the commit

    assert submissions_process() == 1

    intake.refresh_from_db()
    assert intake.outcome == Intake.Outcome.CREATED
    assert intake.lead.last_name == "Later"
    assert submissions_process() == 0  # idempotent


def test_with_the_configuration_read_the_answer_costs_a_single_insert(
    client, web_form, fields_for, published, django_capture_on_commit_callbacks
):
    client.post(URL, fields_for(web_form, last_name="Warm-up"))

    with CaptureQueriesContext(connection) as queries:
        response = client.post(URL, fields_for(web_form, last_name="Counted"))

    assert response.status_code == 303
    statements = [q["sql"] for q in queries.captured_queries]
    assert len(statements) == 1, statements
    assert statements[0].startswith('INSERT INTO "webtolead_intake"')


def test_many_submissions_share_few_drain_tasks(
    client, web_form, fields_for, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(20):
            client.post(URL, fields_for(web_form, last_name=f"Burst {n}"))

    assert Intake.objects.filter(outcome=Intake.Outcome.RECEIVED).count() == 20
    assert 1 <= len(published) <= 2
    assert submissions_process() == 20
    assert Lead.objects.count() == 20


def test_without_a_broker_the_visitor_is_answered_and_the_row_waits_for_the_next_drain(
    client, web_form, fields_for, monkeypatch, django_capture_on_commit_callbacks
):
    celery_app.conf.task_always_eager = False

    def refuse(delay):
        raise ConnectionError("broker down")

    monkeypatch.setattr(services.DRAIN, "_publish", refuse)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, fields_for(web_form, last_name="Later"))

    assert response.status_code == 303
    assert Intake.objects.get().outcome == Intake.Outcome.RECEIVED
    assert not Lead.objects.exists()
    assert submissions_process() == 1  # the next drain, once the broker is back
    assert Lead.objects.get().last_name == "Later"


def test_the_drain_checks_each_row_again_with_the_configuration_of_now(
    client, web_form, fields_for, published, django_capture_on_commit_callbacks
):
    client.post(URL, fields_for(web_form))
    # Deactivated behind the endpoint's snapshot (no signal): the worker reads it afresh.
    WebToLeadForm.objects.filter(pk=web_form.pk).update(is_active=False)

    submissions_process()

    intake = Intake.objects.get()
    assert intake.outcome == Intake.Outcome.REJECTED
    assert intake.reason == "The form is inactive."
    assert not Lead.objects.exists()


def test_a_row_that_fails_keeps_its_place_notes_why_and_is_tried_again_later(
    client, web_form, fields_for, published, monkeypatch
):
    client.post(URL, fields_for(web_form, last_name="Unlucky"))
    client.post(URL, fields_for(web_form, last_name="Fine"))
    real = processing._create_lead

    def flaky(intake, **kwargs):
        if intake.payload.get("last_name") == "Unlucky":
            raise RuntimeError("database hiccup")
        return real(intake, **kwargs)

    monkeypatch.setattr(processing, "_create_lead", flaky)
    real_batch = batches._make_leads

    def flaky_batch(candidates, creator):
        if any(intake.payload.get("last_name") == "Unlucky" for intake, _parsed in candidates):
            raise RuntimeError("database hiccup")
        return real_batch(candidates, creator)

    # The batch fails as a whole; its rows are then made one by one.
    monkeypatch.setattr(batches, "_make_leads", flaky_batch)

    assert submissions_process() == 1  # the other row is not held up

    unlucky = Intake.objects.get(payload__last_name="Unlucky")
    assert unlucky.outcome == Intake.Outcome.RECEIVED
    assert "database hiccup" in unlucky.reason
    assert submissions_process() == 0  # not again at once
    monkeypatch.setattr(processing, "_create_lead", real)
    monkeypatch.setattr(batches, "_make_leads", real_batch)
    Intake.objects.filter(pk=unlucky.pk).update(processed_at=timezone.now() - dt.timedelta(minutes=6))

    assert submissions_process() == 1

    unlucky.refresh_from_db()
    assert unlucky.outcome == Intake.Outcome.CREATED
    assert sorted(Lead.objects.values_list("last_name", flat=True)) == ["Fine", "Unlucky"]


def test_rejected_and_spam_submissions_are_final_at_once_and_publish_nothing(
    client, web_form, fields_for, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        bad = client.post(URL, fields_for(web_form, email="not-an-email"))
        spam = client.post(URL, fields_for(web_form, w2l_website2="http://spam.example"))

    assert bad.status_code == 400
    assert spam.status_code == 303
    outcomes = set(Intake.objects.values_list("outcome", flat=True))
    assert outcomes == {Intake.Outcome.REJECTED, Intake.Outcome.SPAM}
    assert published == []
    assert submissions_process() == 0


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_after_a_database_restart_the_next_visitor_is_still_answered_and_stored(client, web_form, fields_for):
    assert connection.vendor == "postgresql"
    assert client.post(URL, fields_for(web_form, last_name="Before")).status_code == 303
    terminate_backend(connection.connection.get_backend_pid())

    response = client.post(URL, fields_for(web_form, last_name="After"))

    assert response.status_code == 303
    assert Intake.objects.filter(payload__last_name="After").count() == 1
    assert Lead.objects.filter(last_name="After").count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_database_restart_while_the_forms_language_is_read_again_costs_no_error_and_no_submission(
    client, web_form, fields_for
):
    assert client.post(URL, fields_for(web_form, last_name="Before")).status_code == 303
    terminate_backend(connection.connection.get_backend_pid())
    # The endpoint's snapshot of the forms has expired: the form's language is read on the dropped
    # connection, the first read of the request.
    services.PUBLIC_CONFIG.forget()

    response = client.post(URL, fields_for(web_form, last_name="After"))

    assert response.status_code == 303
    assert Intake.objects.filter(payload__last_name="After").count() == 1


def test_a_submission_whose_checks_fail_is_stored_as_received_and_the_visitor_still_thanked(
    client, web_form, fields_for, monkeypatch
):
    def broken(*args, **kwargs):
        raise RuntimeError("checks broke")

    monkeypatch.setattr(processing, "_screen", broken)

    response = client.post(URL, fields_for(web_form, last_name="Unchecked"))

    assert response.status_code == 303
    intake = Intake.objects.get()
    assert response["Location"].endswith(f"/web-to-lead/thanks/?ref={intake.public_ref}")
    assert intake.outcome == Intake.Outcome.RECEIVED  # kept for the worker to check again
    assert intake.payload["last_name"] == "Unchecked"
    assert not Lead.objects.exists()
