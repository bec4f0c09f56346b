"""The import services: upload, mapping, one lead per good row, errors per bad row, assignment,
auto-response, idempotency and the sweeper."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from emails.models import OutboundEmail
from leads.imports.models import LeadImport, LeadImportRow
from leads.imports.services import lead_import_process, lead_imports_requeue_stalled
from leads.models import Lead

pytestmark = pytest.mark.django_db

MIXED_CSV = [
    "First Name,Last Name,Company,Email,No. of Employees",
    "Ada,Lovelace,Analytical Ltd,ada@example.com,12",
    "Bad,,No Last Name Inc,not-an-email,many",
    "Grace,Hopper,Navy Systems,grace@example.com,",
]


def test_upload_stores_the_file_on_disk_and_counts_its_rows(rep, upload):
    lead_import = upload(rep)

    assert lead_import.status == LeadImport.Status.MAPPING
    assert lead_import.total_rows == 2
    assert lead_import.mapping == ["first_name", "last_name", "company", "email", "lead_source"]
    assert (lead_import.file_format, lead_import.encoding, lead_import.delimiter) == ("csv", "utf-8-sig", ",")
    assert not lead_import.rows.exists()
    assert Lead.objects.count() == 0


def test_starting_creates_a_lead_per_good_row_and_records_errors_for_bad_rows(
    rep, upload, start, django_capture_on_commit_callbacks
):
    # given an uploaded file with one bad row between two good ones
    lead_import = upload(rep, MIXED_CSV)

    # when the rep starts it (the task runs on commit)
    with django_capture_on_commit_callbacks(execute=True):
        start(lead_import, rep, run_assignment=False)

    # then two leads exist, owned by the rep, and the bad row carries every field error
    lead_import.refresh_from_db()
    assert (lead_import.status, lead_import.created_count, lead_import.error_count) == ("done", 2, 1)
    assert lead_import.pending_count == 0
    assert lead_import.started_at is not None
    assert lead_import.finished_at is not None
    leads = Lead.objects.order_by("last_name")
    assert [(lead.last_name, lead.owner_user_id, lead.created_by_id) for lead in leads] == [
        ("Hopper", rep.pk, rep.pk),
        ("Lovelace", rep.pk, rep.pk),
    ]
    assert leads.get(last_name="Lovelace").number_of_employees == 12
    bad = lead_import.rows.get(row_number=3)
    assert bad.outcome == LeadImportRow.Outcome.ERROR
    assert set(bad.errors) == {"last_name", "email", "number_of_employees"}
    assert bad.lead is None
    assert bad.raw_values == ["Bad", "", "No Last Name Inc", "not-an-email", "many"]
    assert lead_import.rows.count() == 1
    (batch,) = lead_import.batches.all()
    assert sorted(batch.created_ids) == sorted(leads.values_list("pk", flat=True))
    assert (batch.first_row, batch.end_row, lead_import.next_row) == (0, 3, 3)


def test_picklist_cells_may_carry_labels_in_any_case_and_the_default_source_fills_blanks(
    rep, upload, start, django_capture_on_commit_callbacks
):
    lead_import = upload(rep)

    with django_capture_on_commit_callbacks(execute=True):
        start(lead_import, rep, default_lead_source="Trade Show")

    assert dict(Lead.objects.values_list("last_name", "lead_source")) == {
        "Lovelace": "Website",
        "Hopper": "Trade Show",
    }


def test_an_unknown_picklist_value_is_a_row_error(rep, upload, start, django_capture_on_commit_callbacks):
    lead_import = upload(rep, ["Last Name,Company,Lead Source", "Doe,Acme,Carrier Pigeon"])

    with django_capture_on_commit_callbacks(execute=True):
        start(lead_import, rep)

    row = lead_import.rows.get()
    assert row.outcome == "error"
    assert "lead_source" in row.errors
    assert Lead.objects.count() == 0


def test_custom_fields_are_validated_by_type(rep, upload, start, django_capture_on_commit_callbacks):
    from core.models import FieldDefinition

    FieldDefinition.objects.create(
        object_name="lead", api_name="seats__c", label="Seats", field_type="number", is_custom=True
    )
    lead_import = upload(rep, ["Last Name,Company,Seats", "Doe,Acme,40", "Roe,Initech,forty"])

    with django_capture_on_commit_callbacks(execute=True):
        start(lead_import, rep)

    assert Lead.objects.get().custom_fields["seats__c"] == 40
    assert "seats__c" in lead_import.rows.get(row_number=3).errors


def test_the_active_assignment_rule_routes_imported_leads(
    rep, upload, start, queue_rule, django_capture_on_commit_callbacks
):
    lead_import = upload(rep)

    with django_capture_on_commit_callbacks(execute=True):
        start(lead_import, rep, run_assignment=True)

    assert set(Lead.objects.values_list("owner_queue_id", flat=True)) == {queue_rule.pk}


def test_imported_leads_keep_their_owners_sort_name(rep, upload, start, queue_rule, django_capture_on_commit_callbacks):
    routed, kept = upload(rep), upload(rep, ["Last Name,Company", "Curie,Radium Co"])

    with django_capture_on_commit_callbacks(execute=True):
        start(routed, rep, run_assignment=True)
        start(kept, rep, run_assignment=False)

    assert set(Lead.objects.filter(owner_queue=queue_rule).values_list("owner_sort_name", flat=True)) == {"Imported"}
    assert list(Lead.objects.filter(owner_user=rep).values_list("owner_sort_name", flat=True)) == ["Rep Riley"]


def test_the_assignment_rule_can_be_switched_off(rep, upload, start, queue_rule, django_capture_on_commit_callbacks):
    lead_import = upload(rep)

    with django_capture_on_commit_callbacks(execute=True):
        start(lead_import, rep, run_assignment=False)

    assert set(Lead.objects.values_list("owner_user_id", "owner_queue_id")) == {(rep.pk, None)}


def test_auto_responses_go_out_only_when_asked(rep, upload, start, thanks_template, django_capture_on_commit_callbacks):
    # given two imports of the same people, one asking for auto-responses
    quiet = upload(rep)
    loud = upload(rep, ["Last Name,Company,Email", "Curie,Radium Co,marie@example.com"])

    # when both run
    with django_capture_on_commit_callbacks(execute=True):
        start(quiet, rep, send_autoresponse=False)
    with django_capture_on_commit_callbacks(execute=True):
        start(loud, rep, send_autoresponse=True)

    # then only the lead of the second import got one
    emails = OutboundEmail.objects.filter(kind=OutboundEmail.Kind.AUTO_RESPONSE)
    assert list(emails.values_list("to_address", flat=True)) == ["marie@example.com"]
    assert emails.get().record_id == Lead.objects.get(last_name="Curie").pk


def test_a_rep_may_not_import_leads_for_someone_else(rep, other_rep, upload, start):
    lead_import = upload(rep)

    with pytest.raises(ValidationError) as exc_info:
        start(lead_import, rep, owner=other_rep)

    assert "owner" in exc_info.value.message_dict
    assert LeadImport.objects.get().status == "mapping"


def test_a_marketing_admin_may_import_for_a_rep(
    marketing_admin, rep, upload, start, django_capture_on_commit_callbacks
):
    lead_import = upload(marketing_admin)

    with django_capture_on_commit_callbacks(execute=True):
        start(lead_import, marketing_admin, owner=rep, run_assignment=False)

    assert set(Lead.objects.values_list("owner_user_id", "created_by_id")) == {(rep.pk, marketing_admin.pk)}


def test_a_mapping_naming_a_field_twice_or_an_unknown_field_is_refused(rep, upload, start):
    lead_import = upload(rep)

    with pytest.raises(ValidationError) as exc_info:
        start(lead_import, rep, mapping=["last_name", "last_name", "company", "nonsense", ""])

    messages = " ".join(exc_info.value.message_dict["mapping"])
    assert "both fill Last Name" in messages
    assert "“nonsense” is not a lead field" in messages


def test_an_import_cannot_be_started_twice(rep, upload, start, django_capture_on_commit_callbacks):
    lead_import = upload(rep)
    with django_capture_on_commit_callbacks(execute=True):
        start(lead_import, rep)

    with pytest.raises(ValidationError):
        start(lead_import, rep)

    assert Lead.objects.count() == 2


def test_running_the_processing_twice_creates_each_lead_once(rep, upload, start):
    # given a started import whose task has not run yet (no on-commit in this test)
    lead_import = start(upload(rep), rep)

    # when it is processed twice, the second time as if it were still running
    lead_import_process(lead_import_id=lead_import.pk)
    LeadImport.objects.filter(pk=lead_import.pk).update(status="running")
    lead_import_process(lead_import_id=lead_import.pk)

    # then each row made one lead
    assert Lead.objects.count() == 2
    lead_import.refresh_from_db()
    assert (lead_import.created_count, lead_import.error_count, lead_import.status) == (2, 0, "done")


def test_a_row_with_more_values_than_columns_is_an_error(rep, upload, start):
    lead_import = start(upload(rep, ["Last Name,Company", "Doe,Acme,surprise"]), rep)

    lead_import_process(lead_import_id=lead_import.pk)

    assert "__all__" in lead_import.rows.get().errors


def test_the_sweeper_requeues_stalled_imports_and_leaves_fresh_ones(
    rep, upload, start, django_capture_on_commit_callbacks
):
    # given an import queued 5 minutes ago that no worker took, and one queued just now
    stalled = start(upload(rep), rep)
    LeadImport.objects.filter(pk=stalled.pk).update(last_activity_at=timezone.now() - timedelta(minutes=5))
    fresh = start(upload(rep, ["Last Name,Company", "Fresh,Acme"]), rep)

    # when the sweeper runs (its re-queue runs the task eagerly)
    with django_capture_on_commit_callbacks(execute=True):
        requeued = lead_imports_requeue_stalled()

    # then only the stalled import was processed
    assert requeued == [stalled.pk]
    stalled.refresh_from_db()
    fresh.refresh_from_db()
    assert (stalled.status, stalled.created_count) == ("done", 2)
    assert (fresh.status, fresh.pending_count) == ("pending", 1)


def test_a_stalled_running_import_resumes_after_its_last_committed_batch(rep, upload, start, monkeypatch, settings):
    # given an import of five rows in batches of two, whose worker died after the first batch
    from leads.imports import processing

    settings.LEAD_IMPORT_BATCH_SIZE = 2
    lines = ["Last Name,Company"] + [f"P{i},C{i}" for i in range(5)]
    lead_import = start(upload(rep, lines), rep, run_assignment=False)
    real = processing._commit_batch
    calls = []

    def die_on_second(ctx, records, first_row, end_row):
        calls.append(first_row)
        if len(calls) == 2:
            raise SystemExit("worker killed")
        return real(ctx, records, first_row, end_row)

    monkeypatch.setattr(processing, "_commit_batch", die_on_second)
    with pytest.raises(SystemExit):
        lead_import_process(lead_import_id=lead_import.pk)
    lead_import.refresh_from_db()
    assert (lead_import.status, lead_import.next_row, Lead.objects.count()) == ("running", 2, 2)

    # when a worker takes it again
    monkeypatch.setattr(processing, "_commit_batch", real)
    lead_import_process(lead_import_id=lead_import.pk)

    # then every row is a lead exactly once
    lead_import.refresh_from_db()
    assert sorted(Lead.objects.values_list("last_name", flat=True)) == [f"P{i}" for i in range(5)]
    assert (lead_import.status, lead_import.created_count, lead_import.next_row) == ("done", 5, 5)
    assert list(lead_import.batches.values_list("first_row", flat=True)) == [0, 2, 4]


def test_an_import_whose_creator_left_fails_without_creating_leads(rep, upload, start):
    lead_import = start(upload(rep), rep)
    rep.is_active = False
    rep.save()

    result = lead_import_process(lead_import_id=lead_import.pk)

    assert result.status == "failed"
    assert "no longer active" in result.failure_reason
    assert Lead.objects.count() == 0


def test_a_batch_hands_its_leads_to_the_rollups_in_one_task(
    rep, upload, start, monkeypatch, django_capture_on_commit_callbacks
):
    # given a started import of two rows
    from reports import tasks as report_tasks

    calls = []
    monkeypatch.setattr(report_tasks.refresh_lead_rollups, "delay", lambda *a, **kw: calls.append((a, kw)))
    lead_import = start(upload(rep), rep, run_assignment=False)

    # when its batch commits
    with django_capture_on_commit_callbacks(execute=True):
        lead_import_process(lead_import_id=lead_import.pk)

    # then one task refreshes the rollups of both leads
    assert calls == [((), {"lead_ids": sorted(Lead.objects.values_list("pk", flat=True))})]
