"""Writes to accounts."""

from django.db import transaction

from core.models import RecycleBinEntry

from ..fields import ACCOUNT
from ..models import Account
from .common import _KINDS, _UNSET, _create, _update
from .recycle_bin import _delete, _restore


@transaction.atomic
def account_create(
    *, data: dict, acting_user, owner=None, custom_fields: dict | None = None, record_type=None, history_note: str = ""
) -> Account:
    """Create an account; the owner defaults to the creator, the record type to the creator's default."""
    return _create(
        _KINDS[ACCOUNT],
        data=data,
        acting_user=acting_user,
        owner=owner,
        custom_fields=custom_fields,
        record_type=record_type,
        history_note=history_note,
    )


@transaction.atomic
def account_update(
    *,
    account: Account,
    data: dict,
    acting_user,
    custom_fields: dict | None = None,
    expected_version: int | None = None,
    fill_blanks_only: bool = False,
    owner=None,
    record_type=_UNSET,
    check_access: bool = True,
    history_note: str = "",
) -> Account:
    """Change an account. ``fill_blanks_only`` sets only fields that are empty now (never overwrites
    a value, leaves owner and record type alone). ``expected_version``: refuse a stale edit."""
    return _update(
        _KINDS[ACCOUNT],
        account,
        data=data,
        acting_user=acting_user,
        custom_fields=custom_fields,
        expected_version=expected_version,
        fill_blanks_only=fill_blanks_only,
        owner=owner,
        record_type=record_type,
        check_access=check_access,
        history_note=history_note,
    )


@transaction.atomic
def account_delete(*, account: Account, acting_user) -> RecycleBinEntry:
    """Move an account to the Recycle Bin (refused while opportunities belong to it); its contacts
    stay, without the account, and get it back when it is restored."""
    return _delete(_KINDS[ACCOUNT], account, acting_user)


@transaction.atomic
def account_restore(*, entry: RecycleBinEntry, acting_user) -> Account:
    return _restore(_KINDS[ACCOUNT], entry, acting_user)
