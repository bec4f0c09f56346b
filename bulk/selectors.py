"""Reads of bulk API jobs, scoped to the user: a user sees their own jobs, admins every job; the
results of a job as CSV rows (cells guarded against spreadsheet formulas)."""

from collections.abc import Iterator

from django.db import transaction
from django.db.models import QuerySet

from core.csv_export import csv_cell
from core.roles import is_marketing_admin
from leads.imports.parsing import import_dir, iter_records

from .models import IngestJob, IngestResult, QueryJob

CHUNK = 2000


def ingest_jobs_visible_to(user) -> QuerySet[IngestJob]:
    if not user.is_authenticated:
        return IngestJob.objects.none()
    qs = IngestJob.objects.select_related("created_by", "lead_import")
    return qs if is_marketing_admin(user) else qs.filter(created_by=user)


def query_jobs_visible_to(user) -> QuerySet[QueryJob]:
    if not user.is_authenticated:
        return QueryJob.objects.none()
    qs = QueryJob.objects.select_related("created_by", "list_view")
    return qs if is_marketing_admin(user) else qs.filter(created_by=user)


def _cells(cells: list, width: int) -> list[str]:
    padded = list(cells[:width]) + [""] * (width - len(cells))
    return [csv_cell(cell) for cell in padded]


def ingest_result_rows(job: IngestJob, *, success: bool) -> Iterator[list[str]]:
    """``sf__Id, sf__Created`` (successes) or ``sf__Id, sf__Error`` (failures), then the row as
    uploaded; in the order of the file, read through a server-side cursor."""
    width = len(job.headers)
    yield [*(["sf__Id", "sf__Created"] if success else ["sf__Id", "sf__Error"]), *map(csv_cell, job.headers)]
    rows = (
        IngestResult.objects.filter(job=job, success=success)
        .order_by("row_number")
        .values_list("record_id", "created", "error", "cells")
    )
    with transaction.atomic():
        for record_id, created, error, cells in rows.iterator(chunk_size=CHUNK):
            second = ("true" if created else "false") if success else csv_cell(error)
            yield ["" if record_id is None else str(record_id), second, *_cells(cells, width)]


def unprocessed_rows(job: IngestJob) -> Iterator[list[str]]:
    """The header and the records no committed batch read (all of them before the job ran)."""
    width = len(job.headers)
    yield [csv_cell(h) for h in job.headers]
    if not job.headers:
        return
    path = import_dir() / job.stored_file
    if not path.exists():
        return
    for record in iter_records(
        path, file_format="csv", encoding="utf-8", delimiter=job.delimiter, start=1 + job.next_row
    ):
        if not record.blank:
            yield _cells(record.cells, width)
