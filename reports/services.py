"""Writes of the report builder: saved reports (checked by ``ReportDefinition.from_data``)."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from core.roles import is_system_admin

from .builder import ReportDefinition
from .models import ReportFolder, SavedReport


def saved_reports_visible_to(user) -> QuerySet[SavedReport]:
    """The user's own reports and those shared with one of their roles (system admins: all)."""
    if not user.is_authenticated:
        return SavedReport.objects.none()
    qs = SavedReport.objects.select_related("folder", "owner", "shared_role")
    if is_system_admin(user):
        return qs
    return qs.filter(Q(owner=user) | Q(sharing=SavedReport.Sharing.ROLE, shared_role__in=user.groups.all()))


def _sharing(data: dict) -> tuple[str, Group | None, ReportFolder | None]:
    errors: dict[str, list[str]] = {}
    sharing = str(data.get("sharing") or SavedReport.Sharing.PRIVATE)
    role = None
    if sharing not in SavedReport.Sharing.values:
        errors["sharing"] = [_("Choose private or shared with a role.")]
    elif sharing == SavedReport.Sharing.ROLE:
        role = Group.objects.filter(pk=_int(data.get("shared_role"))).first()
        if role is None:
            errors["shared_role"] = [_("Choose the role to share the report with.")]
    folder = None
    if str(data.get("new_folder") or "").strip():
        folder = report_folder_create(name=str(data["new_folder"]), acting_user=None)
    elif data.get("folder"):
        folder = ReportFolder.objects.filter(pk=_int(data.get("folder"))).first()
        if folder is None:
            errors["folder"] = [_("This folder does not exist.")]
    if errors:
        raise ValidationError(errors)
    return sharing, role, folder


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _name(data: dict) -> str:
    name = str(data.get("name") or "").strip()
    if not name or len(name) > 120:
        raise ValidationError({"name": [_("Enter a name of at most 120 characters.")]})
    return name


@transaction.atomic
def saved_report_create(*, data: dict, acting_user) -> SavedReport:
    definition = ReportDefinition.from_data(data)
    name = _name(data)
    sharing, role, folder = _sharing(data)
    now = timezone.now()
    return SavedReport.objects.create(
        name=name,
        description=str(data.get("description") or "")[:500],
        **definition.as_data(),
        folder=folder,
        sharing=sharing,
        shared_role=role,
        owner=acting_user,
        created_at=now,
        last_modified_at=now,
        last_modified_by=acting_user,
    )


@transaction.atomic
def saved_report_update(*, report: SavedReport, data: dict, acting_user) -> SavedReport:
    if report.owner_id != acting_user.pk and not is_system_admin(acting_user):
        raise ValidationError({"owner": [_("Only the report's owner can change it.")]})
    report = SavedReport.objects.select_for_update().get(pk=report.pk)
    definition = ReportDefinition.from_data(data)
    report.name = _name(data)
    report.description = str(data.get("description") or "")[:500]
    report.sharing, report.shared_role, report.folder = _sharing(data)
    for key, value in definition.as_data().items():
        setattr(report, key, value)
    report.last_modified_at = timezone.now()
    report.last_modified_by = acting_user
    report.save()
    return report


@transaction.atomic
def report_folder_create(*, name: str, acting_user) -> ReportFolder:
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise ValidationError({"name": [_("Enter a folder name of at most 120 characters.")]})
    existing = ReportFolder.objects.filter(name__iexact=name).first()
    if existing is not None:
        return existing
    return ReportFolder.objects.create(name=name, created_by=acting_user)
