"""Reads of lead imports, scoped to the user: reps see their own imports, admins every import."""

from django.db.models import QuerySet

from core.roles import is_marketing_admin

from .models import LeadImport, LeadImportRow


def lead_imports_visible_to(user) -> QuerySet[LeadImport]:
    if not user.is_authenticated:
        return LeadImport.objects.none()
    qs = LeadImport.objects.select_related("created_by", "owner").defer("content")
    if is_marketing_admin(user):
        return qs
    return qs.filter(created_by=user)


def lead_import_is_managed_by(lead_import: LeadImport, user) -> bool:
    """Who starts and cancels an import: the user who uploaded it, and admins (those who see it)."""
    return lead_import.created_by_id == user.pk or is_marketing_admin(user)


def lead_import_failed_rows(*, lead_import: LeadImport) -> QuerySet[LeadImportRow]:
    return lead_import.rows.filter(outcome=LeadImportRow.Outcome.ERROR).order_by("row_number")


def lead_import_created_rows(*, lead_import: LeadImport) -> QuerySet[LeadImportRow]:
    return lead_import.rows.filter(outcome=LeadImportRow.Outcome.CREATED).select_related("lead").order_by("row_number")


def lead_import_sample_rows(*, lead_import: LeadImport, count: int = 3) -> list[list[str]]:
    return list(lead_import.rows.order_by("row_number").values_list("raw_values", flat=True)[:count])
