"""Ingest jobs of the bulk API: create, upload CSV (appended while Open), close (queues the work on
commit), abort, delete; the run itself (inserts, updates and upserts as a lead import, through the
batched lead pipeline; deletes batch by batch to the Recycle Bin) and the per-row results.

States move Open -> UploadComplete -> InProgress -> JobComplete | Failed, or to Aborted from any
state before the end; each move is a conditional update or made under the job's row lock.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from functools import partial

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from core.breaker import publish_or_leave
from core.roles import display_name
from leads.imports.models import LeadImport
from leads.imports.parsing import (
    ID_COLUMN,
    auto_mapping,
    importable_fields,
    iter_records,
    kept_cells,
    normalise,
    record_problem,
)
from leads.imports.parsing import import_dir as imports_folder
from leads.imports.processing import CREATE, SKIP, UPDATE, BatchNotOurs, ImportHooks, RowOutcome
from leads.imports.services import lead_import_cancel, lead_import_start
from leads.models import Lead
from leads.services import lead_delete

from ..models import ACTIVE_STATES, FINISHED_STATES, IngestJob, IngestResult, JobState
from . import files
from .access import require_import, require_manager

logger = logging.getLogger(__name__)

OBJECTS = {"lead": "Lead"}
EMAIL_KEY = "Email"
# A cell holding exactly this clears its field on update and upsert, as on Salesforce (blank cells
# leave a field as it is); on a new lead it is a blank cell, and it never matches a record.
CLEAR_VALUE = "#N/A"


def publish_ingest(job_id: int) -> bool:
    """Hand the job to the broker; never raises (the sweeper queues it again when the broker is down)."""
    from ..tasks import run_ingest_job

    return publish_or_leave(run_ingest_job, job_id, what=f"bulk job {job_id}")


def _key_column(operation: str, external_id_field: str) -> str:
    """The mapping entry rows are matched by ("" for inserts)."""
    if operation == IngestJob.Operation.INSERT:
        return ""
    if operation == IngestJob.Operation.DELETE or external_id_field in {"", ID_COLUMN}:
        return ID_COLUMN
    return "email" if external_id_field == EMAIL_KEY else external_id_field


def _clean_external_id(operation: str, value: str) -> str:
    value = (value or "").strip()
    if operation in {IngestJob.Operation.INSERT, IngestJob.Operation.DELETE}:
        if value and normalise(value) != "id":
            raise ValidationError({"externalIdFieldName": [_("Only update and upsert jobs match by a field.")]})
        return ""
    if not value:
        if operation == IngestJob.Operation.UPSERT:
            raise ValidationError({"externalIdFieldName": [_("Name the field an upsert matches records by.")]})
        return ID_COLUMN
    if normalise(value) == "id":
        return ID_COLUMN
    if normalise(value) == "email":
        return EMAIL_KEY
    custom = {d.api_name: d for d in importable_fields() if d.is_custom}
    found = next((api for api in custom if api.lower() == value.lower()), None)
    if found is None:
        raise ValidationError(
            {"externalIdFieldName": [_("Use Id, Email or a custom lead field, such as External_Id__c.")]}
        )
    return found


@transaction.atomic
def ingest_job_create(
    *,
    acting_user,
    object_name: str,
    operation: str,
    external_id_field: str = "",
    column_delimiter: str = "COMMA",
    line_ending: str = "LF",
    run_assignment: bool = False,
) -> IngestJob:
    """Open a job; its CSV is uploaded next. Needs the Import permission."""
    require_import(acting_user)
    errors: dict[str, list[str]] = {}
    canonical = OBJECTS.get((object_name or "").strip().lower())
    if canonical is None:
        errors["object"] = [_("The bulk API loads Lead records.")]
    if operation not in IngestJob.Operation.values:
        errors["operation"] = [_("Choose insert, update, upsert or delete.")]
    if errors or canonical is None:
        raise ValidationError(errors)
    key = _clean_external_id(operation, external_id_field)
    now = timezone.now()
    return IngestJob.objects.create(
        object_name=canonical,
        operation=operation,
        external_id_field=key,
        column_delimiter=column_delimiter,
        line_ending=line_ending,
        run_assignment=bool(run_assignment),
        stored_file=files.new_job_file(),
        created_by=acting_user,
        created_at=now,
        system_modstamp=now,
    )


def _header_mapping(job: IngestJob, names: list[str]) -> list[str]:
    """The lead field each column fills; raises the columns' field errors."""
    errors: list[str] = []
    seen: dict[str, str] = {}
    for name in names:
        key = normalise(name)
        if not key:
            errors.append(_("A column has no name."))
        elif key in seen:
            errors.append(
                _("Columns “%(first)s” and “%(second)s” name the same field.") % {"first": seen[key], "second": name}
            )
        seen.setdefault(key, name)
    if errors:
        raise ValidationError({"columns": errors})
    mapping = auto_mapping(names, importable_fields())
    if job.operation == IngestJob.Operation.DELETE:
        mapping = [api if api == ID_COLUMN else "" for api in mapping]
    else:
        unknown = [name for name, api in zip(names, mapping, strict=True) if not api]
        if unknown:
            errors.append(_("Not a lead field: %(names)s.") % {"names": ", ".join(unknown)})
        if job.operation == IngestJob.Operation.INSERT and ID_COLUMN in mapping:
            errors.append(_("An insert job cannot name record ids; leave out the Id column."))
        if not any(api and api != ID_COLUMN for api in mapping):
            errors.append(_("Name at least one lead field besides Id."))
    key = _key_column(job.operation, job.external_id_field)
    if key and key not in mapping:
        label = EMAIL_KEY if key == "email" else key
        errors.append(_("The CSV needs a %(column)s column to match records by.") % {"column": label})
    if errors:
        raise ValidationError({"columns": errors})
    return mapping


