"""Writes to opportunities."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.history import Change
from core.models import RecycleBinEntry

from ..fields import OPPORTUNITY
from ..models import Account, Contact, Opportunity, OpportunityContactRole, OpportunityLineItem
from .common import _KINDS, _UNSET, _actor, _create, _update
from .contact_roles import _contact_role_added, _not_of_account, _roles_outside_account
from .line_items import _line_total, _new_line_items, _product_added
from .recycle_bin import _delete, _restore


@transaction.atomic
def opportunity_create(
    *,
    data: dict,
    acting_user,
    account: Account,
    owner=None,
    custom_fields: dict | None = None,
    record_type=None,
    history_note: str = "",
    products=(),
    primary_contact: Contact | None = None,
) -> Opportunity:
    """Create an opportunity. The stage defaults to the picklist default (or the record type's first
    stage), the probability to the stage's probability.

    ``products`` — ``(product, quantity, sales price or None for the list price)`` — and a
    ``primary_contact`` are added in the same step, recorded in the creation's history entry; with
    products, the amount is the sum of their totals."""
    lines = _new_line_items(products)
    if primary_contact is not None and not isinstance(primary_contact, Contact):
        raise ValidationError({"contact": [_("Choose a contact.")]})
    if primary_contact is not None and account is not None and (message := _not_of_account(primary_contact, account)):
        raise ValidationError({"contact": [message]})
    if lines:
        data = {**data, "amount": sum((_line_total(item) for item in lines), Decimal("0.00"))}

    def related(opportunity: Opportunity) -> list[Change]:
        changes = []
        for item in lines:
            item.opportunity = opportunity
            item.created_by = _actor(acting_user)
        OpportunityLineItem.objects.bulk_create(lines)
        changes += [_product_added(item.product, item.quantity) for item in lines]
        if primary_contact is not None:
            OpportunityContactRole.objects.create(opportunity=opportunity, contact=primary_contact, is_primary=True)
            changes.append(_contact_role_added(primary_contact, ""))
        return changes

    return _create(
        _KINDS[OPPORTUNITY],
        data=data,
        acting_user=acting_user,
        owner=owner,
        custom_fields=custom_fields,
        record_type=record_type,
        history_note=history_note,
        account=account,
        related=related,
    )


@transaction.atomic
def opportunity_update(
    *,
    opportunity: Opportunity,
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
) -> Opportunity:
    """Change an opportunity. A stage change without a probability takes the new stage's probability.
    While the opportunity has products its amount is their sum and cannot be typed in. It moves to
    another account only when its contact roles are contacts of that account."""
    updated = _update(
        _KINDS[OPPORTUNITY],
        opportunity,
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
    if account is not _UNSET and (message := _roles_outside_account(updated)):
        raise ValidationError({"account": [message]})  # the transaction undoes the update
    return updated


@transaction.atomic
def opportunity_delete(*, opportunity: Opportunity, acting_user) -> RecycleBinEntry:
    """Move an opportunity, with its products and contact roles, to the Recycle Bin."""
    return _delete(_KINDS[OPPORTUNITY], opportunity, acting_user)


@transaction.atomic
def opportunity_restore(*, entry: RecycleBinEntry, acting_user) -> Opportunity:
    return _restore(_KINDS[OPPORTUNITY], entry, acting_user)
