"""Writes to contacts."""

from django.db import transaction

from core.models import RecycleBinEntry

from ..fields import CONTACT
from ..models import Account, Contact
from .common import _KINDS, _UNSET, _create, _update
from .recycle_bin import _delete, _restore


@transaction.atomic
def contact_create(
    *,
    data: dict,
    acting_user,
    account: Account | None = None,
    owner=None,
    custom_fields: dict | None = None,
    record_type=None,
    history_note: str = "",
) -> Contact:
    return _create(
        _KINDS[CONTACT],
        data=data,
        acting_user=acting_user,
        owner=owner,
        custom_fields=custom_fields,
        record_type=record_type,
        history_note=history_note,
        account=account,
    )


@transaction.atomic
def contact_update(
    *,
    contact: Contact,
    data: dict,
    acting_user,
    custom_fields: dict | None = None,
    expected_version: int | None = None,
    fill_blanks_only: bool = False,
    owner=None,
    record_type=_UNSET,
    account=_UNSET,
    check_access: bool = True,
    history_note: str = "",
) -> Contact:
    """Change a contact; see ``account_update``. With ``fill_blanks_only`` the account is set only
    when the contact has none."""
    return _update(
        _KINDS[CONTACT],
        contact,
        data=data,
        acting_user=acting_user,
        custom_fields=custom_fields,
        expected_version=expected_version,
        fill_blanks_only=fill_blanks_only,
        owner=owner,
        record_type=record_type,
        account=account,
        check_access=check_access,
        history_note=history_note,
    )


@transaction.atomic
def contact_delete(*, contact: Contact, acting_user) -> RecycleBinEntry:
    """Move a contact, with its opportunity contact roles, to the Recycle Bin."""
    return _delete(_KINDS[CONTACT], contact, acting_user)


@transaction.atomic
def contact_restore(*, entry: RecycleBinEntry, acting_user) -> Contact:
    return _restore(_KINDS[CONTACT], entry, acting_user)