def ingest_job_upload(*, job: IngestJob, chunks: Iterable[bytes], acting_user) -> IngestJob:
    """Append one upload of CSV to an Open job (several uploads may follow, each with the same
    header row). The job's row is locked while the upload is checked and appended."""
    with transaction.atomic():
        locked = IngestJob.objects.select_for_update().get(pk=job.pk)
        require_import(acting_user)
        require_manager(locked, acting_user)
        if locked.state != JobState.OPEN:
            raise ValidationError({"state": [_("Data can be uploaded only while the job is Open.")]})
        files.truncate_to(locked.stored_file, locked.file_size)
        first = not locked.headers
        mapping: list[str] = []

        def check_header(names: list[str]) -> None:
            mapping.extend(_header_mapping(locked, names))

        appended = files.append_upload(
            chunks=chunks,
            job_file=locked.stored_file,
            delimiter=locked.delimiter,
            headers=None if first else list(locked.headers),
            rows_before=locked.total_rows,
            check_header=check_header,
        )
        if first:
            locked.headers, locked.mapping = appended.headers, mapping
        locked.uploads += 1
        locked.total_rows += appended.rows
        locked.file_size = files.file_size(locked.stored_file)
        locked.system_modstamp = timezone.now()
        locked.save()
    return locked


@transaction.atomic
def ingest_job_close(*, job: IngestJob, acting_user) -> IngestJob:
    """PATCH state UploadComplete: the job is queued for a worker once this commits."""
    locked = IngestJob.objects.select_for_update().get(pk=job.pk)
    require_import(acting_user)
    require_manager(locked, acting_user)
    if locked.state != JobState.OPEN:
        raise ValidationError(
            {"state": [_("Only an Open job can be closed; this one is %(state)s.") % {"state": locked.state}]}
        )
    if not locked.total_rows:
        raise ValidationError({"state": [_("Upload CSV data before closing the job.")]})
    now = timezone.now()
    locked.state = JobState.UPLOAD_COMPLETE
    locked.system_modstamp = locked.last_activity_at = now
    locked.save(update_fields=["state", "system_modstamp", "last_activity_at"])
    transaction.on_commit(partial(publish_ingest, locked.pk))
    return locked


