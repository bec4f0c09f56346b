"""Writes to accounts, contacts, opportunities, their products and contact roles, the product
catalogue and record types. The browser, the API, conversion and the demo data all call these.

Accounts, contacts and opportunities share one engine (``_create`` / ``_update``): model rules,
picklists (restricted by the record type), custom fields, history and optimistic concurrency.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from core.fields import clean_custom_fields, is_blank
from core.history import Change, diff, history_for, history_record
from core.memo import memoized
from core.models import PicklistValue, RecycleBinEntry
from core.recycle_bin import recycle_bin_move, recycle_bin_restore
from core.roles import is_marketing_admin
from core.selectors import field_labels

from .fields import ACCOUNT, CONTACT, CONTACT_ROLES, OPPORTUNITY, PICKLIST_FIELDS, RECORD_TYPE_OBJECTS, WRITABLE_FIELDS
from .models import (
    Account,
    Contact,
    Opportunity,
    OpportunityContactRole,
    OpportunityLineItem,
    Product,
    RecordType,
    RecordTypeDefault,
)
from .selectors import (
    domain_of,
    offered_picklist_values,
    record_is_deletable_by,
    record_is_editable_by,
    record_type_default_for,
    record_type_picklist_fields,
)

_UNSET = object()


class RecordEditConflict(Exception):
    """The record was saved by someone else after the edit began; carries what changed since."""

    def __init__(self, record, changes: list):
        self.record = record
        self.changes = changes
        super().__init__(f"This {record._meta.verbose_name} was changed by someone else after you started editing it.")


@dataclass(frozen=True)
class _Kind:
    object_name: str
    model: type
    label: str


_KINDS = {
    ACCOUNT: _Kind(ACCOUNT, Account, "account"),
    CONTACT: _Kind(CONTACT, Contact, "contact"),
    OPPORTUNITY: _Kind(OPPORTUNITY, Opportunity, "opportunity"),
}

# Columns the model rules skip: the services set them.
_SYSTEM_COLUMNS = [
    "owner",
    "record_type",
    "custom_fields",
    "created_at",
    "created_by",
    "last_modified_at",
    "last_modified_by",
    "version",
    "account",
]


def _actor(user):
    return user if getattr(user, "pk", None) else None


def _user_label(user) -> str:
    return (user.get_full_name() or user.username) if user is not None else ""


def _snapshot(kind: _Kind, record) -> dict:
    values = {name: getattr(record, name) for name in WRITABLE_FIELDS[kind.object_name]}
    values["owner"] = _user_label(record.owner) if record.owner_id else ""
    values["record_type"] = record.record_type.name if record.record_type_id else ""
    if kind.object_name in (CONTACT, OPPORTUNITY):
        values["account"] = record.account.name if record.account_id else ""
    for key, value in (record.custom_fields or {}).items():
        values[key] = value
    return values


def _coerce(kind: _Kind, data: dict) -> dict:
    """Normalise raw input: strip text, blank numbers and dates become None. Unknown keys are errors."""
    if not isinstance(data, dict):
        raise ValidationError({"__all__": ["Expected an object of field names to values."]})
    writable = WRITABLE_FIELDS[kind.object_name]
    unknown = [k for k in data if k not in writable]
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "This field cannot be set."))
    clean = {}
    for key, value in data.items():
        field = kind.model._meta.get_field(key)
        internal = field.get_internal_type()
        if isinstance(value, str):
            value = value.strip()
        if internal in {"DecimalField", "PositiveIntegerField", "PositiveSmallIntegerField", "DateField"} and (
            is_blank(value)
        ):
            value = None
        if internal == "BooleanField":
            if isinstance(value, str):
                value = value.lower() in {"1", "true", "yes", "on"}
            value = bool(value)
        elif value is None and internal in {"CharField", "TextField", "EmailField"}:
            value = ""
        elif internal in {"CharField", "TextField", "EmailField"} and not isinstance(value, str):
            value = str(value)
        clean[key] = value
    return clean


def _is_empty(value) -> bool:
    return value is None or value == "" or value is False


def _check_record_type(kind: _Kind, record_type) -> dict:
    if record_type is None:
        return {}
    if not isinstance(record_type, RecordType) or record_type.object_name != kind.object_name:
        return {"record_type": [f"Choose a record type of the {kind.label}."]}
    if not record_type.is_active:
        return {"record_type": ["This record type is inactive."]}
    return {}


def _offered(kind: _Kind, record) -> dict[str, list[str]]:
    return offered_picklist_values(
        object_name=kind.object_name, record_type=record.record_type if record.record_type_id else None
    )


def _validate_picklists(
    kind: _Kind, record, custom: dict, before: dict | None, record_type_changed: bool, offered: dict | None = None
) -> dict:
    """Each picklist value, standard or custom, must be one the record's record type offers. A value
    the record already holds may be kept (e.g. after it was deactivated) unless the record type
    changes. (Custom values are checked against the active values by ``clean_custom_fields``.)"""
    errors = {}
    record_type = record.record_type if record.record_type_id else None
    offered = offered if offered is not None else _offered(kind, record)
    for field in record_type_picklist_fields(kind.object_name):
        is_custom = field not in PICKLIST_FIELDS[kind.object_name]
        if is_custom and record_type is None:
            continue
        value = custom.get(field) if is_custom else getattr(record, field)
        if value in (None, ""):
            continue
        kept = before is not None and before.get(field) == value and not record_type_changed
        if kept:
            continue
        if value not in offered.get(field, ()):
            where = f" for the record type {record_type.name}" if record_type else ""
            errors[field] = [f"“{value}” is not a valid value for this picklist{where}."]
    return errors


def _apply_picklist_defaults(kind: _Kind, record, offered: dict | None = None) -> None:
    """An empty picklist gets the object's default value, or, when the record type does not offer
    it, the record type's first value for a required picklist (the stage)."""
    defaults = None
    for field in PICKLIST_FIELDS[kind.object_name]:
        if getattr(record, field):
            continue
        if defaults is None:
            offered = offered if offered is not None else _offered(kind, record)
            defaults = memoized(
                ("picklist_defaults", kind.object_name),
                lambda: dict(
                    PicklistValue.objects.filter(object_name=kind.object_name, is_default=True).values_list(
                        "field_name", "api_name"
                    )
                ),
            )
        default = defaults.get(field)
        allowed = offered.get(field, [])
        if default and default in allowed:
            setattr(record, field, default)
        elif field == "stage" and allowed:
            setattr(record, field, allowed[0])


