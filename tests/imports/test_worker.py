"""A real Celery worker on Redis processes a started import."""

import time

import pytest

from leads.imports.models import LeadImport
from leads.models import Lead


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_processes_a_started_import(celery_worker_process, rep, upload, start):
    # given an uploaded file with two good rows and one bad row
    lead_import = upload(rep, ["Last Name,Company", "Lovelace,Analytical", "Hopper,Navy", "Nobody,"])

    # when the rep starts it (the task is published after commit)
    start(lead_import, rep, run_assignment=False)

    # then the worker creates the leads and records the bad row
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        lead_import.refresh_from_db()
        if lead_import.status == LeadImport.Status.DONE:
            break
        time.sleep(0.3)
    assert lead_import.status == LeadImport.Status.DONE
    assert (lead_import.created_count, lead_import.error_count) == (2, 1)
    assert set(Lead.objects.values_list("last_name", flat=True)) == {"Lovelace", "Hopper"}
    assert "company" in lead_import.rows.get(row_number=4).errors
