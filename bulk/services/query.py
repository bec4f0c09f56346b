"""Query jobs of the bulk API: the lead list's filters (and/or a saved list view) and columns; a
worker writes the leads the job's creator may see, as the list export does, to a CSV file, which
the results are streamed from. A run that dies is started again from the beginning: the file is
written under a temporary name and takes its place only when complete."""

from __future__ import annotations

import csv
import uuid
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from core.breaker import publish_or_leave
from core.roles import display_name, may_export
from leads.listviews.export import CHUNK, export_rows, export_spec
from leads.listviews.models import ListView
from leads.listviews.selectors import list_views_visible_to

from ..models import ACTIVE_STATES, FINISHED_STATES, LINE_ENDING_CHARS, JobState, QueryJob
from . import files
from .access import require_export, require_manager


def publish_query(job_id: int) -> bool:
    """Hand the job to the broker; never raises (the sweeper queues it again when the broker is down)."""
    from ..tasks import run_query_job

    return publish_or_leave(run_query_job, job_id, what=f"query job {job_id}")


def _params(filters: dict, columns: list[str]) -> QueryDict:
    data = QueryDict(mutable=True)
    for name, values in (filters or {}).items():
        data.setlist(name, [str(v) for v in (values if isinstance(values, list) else [values])])
    if columns:
        data["columns"] = ",".join(columns)
    return data


def _spec(*, user, filters: dict, columns: list[str], list_view: ListView | None):
    return export_spec(user=user, params=_params(filters, columns), list_view=list_view)


@transaction.atomic
def query_job_create(
    *,
    acting_user,
    object_name: str = "Lead",
    filters: dict | None = None,
    list_view_id: int | None = None,
    columns: list[str] | None = None,
    column_delimiter: str = "COMMA",
    line_ending: str = "LF",
) -> QueryJob:
    """Check the filters and columns as the lead export does (field errors) and queue the job.
    Needs the Export permission."""
    require_export(acting_user)
    if (object_name or "").strip().lower() != "lead":
        raise ValidationError({"object": [_("The bulk API queries Lead records.")]})
    list_view = None
    if list_view_id is not None:
        list_view = list_views_visible_to(acting_user).filter(pk=list_view_id).first()
        if list_view is None:
            raise ValidationError({"listView": [_("No list view you may see has this id.")]})
    filters, columns = dict(filters or {}), list(columns or [])
    _spec(user=acting_user, filters=filters, columns=columns, list_view=list_view)
    now = timezone.now()
    job = QueryJob.objects.create(
        list_view=list_view,
        filters=filters,
        columns=columns,
        column_delimiter=column_delimiter,
        line_ending=line_ending,
        created_by=acting_user,
        created_at=now,
        system_modstamp=now,
        last_activity_at=now,
    )
    transaction.on_commit(partial(publish_query, job.pk))
    return job


def _fail(job_id: int, message: str) -> None:
    now = timezone.now()
    QueryJob.objects.filter(pk=job_id, state__in=ACTIVE_STATES).update(
        state=JobState.FAILED, error_message=message[:1000], finished_at=now, system_modstamp=now
    )


def query_job_run(*, job_id: int) -> QueryJob | None:
    """Write the job's CSV as its creator would export it now (their sharing, their Export
    permission). Safe to run twice: a finished job is left alone, a running one is written again."""
    job = QueryJob.objects.select_related("created_by", "list_view").filter(pk=job_id).first()
    if job is None or job.state not in ACTIVE_STATES:
        return job
    user = job.created_by
    if not user.is_active or not may_export(user):
        _fail(job.pk, "The job's creator may no longer export records.")
        return QueryJob.objects.get(pk=job.pk)
    now = timezone.now()
    QueryJob.objects.filter(pk=job.pk, state__in=ACTIVE_STATES).update(
        state=JobState.IN_PROGRESS, started_at=now, last_activity_at=now, system_modstamp=now
    )
    list_view = job.list_view
    if list_view is not None and not list_views_visible_to(user).filter(pk=list_view.pk).exists():
        _fail(job.pk, "The list view is no longer shared with the job's creator.")
        return QueryJob.objects.get(pk=job.pk)
    try:
        spec = _spec(user=user, filters=job.filters, columns=job.columns, list_view=list_view)
    except ValidationError as exc:
        _fail(job.pk, " ".join(exc.messages))
        return QueryJob.objects.get(pk=job.pk)
    name = f"query-{job.pk}-{uuid.uuid4().hex}.csv"
    final = files.bulk_dir() / name
    partial_path = final.with_suffix(".part")
    count = -1  # the header is the first row written
    try:
        with partial_path.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out, delimiter=job.delimiter, lineterminator=LINE_ENDING_CHARS[job.line_ending])
            for row in export_rows(spec):
                writer.writerow(row)
                count += 1
                if count and count % CHUNK == 0 and not _still_running(job.pk, count):
                    partial_path.unlink(missing_ok=True)
                    return QueryJob.objects.get(pk=job.pk)
        partial_path.rename(final)
    except BaseException:
        partial_path.unlink(missing_ok=True)
        raise
    now = timezone.now()
    done = QueryJob.objects.filter(pk=job.pk, state=JobState.IN_PROGRESS).update(
        state=JobState.JOB_COMPLETE,
        stored_file=name,
        file_size=final.stat().st_size,
        records_processed=count,
        finished_at=now,
        system_modstamp=now,
        last_activity_at=now,
    )
    if not done:
        final.unlink(missing_ok=True)
    return QueryJob.objects.get(pk=job.pk)


def _still_running(job_id: int, count: int) -> bool:
    """Progress for the job page and the sweeper; False once the job was aborted."""
    now = timezone.now()
    return bool(
        QueryJob.objects.filter(pk=job_id, state=JobState.IN_PROGRESS).update(
            records_processed=count, last_activity_at=now, system_modstamp=now
        )
    )


@transaction.atomic
def query_job_abort(*, job: QueryJob, acting_user) -> QueryJob:
    locked = QueryJob.objects.select_for_update().get(pk=job.pk)
    require_manager(locked, acting_user)
    if locked.state in FINISHED_STATES:
        raise ValidationError({"state": [_("The job is %(state)s already.") % {"state": locked.state}]})
    now = timezone.now()
    locked.state = JobState.ABORTED
    locked.error_message = _("Aborted by %(name)s.") % {"name": display_name(acting_user)}
    locked.finished_at = locked.system_modstamp = now
    locked.save(update_fields=["state", "error_message", "finished_at", "system_modstamp"])
    return locked


@transaction.atomic
def query_job_delete(*, job: QueryJob, acting_user) -> None:
    locked = QueryJob.objects.select_for_update().get(pk=job.pk)
    require_manager(locked, acting_user)
    if locked.state in ACTIVE_STATES:
        raise ValidationError({"state": [_("Abort the job before deleting it.")]})
    stored = locked.stored_file
    locked.delete()
    if stored:
        transaction.on_commit(partial(files.remove, files.bulk_dir() / stored))