def _stage_probability(stage: str) -> int | None:
    return memoized(
        ("stage_probability", stage),
        lambda: (
            PicklistValue.objects.filter(object_name=OPPORTUNITY, field_name="stage", api_name=stage)
            .values_list("probability", flat=True)
            .first()
        ),
    )


def _validate(
    kind: _Kind,
    record,
    *,
    before: dict | None,
    custom_raw: dict | None,
    record_type_changed=False,
    offered: dict | None = None,
) -> dict:
    """Run the model's field rules, the picklist rules and the custom-field registry together so that
    every error is reported at once. Answers the cleaned custom field values."""
    errors: dict[str, list[str]] = {}
    try:
        record.full_clean(exclude=_SYSTEM_COLUMNS, validate_constraints=False)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if kind.object_name == ACCOUNT:
        if record.website and not domain_of(record.website):
            errors.setdefault("website", []).append("Enter a valid website, such as www.example.com.")
        if isinstance(record.annual_revenue, Decimal) and record.annual_revenue < 0:
            errors.setdefault("annual_revenue", []).append("Annual revenue cannot be negative.")
    if kind.object_name == OPPORTUNITY:
        if "close_date" in errors and record.close_date is None:
            errors["close_date"] = ["Enter a close date."]
        if isinstance(record.amount, Decimal) and record.amount < 0:
            errors.setdefault("amount", []).append("The amount cannot be negative.")
        if isinstance(record.probability, int) and record.probability > 100:
            errors.setdefault("probability", []).append("Enter a probability between 0 and 100.")
        if not record.account_id:
            errors.setdefault("account", []).append("Choose the account of the opportunity.")
    try:
        custom = clean_custom_fields(
            kind.object_name, custom_raw, existing=None if before is None else dict(record.custom_fields or {})
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
        custom = None
    picklist_errors = _validate_picklists(kind, record, custom or {}, before, record_type_changed, offered)
    for field, messages in picklist_errors.items():
        errors.setdefault(field, messages)
    if errors:
        raise ValidationError(errors)
    if kind.object_name == ACCOUNT:
        record.website_domain = domain_of(record.website)
    return custom


def _check_owner(owner) -> dict:
    if owner is None:
        return {"owner": ["Choose an owner."]}
    if not getattr(owner, "is_active", False):
        return {"owner": ["An inactive user cannot own records."]}
    return {}


def _create(
    kind: _Kind, *, data, acting_user, owner, custom_fields, record_type, history_note="", related=None, **links
):
    now = timezone.now()
    values = _coerce(kind, data)
    owner = owner or _actor(acting_user)
    if record_type is None:
        record_type = record_type_default_for(user=acting_user, object_name=kind.object_name)
    errors = {**_check_owner(owner), **_check_record_type(kind, record_type)}
    if errors:
        raise ValidationError(errors)
    record = kind.model(**values, **links)
    record.owner = owner
    record.record_type = record_type
    offered = _offered(kind, record)  # the record type is settled: read its values once
    _apply_picklist_defaults(kind, record, offered)
    if kind.object_name == OPPORTUNITY and record.probability is None and record.stage:
        record.probability = _stage_probability(record.stage)
    record.custom_fields = _validate(kind, record, before=None, custom_raw=custom_fields, offered=offered)
    record.created_at = record.last_modified_at = now
    record.created_by = record.last_modified_by = _actor(acting_user)
    record.save()
    changes = [Change("created", "Created", "", f"{kind.label.capitalize()} created")]
    if related is not None:
        changes += related(record)
    history_record(
        object_name=kind.object_name,
        record_id=record.pk,
        changes=changes,
        acting_user=_actor(acting_user),
        record_version=record.version,
        note=history_note,
        at=now,
    )
    return record


def _update(
    kind: _Kind,
    record,
    *,
    data,
    acting_user,
    custom_fields,
    expected_version,
    fill_blanks_only,
    owner=None,
    record_type=_UNSET,
    account=_UNSET,
    check_access=True,
    history_note="",
):
    locked = kind.model.objects.select_for_update(of=("self",)).select_related("owner", "record_type").get(pk=record.pk)
    if check_access and not record_is_editable_by(locked, acting_user):
        raise PermissionError(f"You may not edit this {kind.label}.")
    if expected_version is not None and locked.version != expected_version:
        raise RecordEditConflict(
            locked,
            list(history_for(object_name=kind.object_name, record_id=locked.pk, since_version=expected_version)),
        )
    before = _snapshot(kind, locked)
    values = _coerce(kind, data or {})
    if fill_blanks_only:
        # Fill what is empty, never overwrite: a checkbox counts as empty when it is off.
        values = {k: v for k, v in values.items() if _is_empty(getattr(locked, k)) and not _is_empty(v)}
        existing = locked.custom_fields or {}
        if custom_fields:
            custom_fields = {k: v for k, v in custom_fields.items() if _is_empty(existing.get(k)) and not is_blank(v)}
        if account is not _UNSET and getattr(locked, "account_id", None):
            account = _UNSET
        owner, record_type = None, _UNSET
    errors: dict = {}
    if owner is not None and owner.pk != locked.owner_id:
        errors.update(_check_owner(owner))
        locked.owner = owner
    record_type_changed = False
    if record_type is not _UNSET and (record_type.pk if record_type else None) != locked.record_type_id:
        errors.update(_check_record_type(kind, record_type))
        locked.record_type = record_type
        record_type_changed = True
    if account is not _UNSET:
        locked.account = account
    if errors:
        raise ValidationError(errors)
    if kind.object_name == OPPORTUNITY and "amount" in values and locked.line_items.exists():
        current = locked.amount
        if values["amount"] is not None and _decimal_or_none(values["amount"]) != current:
            raise ValidationError(
                {"amount": ["The amount is the sum of the opportunity's products: change the products instead."]}
            )
        values.pop("amount")
    old_stage = getattr(locked, "stage", None)
    for key, value in values.items():
        setattr(locked, key, value)
    if kind.object_name == OPPORTUNITY:
        if not locked.stage:
            _apply_picklist_defaults(kind, locked)
        stage_changed = locked.stage != old_stage
        if values.get("probability") is None and (stage_changed or "probability" in values):
            locked.probability = _stage_probability(locked.stage)
    locked.custom_fields = _validate(
        kind, locked, before=before, custom_raw=custom_fields, record_type_changed=record_type_changed
    )
    changes = diff(before, _snapshot(kind, locked), field_labels(object_name=kind.object_name))
    if not changes:
        return locked
    now = timezone.now()
    locked.version += 1
    locked.last_modified_at = now
    locked.last_modified_by = _actor(acting_user)
    locked.save()
    history_record(
        object_name=kind.object_name,
        record_id=locked.pk,
        changes=changes,
        acting_user=_actor(acting_user),
        record_version=locked.version,
        note=history_note,
        at=now,
    )
    return locked


def _decimal_or_none(value):
    try:
        return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return value


# Accounts --------------------------------------------------------------------------------------


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


# Contacts --------------------------------------------------------------------------------------


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


# Opportunities ---------------------------------------------------------------------------------


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
        raise ValidationError({"contact": ["Choose a contact."]})
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


def _new_line_items(products) -> list[OpportunityLineItem]:
    """Validated, unsaved line items for a new opportunity; errors keyed ``products``."""
    items, errors = [], []
    for position, (product, quantity, unit_price) in enumerate(products, start=1):
        qty, price, line_errors = _checked_line(product, quantity, unit_price)
        if line_errors:
            name = product.name if isinstance(product, Product) else f"Product {position}"
            errors += [f"{name}: {' '.join(msgs)}" for msgs in line_errors.values()]
            continue
        items.append(
            OpportunityLineItem(
                product=product, quantity=qty, unit_price=product.list_price if price is None else price
            )
        )
    if errors:
        raise ValidationError({"products": errors})
    return items


def _line_total(item: OpportunityLineItem) -> Decimal:
    """What the database computes as the line's total: quantity × price, rounded half away from zero
    to cents."""
    return (item.quantity * item.unit_price).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


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
    While the opportunity has products its amount is their sum and cannot be typed in."""
    return _update(
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


def _lock_editable_opportunity(opportunity: Opportunity, acting_user) -> Opportunity:
    locked = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    if not record_is_editable_by(locked, acting_user):
        raise PermissionError("You may not change this opportunity.")
    return locked


def _recompute_amount(opportunity: Opportunity, acting_user, note: str) -> None:
    """The amount of an opportunity with products is the sum of their totals (computed here, in the
    transaction that changed the products, under the opportunity's row lock)."""
    total = opportunity.line_items.aggregate(s=Sum("total_price"))["s"]
    if total is None:
        # The last product went: the amount keeps its value and can be typed in again.
        return
    total = Decimal(total).quantize(Decimal("0.01"))
    if opportunity.amount == total:
        return
    old = opportunity.amount
    now = timezone.now()
    opportunity.amount = total
    opportunity.version += 1
    opportunity.last_modified_at = now
    opportunity.last_modified_by = _actor(acting_user)
    opportunity.save(update_fields=["amount", "version", "last_modified_at", "last_modified_by"])
    label = field_labels(object_name=OPPORTUNITY).get("amount", "Amount")
    history_record(
        object_name=OPPORTUNITY,
        record_id=opportunity.pk,
        changes=[Change("amount", label, "" if old is None else str(old), str(total))],
        acting_user=_actor(acting_user),
        record_version=opportunity.version,
        note=note,
        at=now,
    )


def _qty(quantity: Decimal) -> str:
    """``2`` for 2.00, ``1.5`` for 1.50."""
    return f"{quantity.normalize():f}"


def _line_numbers(quantity, unit_price) -> tuple[Decimal | None, Decimal | None, dict]:
    errors: dict[str, list[str]] = {}
    parsed = {}
    for name, raw, places, limit in (
        ("quantity", quantity, 2, Decimal("1e10")),
        ("unit_price", unit_price, 2, Decimal("1e16")),
    ):
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            parsed[name] = None
            continue
        try:
            if isinstance(raw, bool):
                raise InvalidOperation
            number = Decimal(str(raw).strip())
            if not number.is_finite():
                raise InvalidOperation
            parsed[name] = number.quantize(Decimal(1).scaleb(-places))
        except (InvalidOperation, ValueError):
            errors[name] = ["Enter a number."]
            continue
        if abs(parsed[name]) >= limit:
            errors[name] = ["Enter a smaller number."]
    if "quantity" not in errors:
        if parsed.get("quantity") is None:
            errors["quantity"] = ["Enter a quantity."]
        elif parsed["quantity"] <= 0:
            errors["quantity"] = ["The quantity must be greater than zero."]
    if "unit_price" not in errors and parsed.get("unit_price") is not None and parsed["unit_price"] < 0:
        errors["unit_price"] = ["The sales price cannot be negative."]
    return parsed.get("quantity"), parsed.get("unit_price"), errors


def _checked_line(product, quantity, unit_price) -> tuple[Decimal | None, Decimal | None, dict]:
    """A product line to add: the parsed numbers and the errors keyed product, quantity, sales price."""
    qty, price, errors = _line_numbers(quantity, unit_price)
    if product is None or not isinstance(product, Product):
        errors["product"] = ["Choose a product."]
    elif not product.is_active:
        errors["product"] = ["This product is inactive and cannot be added."]
    return qty, price, errors


def _product_added(product: Product, quantity: Decimal) -> Change:
    return Change("products", "Products", "", f"{product.name} × {_qty(quantity)} added")


def _contact_role_added(contact: Contact, role: str) -> Change:
    return Change("contact_roles", "Contact Roles", "", f"{contact.full_name} ({role or 'no role'}) added")


@transaction.atomic
def opportunity_line_item_add(
    *, opportunity: Opportunity, product: Product, quantity, unit_price=None, acting_user
) -> OpportunityLineItem:
    """Add a product to an opportunity; the sales price defaults to the product's list price and the
    opportunity's amount becomes the sum of its products."""
    locked = _lock_editable_opportunity(opportunity, acting_user)
    qty, price, errors = _checked_line(product, quantity, unit_price)
    if errors:
        raise ValidationError(errors)
    item = OpportunityLineItem.objects.create(
        opportunity=locked,
        product=product,
        quantity=qty,
        unit_price=product.list_price if price is None else price,
        created_by=_actor(acting_user),
    )
    item.refresh_from_db(fields=["total_price"])
    history_record(
        object_name=OPPORTUNITY,
        record_id=locked.pk,
        changes=[_product_added(product, qty)],
        acting_user=_actor(acting_user),
        record_version=locked.version,
        at=timezone.now(),
    )
    _recompute_amount(locked, acting_user, note=f"Product {product.name} added")
    return item


@transaction.atomic
def opportunity_line_item_update(
    *, line_item: OpportunityLineItem, quantity, unit_price, acting_user
) -> OpportunityLineItem:
    locked = _lock_editable_opportunity(line_item.opportunity, acting_user)
    item = OpportunityLineItem.objects.select_for_update().select_related("product").get(pk=line_item.pk)
    qty, price, errors = _line_numbers(quantity, unit_price)
    if price is None and "unit_price" not in errors:
        errors["unit_price"] = ["Enter a sales price."]
    if errors:
        raise ValidationError(errors)
    if (item.quantity, item.unit_price) != (qty, price):
        old = f"{_qty(item.quantity)} × {item.unit_price}"
        item.quantity, item.unit_price = qty, price
        item.save(update_fields=["quantity", "unit_price"])
        item.refresh_from_db(fields=["total_price"])
        history_record(
            object_name=OPPORTUNITY,
            record_id=locked.pk,
            changes=[
                Change(
                    "products", "Products", f"{item.product.name}: {old}", f"{item.product.name}: {_qty(qty)} × {price}"
                )
            ],
            acting_user=_actor(acting_user),
            record_version=locked.version,
            at=timezone.now(),
        )
        _recompute_amount(locked, acting_user, note=f"Product {item.product.name} changed")
    return item


@transaction.atomic
def opportunity_line_item_remove(*, line_item: OpportunityLineItem, acting_user) -> None:
    locked = _lock_editable_opportunity(line_item.opportunity, acting_user)
    item = OpportunityLineItem.objects.select_related("product").get(pk=line_item.pk)
    name = item.product.name
    item.delete()
    history_record(
        object_name=OPPORTUNITY,
        record_id=locked.pk,
        changes=[Change("products", "Products", name, f"{name} removed")],
        acting_user=_actor(acting_user),
        record_version=locked.version,
        at=timezone.now(),
    )
    _recompute_amount(locked, acting_user, note=f"Product {name} removed")


# Contact roles ---------------------------------------------------------------------------------


@transaction.atomic
def opportunity_contact_role_add(
    *, opportunity: Opportunity, contact: Contact, role: str = "", is_primary: bool = False, acting_user
) -> OpportunityContactRole:
    """Add a contact to an opportunity in a role; a new primary contact replaces the previous one."""
    locked = _lock_editable_opportunity(opportunity, acting_user)
    role = (role or "").strip()
    errors = {}
    if contact is None or not isinstance(contact, Contact):
        errors["contact"] = ["Choose a contact."]
    elif OpportunityContactRole.objects.filter(opportunity=locked, contact=contact).exists():
        errors["contact"] = [f"{contact.full_name} already has a role on this opportunity."]
    if role and role not in CONTACT_ROLES:
        errors["role"] = [f"“{role}” is not a contact role."]
    if errors:
        raise ValidationError(errors)
    if is_primary:
        OpportunityContactRole.objects.filter(opportunity=locked, is_primary=True).update(is_primary=False)
    contact_role = OpportunityContactRole.objects.create(
        opportunity=locked, contact=contact, role=role, is_primary=bool(is_primary)
    )
    history_record(
        object_name=OPPORTUNITY,
        record_id=locked.pk,
        changes=[_contact_role_added(contact, role)],
        acting_user=_actor(acting_user),
        record_version=locked.version,
        at=timezone.now(),
    )
    return contact_role


@transaction.atomic
def opportunity_contact_role_remove(*, contact_role: OpportunityContactRole, acting_user) -> None:
    locked = _lock_editable_opportunity(contact_role.opportunity, acting_user)
    role = OpportunityContactRole.objects.select_related("contact").get(pk=contact_role.pk)
    name = role.contact.full_name
    role.delete()
    history_record(
        object_name=OPPORTUNITY,
        record_id=locked.pk,
        changes=[Change("contact_roles", "Contact Roles", name, f"{name} removed")],
        acting_user=_actor(acting_user),
        record_version=locked.version,
        at=timezone.now(),
    )


# Delete and restore (Recycle Bin) ----------------------------------------------------------------


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
        raise ValidationError({"__all__": [f"This {kind.label} was deleted already."]})
    if not record_is_deletable_by(locked, acting_user):
        raise PermissionError(f"You may not delete this {kind.label}.")
    if kind.object_name == ACCOUNT:
        count = locked.opportunities.count()
        if count:
            noun = "opportunity" if count == 1 else "opportunities"
            raise ValidationError(
                {"__all__": [f"This account has {count} {noun}: delete them or move them to another account first."]}
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


@transaction.atomic
def account_delete(*, account: Account, acting_user) -> RecycleBinEntry:
    """Move an account to the Recycle Bin (refused while opportunities belong to it); its contacts
    stay, without the account, and get it back when it is restored."""
    return _delete(_KINDS[ACCOUNT], account, acting_user)


@transaction.atomic
def contact_delete(*, contact: Contact, acting_user) -> RecycleBinEntry:
    """Move a contact, with its opportunity contact roles, to the Recycle Bin."""
    return _delete(_KINDS[CONTACT], contact, acting_user)


@transaction.atomic
def opportunity_delete(*, opportunity: Opportunity, acting_user) -> RecycleBinEntry:
    """Move an opportunity, with its products and contact roles, to the Recycle Bin."""
    return _delete(_KINDS[OPPORTUNITY], opportunity, acting_user)


@transaction.atomic
def account_restore(*, entry: RecycleBinEntry, acting_user) -> Account:
    return _restore(_KINDS[ACCOUNT], entry, acting_user)


@transaction.atomic
def contact_restore(*, entry: RecycleBinEntry, acting_user) -> Contact:
    return _restore(_KINDS[CONTACT], entry, acting_user)


@transaction.atomic
def opportunity_restore(*, entry: RecycleBinEntry, acting_user) -> Opportunity:
    return _restore(_KINDS[OPPORTUNITY], entry, acting_user)


# Products --------------------------------------------------------------------------------------

_PRODUCT_FIELDS = ("name", "product_code", "description", "list_price", "is_active")


def _require_admin(user) -> None:
    if not is_marketing_admin(user):
        raise PermissionError("Only marketing and system admins may change the setup.")


def _product_apply(product: Product, data: dict) -> None:
    unknown = [k for k in data if k not in _PRODUCT_FIELDS]
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "This field cannot be set."))
    for key, value in data.items():
        if isinstance(value, str):
            value = value.strip()
        if key == "is_active":
            value = value.lower() in {"1", "true", "yes", "on"} if isinstance(value, str) else bool(value)
        elif key == "list_price" and is_blank(value):
            value = None
        elif key != "list_price" and value is None:
            value = ""
        setattr(product, key, value)
    errors = {}
    try:
        product.full_clean(exclude=["created_by"], validate_constraints=False)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if isinstance(product.list_price, Decimal) and product.list_price < 0:
        errors.setdefault("list_price", []).append("The list price cannot be negative.")
    if (
        product.product_code
        and Product.objects.filter(product_code__iexact=product.product_code).exclude(pk=product.pk).exists()
    ):
        errors.setdefault("product_code", []).append(f"Another product has the code {product.product_code}.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def product_create(*, data: dict, acting_user) -> Product:
    _require_admin(acting_user)
    product = Product(created_by=_actor(acting_user))
    _product_apply(product, data)
    try:
        with transaction.atomic():
            product.save()
    except IntegrityError:
        raise ValidationError({"product_code": ["Another product has this code."]}) from None
    return product


@transaction.atomic
def product_update(*, product: Product, data: dict, acting_user) -> Product:
    _require_admin(acting_user)
    locked = Product.objects.select_for_update().get(pk=product.pk)
    _product_apply(locked, data)
    try:
        with transaction.atomic():
            locked.save()
    except IntegrityError:
        raise ValidationError({"product_code": ["Another product has this code."]}) from None
    return locked


# Record types ----------------------------------------------------------------------------------


def _record_type_values(object_name: str, picklist_values) -> list[PicklistValue]:
    values = list(picklist_values or [])
    ids = [v.pk if isinstance(v, PicklistValue) else v for v in values]
    try:
        ids = [int(i) for i in ids]
    except (TypeError, ValueError):
        raise ValidationError({"picklist_values": ["Choose picklist values of this object."]}) from None
    found = list(PicklistValue.objects.filter(pk__in=ids))
    if len(found) != len(set(ids)) or any(
        v.object_name != object_name or v.field_name not in record_type_picklist_fields(object_name) for v in found
    ):
        raise ValidationError({"picklist_values": ["Choose picklist values of this object."]})
    return found


def _record_type_check(record_type: RecordType) -> None:
    errors = {}
    record_type.name = (record_type.name or "").strip()
    record_type.description = (record_type.description or "").strip()
    if record_type.object_name not in RECORD_TYPE_OBJECTS:
        errors["object_name"] = ["Choose Account, Contact or Opportunity."]
    if not record_type.name:
        errors["name"] = ["Enter a name."]
    elif len(record_type.name) > 80:
        errors["name"] = ["Use at most 80 characters."]
    elif (
        RecordType.objects.filter(object_name=record_type.object_name, name__iexact=record_type.name)
        .exclude(pk=record_type.pk)
        .exists()
    ):
        errors["name"] = [f"A record type named {record_type.name} already exists for this object."]
    if len(record_type.description) > 255:
        errors["description"] = ["Use at most 255 characters."]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def record_type_create(
    *, object_name: str, name: str, acting_user, description: str = "", is_active: bool = True, picklist_values=None
) -> RecordType:
    """Create a record type offering, for each picklist field, the values chosen (none chosen for a
    field = all its active values)."""
    _require_admin(acting_user)
    record_type = RecordType(object_name=object_name, name=name, description=description, is_active=is_active)
    _record_type_check(record_type)
    values = _record_type_values(object_name, picklist_values)
    record_type.save()
    record_type.picklist_values.set(values)
    return record_type


@transaction.atomic
def record_type_update(
    *,
    record_type: RecordType,
    acting_user,
    name: str | None = None,
    description: str | None = None,
    is_active: bool | None = None,
    picklist_values=None,
) -> RecordType:
    _require_admin(acting_user)
    locked = RecordType.objects.select_for_update().get(pk=record_type.pk)
    if name is not None:
        locked.name = name
    if description is not None:
        locked.description = description
    if is_active is not None:
        locked.is_active = bool(is_active)
    _record_type_check(locked)
    if picklist_values is not None:
        values = _record_type_values(locked.object_name, picklist_values)
    locked.save()
    if picklist_values is not None:
        locked.picklist_values.set(values)
    return locked


@transaction.atomic
def record_type_default_set(
    *, object_name: str, record_type: RecordType | None, acting_user, user=None, group: Group | None = None
) -> RecordTypeDefault | None:
    """Set (or with ``record_type=None`` clear) the default record type of a role (group) or a user."""
    _require_admin(acting_user)
    if (user is None) == (group is None):
        raise ValidationError({"__all__": ["Choose either a user or a role."]})
    if object_name not in RECORD_TYPE_OBJECTS:
        raise ValidationError({"object_name": ["Choose Account, Contact or Opportunity."]})
    lookup = {"object_name": object_name, "user": user, "group": group}
    if record_type is None:
        RecordTypeDefault.objects.filter(**lookup).delete()
        return None
    if record_type.object_name != object_name:
        raise ValidationError({"record_type": ["Choose a record type of this object."]})
    if not record_type.is_active:
        raise ValidationError({"record_type": ["An inactive record type cannot be a default."]})
    row, _ = RecordTypeDefault.objects.select_for_update().update_or_create(
        **lookup, defaults={"record_type": record_type}
    )
    return row
