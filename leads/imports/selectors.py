"""Reads of lead imports, scoped to the user: reps see their own imports, admins every import."""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from core.roles import is_marketing_admin

from ..models import Lead
from .models import LeadImport, LeadImportMappingTemplate, LeadImportRow
from .parsing import import_dir, iter_records


def lead_imports_visible_to(user) -> QuerySet[LeadImport]:
    if not user.is_authenticated:
        return LeadImport.objects.none()
    qs = LeadImport.objects.select_related("created_by", "owner")
    if is_marketing_admin(user):
        return qs
    return qs.filter(created_by=user)


def lead_import_is_managed_by(lead_import: LeadImport, user) -> bool:
    """Who starts and cancels an import: the user who uploaded it, and admins (those who see it)."""
    return lead_import.created_by_id == user.pk or is_marketing_admin(user)


def lead_import_failed_rows(*, lead_import: LeadImport) -> QuerySet[LeadImportRow]:
    """The rows refused (and, for the error file, those skipped), each with its reason."""
    return lead_import.rows.filter(outcome=LeadImportRow.Outcome.ERROR).order_by("row_number")


def lead_import_problem_rows(*, lead_import: LeadImport) -> QuerySet[LeadImportRow]:
    return lead_import.rows.filter(outcome__in=[LeadImportRow.Outcome.ERROR, LeadImportRow.Outcome.SKIPPED]).order_by(
        "row_number"
    )


def lead_import_created_leads(*, lead_import: LeadImport, limit: int) -> list[Lead]:
    """The first leads the import created that still exist, in the order of the file."""
    ids: list[int] = []
    for created in lead_import.batches.order_by("first_row").values_list("created_ids", flat=True):
        ids.extend(created)
        if len(ids) >= limit:
            break
    leads = Lead.objects.in_bulk(ids[:limit])
    return [leads[pk] for pk in ids[:limit] if pk in leads]


def lead_import_sample_rows(*, lead_import: LeadImport, count: int = 3) -> list[list[str]]:
    """The first data rows of the file, for the mapping step."""
    rows: list[list[str]] = []
    if not lead_import.stored_file:  # removed by the purge of old uploads
        return rows
    for record in iter_records(
        import_dir() / lead_import.stored_file,
        file_format=lead_import.file_format,
        encoding=lead_import.encoding,
        delimiter=lead_import.delimiter,
        start=1,
    ):
        if not record.blank:
            rows.append([cell[:200] for cell in record.cells])
        if len(rows) >= count:
            break
    return rows


@dataclass(frozen=True)
class ImportProgress:
    percent: int
    rows_per_second: float
    seconds_left: int | None


def lead_import_progress(lead_import: LeadImport, *, now=None) -> ImportProgress:
    """How far the import is, its pace since it started and the time left at that pace."""
    now = now or timezone.now()
    done = lead_import.processed_count
    end = lead_import.finished_at or lead_import.last_activity_at or now
    elapsed = (end - lead_import.started_at).total_seconds() if lead_import.started_at else 0
    rate = done / elapsed if elapsed > 0 else 0.0
    left = int(lead_import.pending_count / rate) if rate and lead_import.is_active else None
    return ImportProgress(percent=lead_import.percent_done, rows_per_second=round(rate, 1), seconds_left=left)


def mapping_templates_of(user) -> QuerySet[LeadImportMappingTemplate]:
    return LeadImportMappingTemplate.objects.filter(created_by=user).order_by("name", "id")
