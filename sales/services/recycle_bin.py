"""Deleting and restoring accounts, contacts and opportunities through the Recycle Bin."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.models import RecycleBinEntry
from core.recycle_bin import recycle_bin_move, recycle_bin_restore

from ..fields import ACCOUNT, CONTACT, OPPORTUNITY
from ..selectors import record_is_deletable_by
from .common import _Kind


def _dependents(kind: _Kind, record) -> list:
    """The rows that go with the record when it is deleted, kept in its Recycle Bin entry."""
    if kind.object_name == OPPORTUNITY:
        return [*record.line_items.order_by("pk"), *record.contact_roles.order_by("pk")]
    if kind.object_name == CONTACT:
        return list(record.opportunity_roles.order_by("pk"))
    return []


def _bin_detail(kind: _Kind, record) -> str:
    if kind.object_name == ACCOUNT:
        return ", ".join(part for part in (record.billing_city, record.billing_country) if part)
    return record.account.name if record.account_id else ""


def _delete(kind: _Kind, record, acting_user) -> RecycleBinEntry:
    locked = kind.model.objects.select_for_update().select_related("owner").filter(pk=record.pk).first()
    if locked is None:
        raise ValidationError({"__all__": [_("This %(label)s was deleted already.") % {"label": kind.label}]})
    if not record_is_deletable_by(locked, acting_user):
        raise PermissionError(f"You may not delete this {kind.label}.")
    if kind.object_name == ACCOUNT:
        count = locked.opportunities.count()
        if count:
            noun = "opportunity" if count == 1 else "opportunities"
            raise ValidationError(
                {
                    "__all__": [
                        _("This account has %(count)s %(noun)s: delete them or move them to another account first.")
                        % {"count": count, "noun": noun}
                    ]
                }
            )
    return recycle_bin_move(
        object_name=kind.object_name,
        record=locked,
        dependents=_dependents(kind, locked),
        name=str(locked),
        detail=_bin_detail(kind, locked),
        owner_user=locked.owner,
        acting_user=acting_user,
    )


def _restore(kind: _Kind, entry: RecycleBinEntry, acting_user):
    """Put the record back under its own id, with its products and contact roles; a record whose
    owner is gone or inactive goes to the restoring user."""
    if not acting_user.has_perm(f"sales.delete_{kind.model._meta.model_name}"):
        raise PermissionError(f"You may not restore {kind.label} records.")

    def owner_gone(record) -> bool:
        if get_user_model().objects.filter(pk=record.owner_id, is_active=True).exists():
            return False
        record.owner = acting_user
        return True

    return recycle_bin_restore(
        entry=entry, object_name=kind.object_name, label=kind.label, acting_user=acting_user, owner_gone=owner_gone
    )
