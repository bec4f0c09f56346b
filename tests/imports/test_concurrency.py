"""Two workers processing the same import at once: each row becomes exactly one lead."""

import threading

import pytest
from django.db import connection

from leads.imports.models import LeadImport, LeadImportRow
from leads.imports.services import lead_import_process
from leads.models import Lead

WORKERS = 3
ROWS = 60


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_workers_running_the_same_import_at_once_never_create_a_lead_twice(rep, upload, start):
    # given a started import of 60 rows
    assert connection.vendor == "postgresql"
    lines = ["Last Name,Company"] + [f"Person{i},Company{i}" for i in range(ROWS)]
    lead_import = upload(rep, lines)
    LeadImport.objects.filter(pk=lead_import.pk).update(status="pending")  # started, task not yet run
    lead_import.refresh_from_db()
    errors: list[BaseException] = []
    barrier = threading.Barrier(WORKERS)

    def work():
        try:
            barrier.wait()
            lead_import_process(lead_import_id=lead_import.pk)
        except BaseException as exc:  # surfaced below: a thread's failure must fail the test
            errors.append(exc)
        finally:
            connection.close()

    # when three workers process it at the same time
    threads = [threading.Thread(target=work) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    # then every row made exactly one lead and the counters agree
    assert errors == []
    assert Lead.objects.count() == ROWS
    assert Lead.objects.values("last_name").distinct().count() == ROWS
    lead_import.refresh_from_db()
    assert (lead_import.status, lead_import.created_count, lead_import.error_count) == ("done", ROWS, 0)
    assert not LeadImportRow.objects.filter(outcome="pending").exists()
