"""The bulk API runs through the import pipeline: the same rows give the same leads as the import
wizard; the duplicate rules' bulk API path applies (not the imports'); running a job's task twice,
or the sweeper handing it over again, does every row once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from bulk.models import IngestJob, IngestResult
from bulk.services import bulk_jobs_sweep, ingest_job_run
from leads.imports.models import LeadImport
from leads.imports.services import lead_import_process, lead_import_start, lead_import_upload
from leads.models import Lead
from tests.imports.conftest import csv_bytes

from .conftest import csv_body

pytestmark = pytest.mark.django_db

ROWS = [
    "First Name,Last Name,Company,Email,Lead Source,Rating",
    "Ada,Lovelace,Analytical,ada@example.com,website,Hot",
    "Grace,Hopper,Navy,grace@example.com,,",
    "No,Company,,nc@example.com,,",
    "Bad,Rating,Acme,br@example.com,,Lukewarm",
    "Linus,Torvalds,=cmd(),linus@example.com,Partner Referral,Cold",
]
COMPARED = (
    "first_name",
    "last_name",
    "company",
    "email",
    "lead_source",
    "status",
    "rating",
    "owner_user_id",
    "owner_queue_id",
)


def _leads() -> list[tuple]:
    return sorted(Lead.objects.values_list(*COMPARED))


def test_a_bulk_insert_gives_the_leads_the_import_wizard_gives(
    bulk, importer, queue_rule, django_capture_on_commit_callbacks
):
    # given the rows imported with the wizard (assignment on)
    lead_import = lead_import_upload(file_name="same.csv", data=csv_bytes(ROWS), acting_user=importer)
    with django_capture_on_commit_callbacks(execute=False):
        lead_import_start(
            lead_import=lead_import, mapping=lead_import.mapping, run_assignment=True, acting_user=importer
        )
    wizard = lead_import_process(lead_import_id=lead_import.pk)
    wizard_leads = _leads()
    wizard_failed = sorted(wizard.rows.filter(outcome="error").values_list("row_number", flat=True))
    Lead.objects.all().delete()

    # when the same rows go through a bulk insert job
    info = bulk(importer).run("insert", ROWS, captured=django_capture_on_commit_callbacks, runAssignmentRules=True)

    # then the same leads, owners (the rule's queue) and refused rows
    assert _leads() == wizard_leads
    assert {queue for *_rest, queue in wizard_leads} == {queue_rule.pk}
    assert ("Ada", "website") in {(lead[0], lead[4].lower()) for lead in wizard_leads}
    failed = sorted(IngestResult.objects.filter(job_id=info["id"], success=False).values_list("row_number", flat=True))
    assert failed == wizard_failed == [4, 5]
    assert (info["numberRecordsProcessed"], info["numberRecordsFailed"]) == (5, 2)


def test_the_duplicate_rules_bulk_api_path_applies_to_bulk_jobs(
    bulk, importer, duplicate_rule, make_lead, django_capture_on_commit_callbacks
):
    # given a rule that blocks duplicates from the bulk API and allows them from imports
    duplicate_rule(action_bulk="block", action_import="allow")
    make_lead(email="ada@example.com", last_name="Existing", company="Old")
    lines = ["LastName,Company,Email", "Lovelace,Analytical,ada@example.com", "Hopper,Navy,grace@example.com"]

    # when a bulk insert loads a duplicate and a new lead
    info = bulk(importer).run("insert", lines, captured=django_capture_on_commit_callbacks)

    # then the duplicate is refused with the rule's message; an import of the same rows is not stopped
    assert (info["numberRecordsProcessed"], info["numberRecordsFailed"]) == (2, 1)
    error = IngestResult.objects.get(job_id=info["id"], success=False).error
    assert "duplicate" in error.lower()
    lead_import = lead_import_upload(file_name="d.csv", data=csv_bytes(lines[:2]), acting_user=importer)
    with django_capture_on_commit_callbacks(execute=False):
        lead_import_start(
            lead_import=lead_import, mapping=lead_import.mapping, run_assignment=False, acting_user=importer
        )
    assert lead_import_process(lead_import_id=lead_import.pk).created_count == 1


def test_rows_a_duplicate_rule_attached_to_a_lead_are_reported_as_not_created(
    bulk, importer, duplicate_rule, make_lead, settings, django_capture_on_commit_callbacks
):
    # given a rule that attaches bulk API duplicates to the lead they match, and batches of two rows
    duplicate_rule(action_bulk="attach")
    existing = make_lead(email="ada@example.com", last_name="Lovelace", company="Analytical", title="")
    settings.LEAD_IMPORT_BATCH_SIZE = 2
    lines = [
        "LastName,Company,Email,Title",
        "Lovelace,Analytical,ADA@example.com,Countess",  # the existing lead
        "Hopper,Navy,grace@example.com,",  # a new lead
        "Hopper,Navy,grace+navy@example.com,",  # the lead the row before made (in an earlier batch)
        "Turing,Bletchley,alan@example.com,",  # a new lead
        "Turing,Bletchley,alan+2@example.com,",  # the lead the row before made (in the same batch)
    ]

    # when a bulk insert loads them
    info = bulk(importer).run("insert", lines, captured=django_capture_on_commit_callbacks)

    # then only the rows that made a lead say so; attached rows name the lead they were added to
    assert (info["state"], info["numberRecordsProcessed"], info["numberRecordsFailed"]) == ("JobComplete", 5, 0)
    grace, alan = Lead.objects.get(email="grace@example.com"), Lead.objects.get(email="alan@example.com")
    assert Lead.objects.count() == 3
    success = bulk(importer).csv(info["id"], "successfulResults").splitlines()
    assert success == [
        "sf__Id,sf__Created,LastName,Company,Email,Title",
        f"{existing.pk},false,Lovelace,Analytical,ADA@example.com,Countess",
        f"{grace.pk},true,Hopper,Navy,grace@example.com,",
        f"{grace.pk},false,Hopper,Navy,grace+navy@example.com,",
        f"{alan.pk},true,Turing,Bletchley,alan@example.com,",
        f"{alan.pk},false,Turing,Bletchley,alan+2@example.com,",
    ]
    existing.refresh_from_db()
    assert existing.title == "Countess"
    # and the job's import counts the same two leads as made (the attached rows as updates)
    lead_import = LeadImport.objects.get(pk=info["leadImportId"])
    assert (lead_import.created_count, lead_import.updated_count) == (2, 3)


def test_the_task_run_twice_hands_the_job_over_once(bulk, importer, django_capture_on_commit_callbacks):
    client = bulk(importer)
    job_id = client.create(operation="insert").json()["id"]
    client.upload(job_id, csv_body(["LastName,Company", "Doe,Acme", "Roe,Initech"]))
    with django_capture_on_commit_callbacks(execute=False):
        client.state(job_id, "UploadComplete")
        ingest_job_run(job_id=job_id)
        ingest_job_run(job_id=job_id)
    assert LeadImport.objects.count() == 1
    job = IngestJob.objects.get(pk=job_id)
    lead_import_process(lead_import_id=job.lead_import_id)
    lead_import_process(lead_import_id=job.lead_import_id)
    job.refresh_from_db()
    assert (job.state, job.records_processed, Lead.objects.count(), IngestResult.objects.count()) == (
        "JobComplete",
        2,
        2,
        2,
    )
    assert ingest_job_run(job_id=job_id).state == "JobComplete"


def test_the_sweeper_hands_over_a_closed_job_the_broker_missed_and_ends_jobs_whose_import_ended(
    bulk, importer, django_capture_on_commit_callbacks
):
    client = bulk(importer)
    job_id = client.create(operation="delete").json()["id"]
    client.upload(job_id, csv_body(["Id", "123"]))
    with django_capture_on_commit_callbacks(execute=False):
        client.state(job_id, "UploadComplete")  # as if the broker were down: the task never ran
    later = timezone.now() + timedelta(minutes=5)
    assert bulk_jobs_sweep(now=timezone.now()) == []
    with django_capture_on_commit_callbacks(execute=True):
        assert bulk_jobs_sweep(now=later) == [("ingest", job_id)]
    assert IngestJob.objects.get(pk=job_id).state == "JobComplete"

    # an insert whose import finished while the job was left InProgress (a worker died between)
    job_id = client.create(operation="insert").json()["id"]
    client.upload(job_id, csv_body(["LastName,Company", "Doe,Acme"]))
    with django_capture_on_commit_callbacks(execute=False):
        client.state(job_id, "UploadComplete")
        ingest_job_run(job_id=job_id)
    job = IngestJob.objects.get(pk=job_id)
    LeadImport.objects.filter(pk=job.lead_import_id).update(status="done", finished_at=timezone.now())
    bulk_jobs_sweep(now=later)
    assert IngestJob.objects.get(pk=job_id).state == "JobComplete"
