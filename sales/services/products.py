"""The product catalogue."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from core.db import unique_as_field_error
from core.fields import is_blank
from core.roles import require_setup_admin

from ..models import Product
from .common import _actor

_PRODUCT_FIELDS = ("name", "product_code", "description", "list_price", "is_active")


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
    if product.product_code and _code_in_use(product):
        errors.setdefault("product_code", []).append(_code_taken(product))
    if errors:
        raise ValidationError(errors)


def _code_in_use(product: Product) -> bool:
    """The friendly check, for every error at once; the database's constraint is the guarantee."""
    return Product.objects.filter(product_code__iexact=product.product_code).exclude(pk=product.pk).exists()


def _code_taken(product: Product) -> str:
    return f"Another product has the code {product.product_code}."


def _save(product: Product) -> None:
    """Save; a concurrent write that took the code after the check above ends in the same field
    error as the check (the database's case-insensitive unique constraint decides)."""
    with unique_as_field_error({"sales_product_code_ci": ("product_code", _code_taken(product))}):
        product.save()


@transaction.atomic
def product_create(*, data: dict, acting_user) -> Product:
    require_setup_admin(acting_user)
    product = Product(created_by=_actor(acting_user))
    _product_apply(product, data)
    _save(product)
    return product


@transaction.atomic
def product_update(*, product: Product, data: dict, acting_user) -> Product:
    require_setup_admin(acting_user)
    locked = Product.objects.select_for_update().get(pk=product.pk)
    _product_apply(locked, data)
    _save(locked)
    return locked