@transaction.atomic
def ingest_job_abort(*, job: IngestJob, acting_user) -> IngestJob:
    """PATCH state Aborted: no further batch runs; committed batches stay (the import's undo, or
    the Recycle Bin for deletes, takes them back)."""
    locked = IngestJob.objects.select_for_update().get(pk=job.pk)
    require_manager(locked, acting_user)
    if locked.state in FINISHED_STATES:
        raise ValidationError({"state": [_("The job is %(state)s already.") % {"state": locked.state}]})
    now = timezone.now()
    if locked.lead_import_id and locked.lead_import is not None and locked.lead_import.is_active:
        lead_import_cancel(lead_import=locked.lead_import, acting_user=acting_user)
    locked.state = JobState.ABORTED
    locked.error_message = _("Aborted by %(name)s.") % {"name": display_name(acting_user)}
    locked.system_modstamp = locked.finished_at = now
    locked.save(update_fields=["state", "error_message", "system_modstamp", "finished_at"])
    return locked


@transaction.atomic
def ingest_job_delete(*, job: IngestJob, acting_user) -> None:
    """Delete a job that is not running, with its results. The lead import it ran stays (its undo
    record and error file are the import's); a delete job's file goes with it."""
    locked = IngestJob.objects.select_for_update().get(pk=job.pk)
    require_manager(locked, acting_user)
    if locked.state in ACTIVE_STATES:
        raise ValidationError({"state": [_("Abort the job before deleting it.")]})
    stored, keep_file = locked.stored_file, locked.lead_import_id is not None
    locked.delete()
    if stored and not keep_file:
        transaction.on_commit(partial(files.remove, imports_folder() / stored))


# The run ------------------------------------------------------------------------------------------


def _fail(job_id: int, message: str) -> None:
    now = timezone.now()
    IngestJob.objects.filter(pk=job_id, state__in=ACTIVE_STATES).update(
        state=JobState.FAILED, error_message=message[:1000], finished_at=now, system_modstamp=now
    )


def _import_options(job: IngestJob) -> dict:
    key = _key_column(job.operation, job.external_id_field)
    match_by = {
        "": LeadImport.MatchBy.EMAIL,
        ID_COLUMN: LeadImport.MatchBy.RECORD_ID,
        "email": LeadImport.MatchBy.EMAIL,
    }.get(key, LeadImport.MatchBy.EXTERNAL_ID)
    return {
        "mode": job.operation,
        "match_by": match_by,
        "external_id_field": key if match_by == LeadImport.MatchBy.EXTERNAL_ID else "",
        "on_match": LeadImport.OnMatch.OVERWRITE,
        "run_assignment": job.run_assignment,
        "send_autoresponse": False,
    }


def _hand_to_import(job_id: int) -> None:
    """Make the job's lead import and start it (the import's task runs the batches); once only."""
    with transaction.atomic():
        job = IngestJob.objects.select_for_update().select_related("created_by").get(pk=job_id)
        if job.state not in ACTIVE_STATES or job.lead_import_id is not None:
            return
        creator, now = job.created_by, timezone.now()
        lead_import = LeadImport.objects.create(
            file_name=f"Bulk API job {job.pk}.csv",
            stored_file=job.stored_file,
            file_format="csv",
            file_size=job.file_size,
            encoding="utf-8",
            delimiter=job.delimiter,
            headers=job.headers,
            mapping=job.mapping,
            owner=creator,
            total_rows=job.total_rows,
            created_by=creator,
            created_at=now,
        )
        try:
            with transaction.atomic():
                lead_import_start(
                    lead_import=lead_import, mapping=job.mapping, acting_user=creator, **_import_options(job)
                )
        except (ValidationError, PermissionError) as exc:
            messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
            lead_import.status = LeadImport.Status.FAILED
            lead_import.failure_reason = " ".join(messages)[:500]
            lead_import.save(update_fields=["status", "failure_reason"])
            job.lead_import = lead_import
            job.save(update_fields=["lead_import"])
            _fail(job.pk, " ".join(messages))
            return
        job.lead_import = lead_import
        job.state = JobState.IN_PROGRESS
        job.started_at = job.started_at or now
        job.system_modstamp = job.last_activity_at = now
        job.save(update_fields=["lead_import", "state", "started_at", "system_modstamp", "last_activity_at"])


