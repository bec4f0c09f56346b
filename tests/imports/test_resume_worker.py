"""A real worker imports 100,000 rows, is killed with SIGKILL mid-way and a new worker resumes from
the last committed batch: every row becomes exactly one lead. (About a minute: the import's own
speed, some 2,500 rows a second on a 2-core machine.)"""

import itertools
import os
import signal
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from leads.imports.models import LeadImport
from leads.imports.services import lead_imports_requeue_stalled
from leads.models import Lead

ROWS = 100_000


def _wait(lead_import, condition, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        lead_import.refresh_from_db()
        if condition(lead_import):
            return lead_import
        time.sleep(0.2)
    raise AssertionError(f"gave up waiting: {lead_import.status} at row {lead_import.next_row}")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_killed_worker_is_resumed_and_imports_every_row_exactly_once(celery_worker_starter, rep, upload, start):
    # given a started import of 100,000 rows and a real worker on it
    lines = ["First Name,Last Name,Company,Email"] + [f"F{i},L{i:05d},C{i % 97},p{i}@example.com" for i in range(ROWS)]
    lead_import = upload(rep, lines)
    first = celery_worker_starter()
    start(lead_import, rep, run_assignment=False)

    # when the worker is killed with SIGKILL after a few committed batches
    _wait(lead_import, lambda li: li.next_row >= 30_000, 300)
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    killed_at = LeadImport.objects.get(pk=lead_import.pk)
    assert killed_at.status == "running"
    assert killed_at.next_row < ROWS
    assert Lead.objects.count() == killed_at.created_count == killed_at.next_row

    # and a new worker starts and the sweeper hands it the stalled import
    celery_worker_starter()
    assert lead_imports_requeue_stalled(now=timezone.now() + timedelta(minutes=5)) == [lead_import.pk]

    # then the import finishes, and every row is one lead
    done = _wait(lead_import, lambda li: li.status == "done", 600)
    assert (done.created_count, done.error_count, done.next_row) == (ROWS, 0, ROWS)
    assert Lead.objects.count() == ROWS
    assert Lead.objects.values("last_name").distinct().count() == ROWS
    batches = list(done.batches.order_by("first_row").values_list("first_row", "end_row"))
    assert batches[0][0] == 0
    assert batches[-1][1] == ROWS
    assert all(end == nxt for (_a, end), (nxt, _b) in itertools.pairwise(batches))
