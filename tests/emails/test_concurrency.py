"""Two workers handed the same row at the same moment send it once."""

import threading
import time

import pytest
from django.conf import settings as django_settings
from django.db import connection

from emails.models import OutboundEmail
from emails.services import email_enqueue
from emails.tasks import deliver_outbound_email
from leadcrm.celery import app as celery_app


class SlowBackend:
    """Takes a while to send, so that a second worker arrives while the first is sending."""

    sent: list = []
    lock = threading.Lock()

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        time.sleep(0.5)
        with self.lock:
            type(self).sent.extend(messages)
        return len(messages)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_racing_for_one_row_send_it_once(settings):
    settings.EMAIL_BACKEND = "tests.emails.test_concurrency.SlowBackend"
    SlowBackend.sent = []
    celery_app.conf.task_always_eager = False
    # Not published: the row is only handed to the two "workers" below.
    celery_app.conf.broker_url = "redis://127.0.0.1:6390/0"
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    try:
        email = email_enqueue(
            to="ann@example.com", subject="Once", body_text="Only once", kind="system", idempotency_key="race-1"
        )
    finally:
        celery_app.conf.broker_url = django_settings.CELERY_BROKER_URL
        celery_app._pool = None
        celery_app.amqp._producer_pool = None
    outcomes = []
    barrier = threading.Barrier(2)

    def worker():
        barrier.wait()
        try:
            outcomes.append(deliver_outbound_email(email.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["sent", "skipped"]
    assert len(SlowBackend.sent) == 1
    row = OutboundEmail.objects.get(pk=email.pk)
    assert (row.status, row.attempts) == ("sent", 1)


def test_the_sweeper_runs_every_minute_under_celery_beat():
    entry = django_settings.CELERY_BEAT_SCHEDULE["emails-sweep-outbox"]

    assert entry["task"] == "emails.tasks.sweep_outbox"
    assert entry["schedule"] == 60.0
    assert "emails.tasks.sweep_outbox" in celery_app.tasks
