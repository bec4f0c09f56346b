"""An outbox email keeps the request id it was queued under: its delivery runs under that id
whoever publishes it later (the commit of a batch, the sweeper), and a row stored by a request is
processed under that request's id, not under the id of the worker's batch."""

import pytest
from django.db import transaction

from core.request_id import current_request_id, request_id_bound
from emails.models import OutboundEmail
from emails.services import email_enqueue, outbound_email_deliver
from emails.services import outbox as outbox_services

pytestmark = pytest.mark.django_db


def _queue(key: str) -> OutboundEmail:
    return email_enqueue(to="ann@example.com", subject="Hello", body_text="Hi", kind="system", idempotency_key=key)


def test_an_email_keeps_the_request_id_it_was_queued_under():
    with request_id_bound("req-queued-1"), transaction.atomic():
        email = _queue("rid-1")

    assert OutboundEmail.objects.get(pk=email.pk).request_id == "req-queued-1"


def test_the_delivery_runs_under_the_emails_own_request_id(monkeypatch):
    with request_id_bound("req-queued-2"), transaction.atomic():
        email = _queue("rid-2")
    OutboundEmail.objects.filter(pk=email.pk).update(status=OutboundEmail.Status.QUEUED)
    seen = []
    build = outbox_services.build_message

    def spying_build(row):
        seen.append(current_request_id())
        return build(row)

    monkeypatch.setattr(outbox_services, "build_message", spying_build)

    with request_id_bound("the-sweepers-own-id"):
        assert outbound_email_deliver(email_id=email.pk) == "sent"

    assert seen == ["req-queued-2"]


def test_a_bound_id_is_let_go_after_the_block_and_a_blank_one_keeps_the_current():
    with request_id_bound("outer"):
        with request_id_bound(""):
            assert current_request_id() == "outer"
        with request_id_bound("inner"):
            assert current_request_id() == "inner"
        assert current_request_id() == "outer"
    assert current_request_id() is None
