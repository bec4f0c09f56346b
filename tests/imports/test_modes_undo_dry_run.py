"""Update and upsert imports (match by email, external id or lead id; skip, fill blanks or
overwrite), the dry run's counts against the real run's, and undo."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict
from django.utils import timezone

from core.models import FieldDefinition, FieldHistory, RecycleBinEntry
from leads.imports.models import LeadImport
from leads.imports.processing import lead_import_dry_run
from leads.imports.services import lead_import_dry_run_start, lead_import_process, lead_import_undo
from leads.models import Lead
from leads.services import lead_create

pytestmark = pytest.mark.django_db

UPSERT_CSV = [
    "First Name,Last Name,Company,Email,Title",
    "Ada,Lovelace,Analytical Ltd,ADA@example.com,Countess",  # matches an existing lead
    "Grace,Hopper,Navy Systems,grace@example.com,",  # new
    "Bad,,No Last Name Inc,bad@example.com,",  # refused: no last name
    "Ada,Again,Analytical Ltd,ada@example.com,Dup",  # the same email as row 2: skipped
    "Alan,Turing,Bletchley,alan@example.com,Mathematician,extra",  # more cells than columns
]


# What an undo changes by being a change itself: every other field is compared.
AUDIT_FIELDS = {"version", "last_modified_at", "last_modified_by"}


@pytest.fixture
def existing(rep):
    return lead_create(
        data={"first_name": "Ada", "last_name": "Lovelace", "company": "Old Co", "email": "ada@example.com"},
        acting_user=rep,
    )


def _state(lead_ids):
    return {
        lead.pk: {k: v for k, v in model_to_dict(lead).items() if k not in AUDIT_FIELDS}
        for lead in Lead.objects.filter(pk__in=lead_ids)
    }


def test_the_dry_run_counts_what_the_import_then_does_and_writes_nothing(rep, upload, start, existing):
    # given an upsert by email that overwrites, over a file with every kind of row
    lead_import = upload(rep, UPSERT_CSV)
    options = {"mode": "upsert", "match_by": "email", "on_match": "overwrite", "run_assignment": False}
    lead_import_dry_run_start(lead_import=lead_import, mapping=lead_import.mapping, acting_user=rep, **options)
    before = _state([existing.pk])

    # when the dry run runs
    dry = lead_import_dry_run(lead_import_id=lead_import.pk)

    # then it counts each outcome with reasons and a sample, and nothing was written
    assert dry.dry_run_status == "done"
    counts = {k: dry.dry_run[k] for k in ("created", "updated", "skipped", "rejected")}
    assert counts == {"created": 1, "updated": 1, "skipped": 1, "rejected": 2}
    reasons = " ".join(r["reason"] for r in dry.dry_run["reasons"])
    assert "same email" in reasons
    assert "6 values but the header names 5 columns" in reasons
    assert [s["row"] for s in dry.dry_run["sample"]] == [4, 5, 6]
    assert Lead.objects.count() == 1
    assert _state([existing.pk]) == before
    assert not lead_import.rows.exists()
    assert not lead_import.batches.exists()

    # when the import itself runs with the same options
    LeadImport.objects.filter(pk=lead_import.pk).update(status="mapping")
    start(lead_import, rep, **options)
    done = lead_import_process(lead_import_id=lead_import.pk)

    # then it does what the dry run said
    assert (done.created_count, done.updated_count, done.skipped_count, done.error_count) == (1, 1, 1, 2)
    existing.refresh_from_db()
    assert (existing.company, existing.title) == ("Analytical Ltd", "Countess")
    assert FieldHistory.objects.filter(record_id=existing.pk, field_name="company", new_value="Analytical Ltd").exists()


def test_update_only_refuses_rows_without_a_match_and_fill_blanks_keeps_values(rep, upload, start, existing):
    lead_import = upload(rep, UPSERT_CSV[:3])
    start(lead_import, rep, mode="update", match_by="email", on_match="fill_blanks", run_assignment=False)

    done = lead_import_process(lead_import_id=lead_import.pk)

    existing.refresh_from_db()
    assert (done.created_count, done.updated_count, done.error_count) == (0, 1, 1)
    assert (existing.company, existing.title) == ("Old Co", "Countess")
    assert "No lead matches this row's email." in str(done.rows.get().errors)


def test_matching_by_lead_id_and_by_an_external_id(rep, upload, start, existing):
    FieldDefinition.objects.create(
        object_name="lead", api_name="legacy_id__c", label="Legacy Id", field_type="text", is_custom=True, max_length=40
    )
    Lead.objects.filter(pk=existing.pk).update(custom_fields={"legacy_id__c": "00Q1"})
    by_id = upload(rep, ["Id,Title", f"{existing.pk},By Id"])
    start(by_id, rep, mode="update", match_by="record_id", on_match="overwrite", run_assignment=False)
    lead_import_process(lead_import_id=by_id.pk)
    existing.refresh_from_db()
    assert existing.title == "By Id"

    by_external = upload(rep, ["Legacy Id,Title", "00Q1,By External"])
    start(
        by_external,
        rep,
        mode="upsert",
        match_by="external_id",
        external_id_field="legacy_id__c",
        on_match="overwrite",
        run_assignment=False,
    )
    lead_import_process(lead_import_id=by_external.pk)
    existing.refresh_from_db()
    assert existing.title == "By External"


def test_matching_by_a_column_that_is_not_mapped_is_refused(rep, upload, start):
    lead_import = upload(rep, ["Last Name,Company", "Doe,Acme"])
    with pytest.raises(ValidationError) as exc_info:
        start(lead_import, rep, mode="update", match_by="email")
    assert "match_by" in exc_info.value.message_dict


def test_undo_puts_back_the_exact_prior_state(rep, upload, start, existing, queue_rule):
    # given an upsert import that created leads (routed to a queue) and overwrote an existing lead
    other = lead_create(data={"last_name": "Untouched", "company": "Same"}, acting_user=rep)
    before = _state([existing.pk, other.pk])
    lead_import = upload(rep, UPSERT_CSV)
    start(lead_import, rep, mode="upsert", match_by="email", on_match="overwrite", run_assignment=True)
    done = lead_import_process(lead_import_id=lead_import.pk)
    created = [pk for batch in done.batches.all() for pk in batch.created_ids]
    assert len(created) == 1
    assert _state([existing.pk]) != {existing.pk: before[existing.pk]}

    # when the importer undoes it
    undone = lead_import_undo(lead_import=done, acting_user=rep)

    # then the leads it created are in the Recycle Bin and the updated lead is as it was
    assert undone.status == LeadImport.Status.UNDONE
    assert not Lead.objects.filter(pk__in=created).exists()
    assert set(RecycleBinEntry.objects.filter(object_name="lead").values_list("record_id", flat=True)) == set(created)
    assert _state([existing.pk, other.pk]) == before
    assert Lead.objects.count() == 2
    with pytest.raises(ValidationError, match="undone already"):
        lead_import_undo(lead_import=done, acting_user=rep)


def test_only_the_importer_or_an_admin_may_undo_and_only_for_seven_days(rep, other_rep, marketing_admin, upload, start):
    lead_import = upload(rep)
    start(lead_import, rep, run_assignment=False)
    done = lead_import_process(lead_import_id=lead_import.pk)

    with pytest.raises(PermissionError):
        lead_import_undo(lead_import=done, acting_user=other_rep)
    LeadImport.objects.filter(pk=done.pk).update(finished_at=timezone.now() - timedelta(days=8))
    with pytest.raises(ValidationError, match="within 7 days"):
        lead_import_undo(lead_import=done, acting_user=rep)
    LeadImport.objects.filter(pk=done.pk).update(finished_at=timezone.now() - timedelta(days=6))
    assert lead_import_undo(lead_import=done, acting_user=marketing_admin).status == "undone"
    assert Lead.objects.count() == 0


@pytest.fixture
def attach_rule(system_admin):
    """An active duplicate rule: an imported row with a stored lead's email is added to that lead."""
    from core import rules
    from dedupe import services

    matching = services.matching_rule_create(
        data={"name": "Same email", "email": "normalized"}, acting_user=system_admin
    )
    rule = rules.rule_create(kind=services.DUPLICATE, name="Attach imports", acting_user=system_admin)
    services.duplicate_entry_create(
        rule=rule, data={"matching_rule": matching, "action_import": "attach"}, acting_user=system_admin
    )
    return rules.rule_activate(kind=services.DUPLICATE, rule=rule, acting_user=system_admin)


