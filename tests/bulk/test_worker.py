"""A real Celery worker on Redis runs bulk API jobs end to end: an insert, an upsert, and an
insert whose worker is killed with SIGKILL mid-job and resumed, every row loaded exactly once."""

import os
import signal
from datetime import timedelta

import pytest
from django.utils import timezone

from bulk.models import IngestJob, IngestResult
from leads.imports.services import lead_imports_requeue_stalled
from leads.models import Lead
from tests.factories import LeadFactory
from tests.waiting import wait_until

from .conftest import csv_body


def _state(job_id: int) -> str:
    return IngestJob.objects.get(pk=job_id).state


def _load(client, operation: str, lines: list[str], **options) -> int:
    job_id = client.create(operation=operation, **options).json()["id"]
    assert client.upload(job_id, csv_body(lines)).status_code == 201
    assert client.state(job_id, "UploadComplete").status_code == 200
    return job_id


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_runs_an_insert_and_an_upsert_job(celery_worker_process, bulk, importer):
    client = bulk(importer)

    # an insert: closed through the API, run by the worker through the import pipeline
    job_id = _load(
        client, "insert", ["LastName,Company,Email", "Lovelace,Analytical,ada@example.com", "Nobody,,n@example.com"]
    )
    assert wait_until(lambda: _state(job_id) == "JobComplete", 60), _state(job_id)
    info = client.info(job_id).json()
    assert (info["numberRecordsProcessed"], info["numberRecordsFailed"]) == (2, 1)
    assert Lead.objects.get().email == "ada@example.com"

    # an upsert by email: the existing lead updated, a new one inserted
    job_id = _load(
        client,
        "upsert",
        ["Email,LastName,Company", "ada@example.com,Lovelace,Babbage & Co", "grace@example.com,Hopper,Navy"],
        externalIdFieldName="Email",
    )
    assert wait_until(lambda: _state(job_id) == "JobComplete", 60), _state(job_id)
    assert set(Lead.objects.values_list("email", "company")) == {
        ("ada@example.com", "Babbage & Co"),
        ("grace@example.com", "Navy"),
    }
    success = client.csv(job_id, "successfulResults").splitlines()
    assert [line.split(",")[1] for line in success[1:]] == ["false", "true"]


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_killed_worker_is_resumed_and_every_row_is_loaded_exactly_once(
    celery_worker_starter, bulk, importer, monkeypatch
):
    rows = 3000
    monkeypatch.setenv("LEAD_IMPORT_BATCH_SIZE", "50")
    LeadFactory(owner_user=importer, last_name="Untouched")
    lines = ["LastName,Company,Email"] + [f"L{i:05d},C{i % 13},p{i}@example.com" for i in range(rows)]
    first = celery_worker_starter()
    job_id = _load(bulk(importer), "insert", lines)

    # when the worker is killed with SIGKILL after some batches committed
    assert wait_until(lambda: IngestJob.objects.get(pk=job_id).records_processed >= 300, 240)
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    killed = IngestJob.objects.get(pk=job_id)
    assert killed.state == "InProgress"
    assert killed.records_processed < rows
    assert IngestResult.objects.filter(job_id=job_id).count() == killed.records_processed == Lead.objects.count() - 1

    # and a new worker takes the stalled import from the imports' sweeper
    celery_worker_starter()
    assert lead_imports_requeue_stalled(now=timezone.now() + timedelta(minutes=5)) == [killed.lead_import_id]

    # then the job completes, each row with one result and one lead
    assert wait_until(lambda: _state(job_id) == "JobComplete", 300), _state(job_id)
    job = IngestJob.objects.get(pk=job_id)
    assert (job.records_processed, job.records_failed, job.next_row) == (rows, 0, rows)
    results = IngestResult.objects.filter(job_id=job_id)
    assert results.count() == results.values("row_number").distinct().count() == rows
    assert Lead.objects.count() == rows + 1
    assert Lead.objects.values("last_name").distinct().count() == rows + 1