def ingest_job_run(*, job_id: int) -> IngestJob | None:
    """The worker's part: inserts, updates and upserts are handed to the import pipeline; deletes
    run here batch by batch. Safe to run twice, or on two workers at once."""
    job = IngestJob.objects.select_related("created_by", "lead_import").filter(pk=job_id).first()
    if job is None or job.state not in ACTIVE_STATES:
        return job
    if not job.created_by.is_active:
        _fail(job.pk, "The user who created the job is no longer active.")
    elif job.operation != IngestJob.Operation.DELETE:
        if job.lead_import is not None and not job.lead_import.is_active:
            ingest_job_finish_from_import(job.pk, job.lead_import)
        else:
            _hand_to_import(job.pk)
    else:
        _run_deletes(job)
    return IngestJob.objects.get(pk=job_id)


def _result(job_id: int, row_number: int, cells: list[str], *, error: str = "", record_id=None, created=False):
    return IngestResult(
        job_id=job_id,
        row_number=row_number,
        success=not error,
        created=created,
        record_id=record_id,
        error=error,
        cells=kept_cells(cells),
    )


def _count_and_move(job_id: int, results: list[IngestResult], end_row: int | None = None) -> None:
    IngestResult.objects.bulk_create(results, batch_size=1000)
    now = timezone.now()
    changes = {
        "records_processed": F("records_processed") + len(results),
        "records_failed": F("records_failed") + sum(1 for r in results if not r.success),
        "system_modstamp": now,
        "last_activity_at": now,
    }
    if end_row is not None:
        changes["next_row"] = end_row
    IngestJob.objects.filter(pk=job_id).update(**changes)


def error_text(errors: dict) -> str:
    """A row's errors by field, as the failed results show them: "company: This field cannot be blank."."""
    parts = [
        " ".join(map(str, messages)) if field == "__all__" else f"{field}: {' '.join(map(str, messages))}"
        for field, messages in errors.items()
    ]
    return "; ".join(parts) or _("The row was not loaded.")


def _outcome_result(job_id: int, outcome: RowOutcome) -> IngestResult:
    record = outcome.record
    # A matched row that changes nothing on its lead (a skip with the lead) succeeds, as on Salesforce;
    # a row a duplicate rule attached to an existing lead succeeds with that lead, not created.
    if outcome.kind in {CREATE, UPDATE} or (outcome.kind == SKIP and outcome.lead_id is not None):
        created = outcome.kind == CREATE and not outcome.attached
        return _result(job_id, record.row_number, record.cells, record_id=outcome.lead_id, created=created)
    return _result(job_id, record.row_number, record.cells, error=error_text(outcome.errors), record_id=outcome.lead_id)


def _record_import_batch(
    job_id: int, lead_import: LeadImport, outcomes: list[RowOutcome], first_row: int, end_row: int
) -> None:
    """In the import batch's transaction: a result per row of the batch, and the job's counters."""
    _count_and_move(job_id, [_outcome_result(job_id, o) for o in outcomes], end_row)
    now = timezone.now()
    IngestJob.objects.filter(pk=job_id, state=JobState.UPLOAD_COMPLETE).update(
        state=JobState.IN_PROGRESS, started_at=now
    )


def ingest_job_finish_from_import(job_id: int, lead_import: LeadImport) -> None:
    """The job's end follows its import's: done -> JobComplete, failed -> Failed, cancelled ->
    Aborted (an abort sets that itself). A conditional update: a finished job stays as it is."""
    ends: dict[str, JobState] = {
        LeadImport.Status.DONE: JobState.JOB_COMPLETE,
        LeadImport.Status.FAILED: JobState.FAILED,
        LeadImport.Status.CANCELLED: JobState.ABORTED,
        LeadImport.Status.UNDONE: JobState.JOB_COMPLETE,
    }
    state = ends.get(lead_import.status)
    if state is None:
        return
    now = timezone.now()
    IngestJob.objects.filter(pk=job_id, state__in=ACTIVE_STATES).update(
        state=state,
        error_message=lead_import.failure_reason[:1000] if state != JobState.JOB_COMPLETE else "",
        finished_at=lead_import.finished_at or now,
        system_modstamp=now,
    )


