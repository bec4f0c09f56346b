"""Who may use the bulk API: ingest jobs need the Import permission, query jobs the Export
permission; a job is managed by its creator and by admins."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.roles import is_marketing_admin, require_export
from users.permissions import IMPORT_RECORDS

IMPORT_ONLY = gettext_lazy("Loading data through the bulk API needs the Import permission; ask a system admin for it.")


def may_import(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.has_perm(IMPORT_RECORDS)


def require_import(user) -> None:
    if not may_import(user):
        raise PermissionError(str(IMPORT_ONLY))


def may_manage(job, user) -> bool:
    return job.created_by_id == user.pk or is_marketing_admin(user)


def require_manager(job, user) -> None:
    if not may_manage(job, user):
        raise PermissionError(_("Only the job's creator or an admin may change it."))


__all__ = ["IMPORT_RECORDS", "may_import", "may_manage", "require_export", "require_import", "require_manager"]
