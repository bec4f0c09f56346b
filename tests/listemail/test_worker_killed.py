"""A real Celery worker on Redis killed with SIGKILL in the middle of a list email: the batch it was
writing rolls back, and once a new worker runs the send again every recipient gets exactly one outbox
row and one email over real SMTP on loopback.

The worker is stopped at a known point without touching its code: the test holds, in a transaction
of its own, an uncommitted outbox row with the idempotency key of a recipient of the second batch,
so the worker's insert of that batch waits on the unique index (after the first batch committed)."""

import os
import signal
import threading
import time

import pytest
from django.db import connection, transaction

from emails.models import OutboundEmail
from leadcrm.celery import app as celery_app
from leads.models import Lead
from listemail.models import ListEmailRecipient, ListEmailSend
from listemail.services import BATCH_SIZE, list_email_create, recipient_key
from listemail.tasks import process_list_email
from tests.factories import LeadFactory
from tests.waiting import wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

COUNT = BATCH_SIZE + 100


class _Blocker(threading.Thread):
    """Holds an uncommitted outbox row with ``key`` until released, then rolls it back."""

    def __init__(self, key: str):
        super().__init__(daemon=True)
        self.key, self.holding, self.release = key, threading.Event(), threading.Event()

    def run(self):
        try:
            with transaction.atomic():
                OutboundEmail.objects.create(
                    idempotency_key=self.key,
                    to_address="blocker@example.com",
                    subject="held",
                    body_text="held",
                    kind=OutboundEmail.Kind.LIST_EMAIL,
                    next_attempt_at="2030-01-01T00:00:00Z",
                    created_at="2030-01-01T00:00:00Z",
                )
                self.holding.set()
                self.release.wait(120)
                transaction.set_rollback(True)
        finally:
            connection.close()


def _unlocked_pending(send) -> int:
    with transaction.atomic():
        return len(
            ListEmailRecipient.objects.select_for_update(skip_locked=True)
            .filter(send=send, is_pending=True)
            .values_list("pk", flat=True)
        )


def test_a_worker_killed_mid_send_loses_nothing_and_sends_each_email_once(
    seeded, newsletter, marketing_admin, smtp_inbox, celery_worker_starter
):
    Lead.objects.bulk_create(
        LeadFactory.build(owner_user=marketing_admin, email=f"person{n}@example.com", first_name=f"P{n}")
        for n in range(COUNT)
    )
    celery_app.conf.task_always_eager = False  # the send's task goes to Redis and waits for a worker
    with transaction.atomic():
        send = list_email_create(user=marketing_admin, template=newsletter, leads=Lead.objects.all())
    assert send.total == COUNT
    second_batch = list(ListEmailRecipient.objects.filter(send=send).order_by("id"))[BATCH_SIZE + 50]
    blocker = _Blocker(recipient_key(send.pk, lead_id=second_batch.lead_id))
    blocker.start()
    assert blocker.holding.wait(30)

    first = celery_worker_starter()
    try:
        # The first batch commits; the worker is then stuck inside the second one.
        assert wait_until(lambda: ListEmailSend.objects.get(pk=send.pk).processed == BATCH_SIZE, timeout=300)
        assert wait_until(lambda: _unlocked_pending(send) == 0, timeout=60), "the second batch never started"
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        blocker.release.set()
        blocker.join(30)

    # What the killed worker left: its first batch, and nothing of the one it was writing.
    assert OutboundEmail.objects.filter(kind="list_email").count() == BATCH_SIZE
    assert ListEmailRecipient.objects.filter(send=send, is_pending=True).count() == COUNT - BATCH_SIZE
    assert wait_until(lambda: _unlocked_pending(send) == COUNT - BATCH_SIZE, timeout=60)

    celery_worker_starter()

    def done() -> bool:
        if ListEmailSend.objects.get(pk=send.pk).status == "done":
            return True
        # What the sweeper does every minute for a send that stopped moving: start it again (a
        # run that finds nothing pending, or rows another run holds, ends without sending).
        process_list_email.delay(send.pk)
        time.sleep(5)
        return False

    assert wait_until(done, timeout=300)
    assert wait_until(lambda: len(smtp_inbox.messages) >= COUNT, timeout=600), len(smtp_inbox.messages)
    rows = OutboundEmail.objects.filter(kind="list_email")
    assert rows.count() == COUNT
    assert rows.values("record_id").distinct().count() == COUNT
    assert not ListEmailRecipient.objects.filter(send=send, outbound_email__isnull=True).exists()
    addresses = [envelope.rcpt_tos[0] for envelope in smtp_inbox.messages]
    assert sorted(addresses) == sorted(f"person{n}@example.com" for n in range(COUNT))
    assert ListEmailSend.objects.get(pk=send.pk).processed == COUNT
