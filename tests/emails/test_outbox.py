from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from emails.models import OutboundEmail
from emails.services import (
    email_enqueue,
    email_enqueue_from_template,
    outbound_email_retry,
    outbox_sweep,
)
from emails.services.outbox import MAX_ATTEMPTS, SENDING_TIMEOUT
from emails.tasks import deliver_outbound_email, sweep_outbox
from leads.models import Lead
from tests.factories import LeadFactory


def _enqueue(key="k-1", **overrides):
    values = {
        "to": "ann@example.com",
        "subject": "Hello",
        "body_text": "Hi Ann",
        "kind": OutboundEmail.Kind.SYSTEM,
        "idempotency_key": key,
    }
    values.update(overrides)
    return email_enqueue(**values)


@pytest.mark.django_db
def test_same_key_twice_gives_one_row_and_one_send(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = _enqueue()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        second = _enqueue(subject="Something else")

    assert first.pk == second.pk
    assert OutboundEmail.objects.count() == 1
    assert callbacks == []
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Hello"
    first.refresh_from_db()
    assert first.status == OutboundEmail.Status.SENT
    assert first.attempts == 1
    assert first.sent_at is not None


@pytest.mark.django_db
def test_nothing_is_published_before_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        email = _enqueue()

    assert len(callbacks) == 1
    assert mail.outbox == []
    assert OutboundEmail.objects.get(pk=email.pk).status == OutboundEmail.Status.QUEUED


@pytest.mark.django_db
def test_task_run_twice_sends_one_email(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        email = _enqueue()

    first = deliver_outbound_email(email.pk)
    second = deliver_outbound_email(email.pk)

    assert (first, second) == ("sent", "skipped")
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_row_claimed_by_another_worker_is_not_sent_again(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        email = _enqueue()
    OutboundEmail.objects.filter(pk=email.pk).update(status="sending", claimed_at=timezone.now(), claim_token="x")

    assert deliver_outbound_email(email.pk) == "skipped"
    assert mail.outbox == []


@pytest.mark.django_db
def test_failing_backend_retries_with_backoff_then_fails(flaky_backend, django_capture_on_commit_callbacks):
    flaky_backend.failures = 100
    with django_capture_on_commit_callbacks(execute=True):
        email = _enqueue()
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.QUEUED
    assert email.attempts == 1
    assert "ConnectionRefusedError: SMTP server unreachable" in email.last_error
    assert email.next_attempt_at > timezone.now() + timedelta(seconds=20)
    # Not due yet: a task arriving early changes nothing.
    assert deliver_outbound_email(email.pk) == "skipped"

    outcomes = []
    for _ in range(MAX_ATTEMPTS - 1):
        OutboundEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())
        with django_capture_on_commit_callbacks(execute=False):
            outcomes.append(deliver_outbound_email(email.pk))

    email.refresh_from_db()
    assert outcomes == ["retry"] * (MAX_ATTEMPTS - 2) + ["failed"]
    assert email.status == OutboundEmail.Status.FAILED
    assert email.attempts == MAX_ATTEMPTS
    assert flaky_backend.calls == MAX_ATTEMPTS
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_retry_after_a_transient_failure_sends(flaky_backend, django_capture_on_commit_callbacks):
    flaky_backend.failures = 1
    with django_capture_on_commit_callbacks(execute=True):
        email = _enqueue()
    OutboundEmail.objects.filter(pk=email.pk).update(next_attempt_at=timezone.now())

    assert deliver_outbound_email(email.pk) == "sent"
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
    assert email.attempts == 2
    assert email.last_error == ""
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_failed_send_never_rolls_back_the_business_transaction(flaky_backend, rep, django_capture_on_commit_callbacks):
    flaky_backend.failures = 100
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        lead = LeadFactory(owner_user=rep, last_name="Kept")
        _enqueue(record_id=lead.pk, object_name="lead")

    assert Lead.objects.filter(pk=lead.pk, last_name="Kept").exists()
    row = OutboundEmail.objects.get()
    assert row.status == OutboundEmail.Status.QUEUED
    assert row.last_error


@pytest.mark.django_db
def test_sweeper_republishes_queued_rows_and_delivers_them(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        email = _enqueue()
    assert email.published_at is None

    result = sweep_outbox()

    email.refresh_from_db()
    assert result["published"] == 1
    assert email.status == OutboundEmail.Status.SENT
    assert len(mail.outbox) == 1
    assert sweep_outbox()["published"] == 0
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_sweeper_leaves_recently_published_rows_alone(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        email = _enqueue()
    OutboundEmail.objects.filter(pk=email.pk).update(published_at=timezone.now())

    assert outbox_sweep().published == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_sweeper_requeues_abandoned_claims_only(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        stale = _enqueue("stale")
        live = _enqueue("live")
    long_ago = timezone.now() - SENDING_TIMEOUT - timedelta(minutes=1)
    OutboundEmail.objects.filter(pk=stale.pk).update(status="sending", claimed_at=long_ago, attempts=1)
    OutboundEmail.objects.filter(pk=live.pk).update(status="sending", claimed_at=timezone.now(), attempts=1)

    result = outbox_sweep()

    assert result.requeued == 1
    stale.refresh_from_db()
    live.refresh_from_db()
    assert stale.status == OutboundEmail.Status.SENT
    assert live.status == OutboundEmail.Status.SENDING
    assert [m.to for m in mail.outbox] == [["ann@example.com"]]


@pytest.mark.django_db
def test_abandoned_claim_without_attempts_left_fails(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        email = _enqueue()
    long_ago = timezone.now() - SENDING_TIMEOUT - timedelta(minutes=1)
    OutboundEmail.objects.filter(pk=email.pk).update(status="sending", claimed_at=long_ago, attempts=MAX_ATTEMPTS)

    assert outbox_sweep().failed == 1
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.FAILED


@pytest.mark.django_db
def test_admin_retries_a_failed_email(marketing_admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        email = _enqueue()
    OutboundEmail.objects.filter(pk=email.pk).update(status="failed", attempts=MAX_ATTEMPTS, last_error="boom")

    with django_capture_on_commit_callbacks(execute=True):
        outbound_email_retry(email=email, acting_user=marketing_admin)

    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_retry_refuses_rows_that_did_not_fail_and_reps(marketing_admin, rep, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        email = _enqueue()

    with pytest.raises(ValidationError):
        outbound_email_retry(email=email, acting_user=marketing_admin)
    with pytest.raises(PermissionError):
        outbound_email_retry(email=email, acting_user=rep)


@pytest.mark.django_db
def test_invalid_input_reports_every_error_at_once():
    with pytest.raises(ValidationError) as excinfo:
        _enqueue(to="not-an-address", subject="", body_text=" ", reply_to="nope", kind="spam")

    assert set(excinfo.value.message_dict) >= {"to", "subject", "body_text", "reply_to", "kind"}
    assert OutboundEmail.objects.count() == 0


@pytest.mark.django_db
def test_message_headers_sender_and_html_alternative(welcome_template, django_capture_on_commit_callbacks):
    lead = LeadFactory(first_name="Ann", company="Acme")

    with django_capture_on_commit_callbacks(execute=True):
        email_enqueue_from_template(
            template=welcome_template,
            record=lead,
            to=lead.email,
            kind=OutboundEmail.Kind.AUTO_RESPONSE,
            idempotency_key="tpl-1",
            from_name="Acme Sales",
            from_address="sales@acme.example",
            reply_to="reply@acme.example",
        )

    sent = mail.outbox[0]
    assert sent.from_email == "Acme Sales <sales@acme.example>"
    assert sent.reply_to == ["reply@acme.example"]
    assert sent.subject == "Welcome, Ann"
    # The HTML as written, then the open pixel that engagement tracking adds to an email to a lead.
    assert sent.alternatives[0][0].startswith("<p>Hi <b>Ann</b> from Acme</p><img src=")
    assert sent.extra_headers["Message-ID"].startswith("<outbox-")
    row = OutboundEmail.objects.get()
    assert (row.object_name, row.record_id, row.template_id) == ("lead", lead.pk, welcome_template.pk)
