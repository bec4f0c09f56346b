"""The products of an opportunity (line items); the opportunity's amount is their sum."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core.history import Change, history_record
from core.selectors import field_labels

from ..fields import OPPORTUNITY
from ..models import Opportunity, OpportunityLineItem, Product
from .common import _actor, _lock_editable_opportunity


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
            errors[name] = [_("Enter a number.")]
            continue
        if abs(parsed[name]) >= limit:
            errors[name] = [_("Enter a smaller number.")]
    if "quantity" not in errors:
        if parsed.get("quantity") is None:
            errors["quantity"] = [_("Enter a quantity.")]
        elif parsed["quantity"] <= 0:
            errors["quantity"] = [_("The quantity must be greater than zero.")]
    if "unit_price" not in errors and parsed.get("unit_price") is not None and parsed["unit_price"] < 0:
        errors["unit_price"] = [_("The sales price cannot be negative.")]
    return parsed.get("quantity"), parsed.get("unit_price"), errors


def _checked_line(product, quantity, unit_price) -> tuple[Decimal | None, Decimal | None, dict]:
    """A product line to add: the parsed numbers and the errors keyed product, quantity, sales price."""
    qty, price, errors = _line_numbers(quantity, unit_price)
    if product is None or not isinstance(product, Product):
        errors["product"] = [_("Choose a product.")]
    elif not product.is_active:
        errors["product"] = [_("This product is inactive and cannot be added.")]
    return qty, price, errors


def _product_added(product: Product, quantity: Decimal) -> Change:
    return Change("products", "Products", "", f"{product.name} × {_qty(quantity)} added")


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
        errors["unit_price"] = [_("Enter a sales price.")]
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