def import_hooks_of(lead_import: LeadImport) -> ImportHooks | None:
    """The import pipeline's hooks for an import that an ingest job runs (``None`` for others)."""
    job_id = IngestJob.objects.filter(lead_import_id=lead_import.pk).values_list("pk", flat=True).first()
    if job_id is None:
        return None
    return ImportHooks(
        source="bulk",
        clear_value=CLEAR_VALUE,
        on_batch=partial(_record_import_batch, job_id),
        on_end=partial(ingest_job_finish_from_import, job_id),
    )


# Deletes ------------------------------------------------------------------------------------------


def _delete_one(job: IngestJob, cells: list[str], width: int, id_index: int) -> tuple[str, int | None]:
    raw = cells[id_index].strip() if id_index < len(cells) else ""
    if not raw:
        return _("The row has no Id."), None
    if not raw.isdigit() or len(raw) > 18:
        return _("“%(value)s” is not a lead id.") % {"value": raw[:40]}, None
    lead = Lead.objects.filter(pk=int(raw)).first()
    if lead is None:
        return _("No lead you may delete has this id."), None
    try:
        with transaction.atomic():
            lead_delete(lead=lead, acting_user=job.created_by)
    except PermissionError:
        return _("No lead you may delete has this id."), None
    except ValidationError as exc:
        return " ".join(exc.messages), lead.pk
    return "", lead.pk


def _delete_batch(job: IngestJob, records, first_row: int, end_row: int) -> None:
    width, id_index = len(job.headers), job.mapping.index(ID_COLUMN)
    with transaction.atomic():
        locked = IngestJob.objects.select_for_update().filter(pk=job.pk).first()
        if locked is None or locked.state != JobState.IN_PROGRESS or locked.next_row != first_row:
            raise BatchNotOurs
        results = []
        for record in records:
            if record.blank:
                continue
            problem = record_problem(record, width)
            error, lead_id = (problem, None) if problem else _delete_one(job, record.cells, width, id_index)
            results.append(_result(job.pk, record.row_number, record.cells, error=error, record_id=lead_id))
        _count_and_move(job.pk, results, end_row)


def _run_deletes(job: IngestJob) -> None:
    from django.conf import settings

    now = timezone.now()
    IngestJob.objects.filter(pk=job.pk, state=JobState.UPLOAD_COMPLETE).update(
        state=JobState.IN_PROGRESS, started_at=now, last_activity_at=now, system_modstamp=now
    )
    job.refresh_from_db()
    size = getattr(settings, "LEAD_IMPORT_BATCH_SIZE", None) or 1000
    records = iter_records(
        imports_folder() / job.stored_file,
        file_format="csv",
        encoding="utf-8",
        delimiter=job.delimiter,
        start=1 + job.next_row,
    )
    offset, batch = job.next_row, []
    try:
        for record in records:
            batch.append(record)
            if len(batch) >= size:
                _delete_batch(job, batch, offset, offset + len(batch))
                offset, batch = offset + len(batch), []
        if batch:
            _delete_batch(job, batch, offset, offset + len(batch))
    except BatchNotOurs:
        return
    except FileNotFoundError:
        _fail(job.pk, "The uploaded file is no longer on the server.")
        return
    except DatabaseError:
        logger.exception("Bulk delete job %s: the batch from row offset %s failed", job.pk, offset)
        raise
    now = timezone.now()
    IngestJob.objects.filter(pk=job.pk, state=JobState.IN_PROGRESS).update(
        state=JobState.JOB_COMPLETE, finished_at=now, system_modstamp=now
    )