def test_a_row_attached_to_a_stored_lead_counts_as_an_update_and_undo_keeps_that_lead(
    rep, upload, start, existing, attach_rule
):
    # given an insert import whose first row has the email of a stored lead with no title
    before = _state([existing.pk])
    lead_import = upload(
        rep,
        [
            "First Name,Last Name,Company,Email,Title",
            "Ada,Lovelace,Analytical Ltd,ada@example.com,Countess",
            "Grace,Hopper,Navy Systems,grace@example.com,Admiral",
        ],
    )

    # when the dry run and then the import run
    lead_import_dry_run_start(
        lead_import=lead_import, mapping=lead_import.mapping, acting_user=rep, run_assignment=False
    )
    dry = lead_import_dry_run(lead_import_id=lead_import.pk)
    LeadImport.objects.filter(pk=lead_import.pk).update(status="mapping")
    start(lead_import, rep, run_assignment=False)
    done = lead_import_process(lead_import_id=lead_import.pk)

    # then the first row filled the stored lead's blank title and is counted as an update, by both
    assert (dry.dry_run["created"], dry.dry_run["updated"]) == (1, 1)
    assert (done.created_count, done.updated_count) == (1, 1)
    existing.refresh_from_db()
    assert existing.title == "Countess"
    assert existing.company == "Old Co"  # an attached row fills blanks only
    created = [pk for batch in done.batches.all() for pk in batch.created_ids]
    assert Lead.objects.filter(pk__in=created).get().email == "grace@example.com"

    # when the import is undone
    lead_import_undo(lead_import=done, acting_user=rep)

    # then the stored lead is still there, as it was, and only the lead the import made is gone
    assert _state([existing.pk]) == before
    assert list(Lead.objects.values_list("pk", flat=True)) == [existing.pk]
