"""Lead conversion: the custom-field mappings admins configure, and converting a lead into an
account, a contact and (optionally) an opportunity in one transaction.

The convert page, its preview, the API and the bulk API all call these functions; the values
written come from ``conversion.mapping`` in every case.
"""

import datetime as dt
import logging
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from core.fields import is_blank
from core.memo import config_scope
from core.models import FieldDefinition, PicklistValue
from core.registry import commits_gathered, conversion_hooks
from core.roles import display_name, require_setup_admin
from leads.models import Lead
from leads.processes.selectors import lead_process_statuses, lead_record_type_of
from leads.selectors import lead_is_editable_by, leads_visible_to
from leads.services import lead_mark_converted
from sales import selectors as sales_selectors
from sales import services as sales_services
from sales.models import Account, Contact, Opportunity, Product, RecordType

from .mapping import TARGET_LABELS, TARGET_OBJECTS, MappingContext, ObjectPlan, incompatibility, plan_for
from .models import LeadConversion, LeadFieldMapping
from .selectors import converted_statuses as converted_statuses
from .selectors import default_owner as default_owner
from .selectors import default_stage as default_stage
from .selectors import opportunity_required as opportunity_required
from .selectors import opportunity_stages as opportunity_stages
from .selectors import record_type_restrictions

logger = logging.getLogger(__name__)

BULK_LIMIT = 100
MAX_PRODUCTS = 50
MAX_QUANTITY = Decimal("1000000")
MAX_PRICE = Decimal("1e15")
OPPORTUNITY_NAME_MAX = 120
DATABASE_FAILURE = (
    "The conversion could not be saved because the database refused it; nothing was changed. "
    "Try again, and ask an administrator if it keeps failing."
)


# Custom field mappings -------------------------------------------------------------------------


def _mapping_fields(*, lead_field: str, target_object: str, target_field: str) -> tuple:
    """Resolve and check the two fields of a mapping; raises every problem at once."""
    errors: dict[str, list[str]] = {}
    if target_object not in TARGET_OBJECTS:
        errors["target_object"] = [gettext("Choose Account, Contact or Opportunity.")]
    source = FieldDefinition.objects.filter(
        object_name="lead", api_name=(lead_field or "").strip(), is_custom=True, is_active=True
    ).first()
    if source is None:
        errors["lead_field"] = [
            gettext("“%(lead_field)s” is not an active custom lead field.") % {"lead_field": lead_field}
        ]
    target = None
    if target_object in TARGET_OBJECTS:
        target = FieldDefinition.objects.filter(
            object_name=target_object, api_name=(target_field or "").strip(), is_custom=True, is_active=True
        ).first()
        if target is None:
            errors["target_field"] = [
                gettext("“%(target_field)s” is not an active custom field of %(TARGET_LABELS)s.")
                % {"target_field": target_field, "TARGET_LABELS": TARGET_LABELS[target_object]}
            ]
    if source is not None and target is not None:
        problem = incompatibility(source, target)
        if problem:
            errors["target_field"] = [problem]
    if errors:
        raise ValidationError(errors)
    return source, target


def _check_unique(source, target, *, exclude_pk=None) -> None:
    others = LeadFieldMapping.objects.exclude(pk=exclude_pk)
    errors = {}
    taken = others.filter(lead_field=source, target_object=target.object_name).select_related("target_field").first()
    if taken:
        errors["lead_field"] = [
            gettext("%(label)s is already mapped to %(TARGET_LABELS)s field %(label2)s.")
            % {
                "label": source.label,
                "TARGET_LABELS": TARGET_LABELS[target.object_name],
                "label2": taken.target_field.label,
            }
        ]
    fed = others.filter(target_field=target).select_related("lead_field").first()
    if fed:
        errors["target_field"] = [
            gettext("%(label)s already receives the lead field %(label2)s.")
            % {"label": target.label, "label2": fed.lead_field.label}
        ]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def field_mapping_create(
    *, lead_field: str, target_object: str, target_field: str, acting_user: User
) -> LeadFieldMapping:
    """Map a custom lead field (api name) to a custom field of account, contact or opportunity."""
    require_setup_admin(acting_user)
    source, target = _mapping_fields(lead_field=lead_field, target_object=target_object, target_field=target_field)
    _check_unique(source, target)
    try:
        with transaction.atomic():
            return LeadFieldMapping.objects.create(
                lead_field=source,
                target_object=target_object,
                target_field=target,
                created_by=acting_user,
                updated_by=acting_user,
            )
    except IntegrityError:
        raise ValidationError({"lead_field": [gettext("This mapping was just created by someone else.")]}) from None


@transaction.atomic
def field_mapping_update(*, mapping: LeadFieldMapping, target_field: str, acting_user: User) -> LeadFieldMapping:
    """Point an existing mapping at another custom field of the same object."""
    require_setup_admin(acting_user)
    mapping = LeadFieldMapping.objects.select_for_update().select_related("lead_field").get(pk=mapping.pk)
    source, target = _mapping_fields(
        lead_field=mapping.lead_field.api_name, target_object=mapping.target_object, target_field=target_field
    )
    _check_unique(source, target, exclude_pk=mapping.pk)
    mapping.target_field = target
    mapping.updated_by = acting_user
    try:
        with transaction.atomic():
            mapping.save()
    except IntegrityError:
        raise ValidationError({"target_field": [gettext("This field was just mapped by someone else.")]}) from None
    return mapping


@transaction.atomic
def field_mapping_delete(*, mapping: LeadFieldMapping, acting_user: User) -> None:
    require_setup_admin(acting_user)
    LeadFieldMapping.objects.filter(pk=mapping.pk).delete()


# Conversion options ------------------------------------------------------------------------------


@dataclass
class ProductLine:
    """A product to add to the new opportunity; ``unit_price`` None means the list price."""

    product_id: int
    quantity: Decimal
    unit_price: Decimal | None = None


@dataclass
class ConvertOptions:
    """What the user chose on the convert page or sent to the API.

    ``account_id`` / ``contact_id`` None: create a new record. Blank opportunity name, stage and
    close date get their defaults; ``owner_id`` None: the lead's owner (the converting user when a
    queue owns the lead); blank ``converted_status``: the first Lead Status flagged converted.
    """

    account_id: int | None = None
    contact_id: int | None = None
    create_opportunity: bool = True
    opportunity_name: str = ""
    close_date: dt.date | None = None
    stage: str = ""
    products: list[ProductLine] = field(default_factory=list)
    owner_id: int | None = None
    converted_status: str = ""
    send_email: bool = False


@dataclass
class Resolved:
    """Options checked against the database: the records and values a conversion will use."""

    owner: User
    converted_status: PicklistValue
    account: Account | None
    contact: Contact | None
    create_opportunity: bool
    opportunity_name: str
    close_date: dt.date | None
    stage: str
    products: list[tuple[Product, Decimal, Decimal]]
    record_types: dict[str, RecordType | None]
    can_edit_account: bool
    can_edit_contact: bool


@dataclass
class ConversionPreview:
    """What a conversion would write, computed by the same code as the conversion itself."""

    lead: Lead
    resolved: Resolved
    plans: dict[str, ObjectPlan]
    context: MappingContext

    @property
    def products_total(self) -> Decimal:
        return sum((q * p for _, q, p in self.resolved.products), Decimal(0))


def end_of_quarter(today: dt.date | None = None) -> dt.date:
    today = today or timezone.localdate()
    last_month = ((today.month - 1) // 3 + 1) * 3
    first_next = dt.date(today.year + (last_month == 12), last_month % 12 + 1, 1)
    return first_next - dt.timedelta(days=1)


def default_opportunity_name(lead: Lead) -> str:
    return f"{lead.company}-"[:OPPORTUNITY_NAME_MAX]


def _as_int(value) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise ValueError
    return int(value)


def _resolve(lead: Lead, acting_user: User, options: ConvertOptions, ctx: MappingContext) -> Resolved:
    """Check every option against the database; raises all problems at once."""
    errors: dict[str, list[str]] = {}

    def add(key: str, message: str) -> None:
        errors.setdefault(key, []).append(message)

    owner = None
    try:
        owner_id = _as_int(options.owner_id)
    except (TypeError, ValueError):
        owner_id = None
        add("owner", "Choose an active user as the record owner.")
    if owner_id is None and "owner" not in errors:
        owner = default_owner(lead, acting_user)
    elif owner_id is not None:
        owner = get_user_model().objects.filter(pk=owner_id, is_active=True).first()
        if owner is None:
            add("owner", "Choose an active user as the record owner.")

    # The statuses of the lead's own process (its record type's) when it offers any.
    offered = lead_process_statuses(lead_record_type_of(lead))
    statuses = [s for s in ctx.converted_statuses if s.api_name in offered] or ctx.converted_statuses
    status = None
    if not statuses:
        add("converted_status", "No Lead Status value is flagged Converted; ask an admin to flag one.")
    elif is_blank(options.converted_status):
        status = statuses[0]
    else:
        status = next((s for s in statuses if s.api_name == str(options.converted_status).strip()), None)
        if status is None:
            add("converted_status", "Choose a Lead Status value flagged Converted.")

    account = None
    try:
        account_id = _as_int(options.account_id)
    except (TypeError, ValueError):
        account_id = None
        add("account", "Choose an existing account or create a new one.")
    if account_id is not None:
        account = sales_selectors.accounts_visible_to(acting_user).filter(pk=account_id).first()
        if account is None:
            add("account", "The chosen account does not exist or you may not see it.")

    contact = None
    try:
        contact_id = _as_int(options.contact_id)
    except (TypeError, ValueError):
        contact_id = None
        add("contact", "Choose an existing contact or create a new one.")
    if contact_id is not None:
        if account_id is None:
            add("contact", "An existing contact can only be chosen together with its existing account.")
        else:
            contact = sales_selectors.contacts_visible_to(acting_user).filter(pk=contact_id).first()
            if contact is None:
                add("contact", "The chosen contact does not exist or you may not see it.")
            elif account is not None and contact.account_id != account.pk:
                add("contact", f"{contact.full_name} is not a contact of {account.name}.")
                contact = None

    create_opportunity = bool(options.create_opportunity)
    name, stage, close_date, products = "", "", None, []
    if not create_opportunity and opportunity_required():
        add(
            "create_opportunity",
            "Lead Settings require an opportunity on conversion: untick “Don't create an opportunity”.",
        )
    if create_opportunity:
        name = (options.opportunity_name or "").strip() or default_opportunity_name(lead)
        if len(name) > OPPORTUNITY_NAME_MAX:
            add("opportunity_name", f"Use at most {OPPORTUNITY_NAME_MAX} characters.")
        stage = (options.stage or "").strip() or default_stage(ctx.stages)
        if not stage:
            add("stage", "No opportunity stage exists; ask an admin to add one.")
        elif stage not in {v.api_name for v in ctx.stages}:
            add("stage", "Choose an active opportunity stage.")
        close_date = options.close_date or end_of_quarter()
        if not isinstance(close_date, dt.date):
            add("close_date", "Enter a valid date (YYYY-MM-DD).")
        products = _resolve_products(options.products, add)
    elif options.products:
        add("products", "Products need an opportunity: untick “Don't create an opportunity”.")

    if errors:
        raise ValidationError(errors)
    # Without errors, the owner and the status were found.
    assert owner is not None
    assert status is not None
    record_types = {
        name_: sales_selectors.record_type_default_for(user=owner, object_name=name_)
        for name_ in TARGET_OBJECTS
        if not (name_ == "account" and account) and not (name_ == "contact" and contact)
    }
    if not create_opportunity:
        record_types.pop("opportunity", None)
    return Resolved(
        owner=owner,
        converted_status=status,
        account=account,
        contact=contact,
        create_opportunity=create_opportunity,
        opportunity_name=name,
        close_date=close_date,
        stage=stage,
        products=products,
        record_types=record_types,
        can_edit_account=account is not None and sales_selectors.record_is_editable_by(account, acting_user),
        can_edit_contact=contact is not None and sales_selectors.record_is_editable_by(contact, acting_user),
    )


def _decimal(value) -> Decimal | None:
    """A finite decimal, or None for anything else."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _resolve_products(lines: list[ProductLine], add) -> list[tuple[Product, Decimal, Decimal]]:
    if len(lines) > MAX_PRODUCTS:
        add("products", f"Add at most {MAX_PRODUCTS} products.")
        return []
    ids = []
    for line in lines:
        try:
            ids.append(int(line.product_id))
        except (TypeError, ValueError):
            add("products", "Choose a product from the catalogue.")
    catalogue = {p.pk: p for p in Product.objects.filter(pk__in=ids, is_active=True)}
    result = []
    for position, line in enumerate(lines, start=1):
        try:
            product = catalogue.get(int(line.product_id))
        except (TypeError, ValueError):
            continue
        if product is None:
            add("products", f"Product {position}: choose an active product.")
            continue
        quantity = _decimal(line.quantity)
        if quantity is None or not Decimal(0) < quantity <= MAX_QUANTITY:
            add("products", f"{product.name}: enter a quantity greater than 0.")
            continue
        price = Decimal(product.list_price)
        if line.unit_price not in (None, ""):
            unit_price = _decimal(line.unit_price)
            if unit_price is None or not Decimal(0) <= unit_price < MAX_PRICE:
                add("products", f"{product.name}: enter a unit price of 0 or more.")
                continue
            price = unit_price
        result.append((product, quantity.quantize(Decimal("0.01")), price.quantize(Decimal("0.01"))))
    return result


def _plans(ctx: MappingContext, lead: Lead, resolved: Resolved) -> dict[str, ObjectPlan]:
    rts = resolved.record_types
    plans = {
        "account": plan_for(
            ctx, lead, "account", existing=resolved.account, restrict=record_type_restrictions(rts.get("account"))
        ),
        "contact": plan_for(
            ctx, lead, "contact", existing=resolved.contact, restrict=record_type_restrictions(rts.get("contact"))
        ),
    }
    if resolved.account is not None and not resolved.can_edit_account:
        for item in plans["account"].fields:
            item.writes = False
    if resolved.contact is not None and not resolved.can_edit_contact:
        for item in plans["contact"].fields:
            item.writes = False
    if resolved.create_opportunity:
        plans["opportunity"] = plan_for(
            ctx,
            lead,
            "opportunity",
            extra={"name": resolved.opportunity_name, "stage": resolved.stage, "close_date": resolved.close_date},
            restrict=record_type_restrictions(rts.get("opportunity")),
        )
    return plans


def _required_custom_errors(
    ctx: MappingContext, plans: dict[str, ObjectPlan], resolved: Resolved
) -> dict[str, list[str]]:
    """Required custom fields a new record would get empty: said up front, for every object at once."""
    creating = {"account": resolved.account is None, "contact": resolved.contact is None}
    creating["opportunity"] = resolved.create_opportunity
    errors: dict[str, list[str]] = {}
    for definition in ctx.required_custom:
        if not creating.get(definition.object_name):
            continue
        plan = plans.get(definition.object_name)
        if plan is None:
            continue
        value = plan.custom_fields().get(definition.api_name)
        if is_blank(value) and is_blank(definition.default_value):
            where = TARGET_LABELS[definition.object_name]
            errors.setdefault(definition.object_name, []).append(
                f"{where} field “{definition.label}” is required but would be empty: fill the mapped lead field, "
                f"or ask an admin to map a lead field to it or give it a default value."
            )
    return errors


def _check_lead(lead: Lead, acting_user: User) -> None:
    if not lead_is_editable_by(lead, acting_user):
        raise PermissionError("You may not convert this lead.")
    if lead.is_converted:
        raise ValidationError({"__all__": [gettext("This lead has already been converted.")]})


def lead_convert_preview(
    *, lead: Lead, acting_user: User, options: ConvertOptions, context: MappingContext | None = None
) -> ConversionPreview:
    """What ``lead_convert`` would write with these options, without writing anything."""
    _check_lead(lead, acting_user)
    ctx = context or MappingContext.load()
    resolved = _resolve(lead, acting_user, options, ctx)
    plans = _plans(ctx, lead, resolved)
    return ConversionPreview(lead=lead, resolved=resolved, plans=plans, context=ctx)


def _labelled(object_name: str, exc: ValidationError, ctx: MappingContext) -> dict[str, list[str]]:
    """A sales service's field errors, keyed by the object and prefixed with the field label."""
    where = TARGET_LABELS[object_name]
    if not hasattr(exc, "error_dict"):
        return {object_name: [f"{where}: {m}" for m in exc.messages]}
    messages = []
    for name, errs in exc.message_dict.items():
        label = "" if name == "__all__" else ctx.label(object_name, name)
        for message in errs:
            messages.append(f"{where} — {label}: {message}" if label else f"{where}: {message}")
    return {object_name: messages}


def _call(object_name: str, ctx: MappingContext, func, **kwargs):
    try:
        return func(**kwargs)
    except ValidationError as exc:
        raise ValidationError(_labelled(object_name, exc, ctx)) from exc


def lead_convert(
    *, lead: Lead, acting_user: User, options: ConvertOptions, context: MappingContext | None = None
) -> LeadConversion:
    """Convert a lead into an account, a contact and optionally an opportunity, in one transaction.

    Locks the lead, refuses a converted one, creates or joins the account and contact (filling only
    their empty fields), creates the opportunity with its products, marks the lead converted with
    history, and records the ``LeadConversion``. Any failure leaves nothing written: validation
    problems raise ``ValidationError`` (keyed by option or object), a database failure is turned
    into one too, and access problems raise ``PermissionError``.
    """
    try:
        with config_scope(), transaction.atomic():
            return _convert(lead=lead, acting_user=acting_user, options=options, context=context)
    except DatabaseError as exc:
        logger.exception("Lead %s could not be converted", lead.pk)
        raise ValidationError({"__all__": [DATABASE_FAILURE]}) from exc


def _convert(
    *, lead: Lead, acting_user: User, options: ConvertOptions, context: MappingContext | None
) -> LeadConversion:
    locked = Lead.objects.select_for_update(of=("self",)).select_related("owner_user").get(pk=lead.pk)
    _check_lead(locked, acting_user)
    ctx = context or MappingContext.load()
    resolved = _resolve(locked, acting_user, options, ctx)
    plans = _plans(ctx, locked, resolved)
    errors = _required_custom_errors(ctx, plans, resolved)
    if errors:
        raise ValidationError(errors)
    owner = resolved.owner
    rts = resolved.record_types

    account_plan = plans["account"]
    if resolved.account is None:
        account = _call(
            "account",
            ctx,
            sales_services.account_create,
            data=account_plan.data(),
            acting_user=acting_user,
            owner=owner,
            custom_fields=account_plan.custom_fields(),
            record_type=rts.get("account"),
        )
    else:
        account = resolved.account
        if account_plan.written:
            account = _call(
                "account",
                ctx,
                sales_services.account_update,
                account=account,
                data=account_plan.data(),
                acting_user=acting_user,
                custom_fields=account_plan.custom_fields() or None,
                fill_blanks_only=True,
            )

    contact_plan = plans["contact"]
    if resolved.contact is None:
        contact = _call(
            "contact",
            ctx,
            sales_services.contact_create,
            data=contact_plan.data(),
            acting_user=acting_user,
            account=account,
            owner=owner,
            custom_fields=contact_plan.custom_fields(),
            record_type=rts.get("contact"),
        )
    else:
        contact = resolved.contact
        if contact_plan.written:
            contact = _call(
                "contact",
                ctx,
                sales_services.contact_update,
                contact=contact,
                data=contact_plan.data(),
                acting_user=acting_user,
                custom_fields=contact_plan.custom_fields() or None,
                fill_blanks_only=True,
            )

    opportunity = None
    if resolved.create_opportunity:
        opportunity_plan = plans["opportunity"]
        # Products and the primary contact role come with the new opportunity, in one step, so the
        # chosen owner gets it complete whoever converts.
        opportunity = _call(
            "opportunity",
            ctx,
            sales_services.opportunity_create,
            data=opportunity_plan.data(),
            acting_user=acting_user,
            account=account,
            owner=owner,
            custom_fields=opportunity_plan.custom_fields(),
            record_type=rts.get("opportunity"),
            products=resolved.products,
            primary_contact=contact,
        )

    summary = f"Converted to account {account.name}, contact {contact.full_name}" + (
        f", opportunity {opportunity.name}" if opportunity else ""
    )
    now = timezone.now()
    locked = lead_mark_converted(
        lead=locked,
        status=resolved.converted_status.api_name,
        acting_user=acting_user,
        note=summary,
        at=now,
        is_locked=True,
    )
    conversion = LeadConversion.objects.create(
        lead=locked,
        account=account,
        contact=contact,
        opportunity=opportunity,
        account_created=resolved.account is None,
        contact_created=resolved.contact is None,
        converted_status=locked.status,
        owner=owner,
        converted_by=acting_user,
        converted_at=now,
        send_email=bool(options.send_email),
    )
    if options.send_email and owner.email:
        _email_owner(conversion, account=account, contact=contact, opportunity=opportunity, acting_user=acting_user)
    # Apps above this one (activities...) move what they hold on the lead, in this transaction.
    for hook in conversion_hooks():
        hook(conversion=conversion, acting_user=acting_user)
    lead.is_converted, lead.converted_at, lead.status, lead.version = True, now, locked.status, locked.version
    return conversion


def _email_owner(
    conversion: LeadConversion,
    *,
    account: Account,
    contact: Contact,
    opportunity: Opportunity | None,
    acting_user: User,
) -> None:
    """Tell the record owner; the outbox row commits with the conversion and is sent after it."""
    from emails.services import email_enqueue

    lead, owner = conversion.lead, conversion.owner
    if owner is None:
        return
    converter = display_name(acting_user)
    lines = [
        f"{converter} converted the lead {lead.full_name} ({lead.company}).",
        "",
        f"Account: {account.name}" + ("" if conversion.account_created else " (existing)"),
        f"Contact: {contact.full_name}" + ("" if conversion.contact_created else " (existing)"),
    ]
    if opportunity is not None:
        lines.append(f"Opportunity: {opportunity.name}")
    lines += ["", "You are the owner of the records it produced."]
    email_enqueue(
        to=owner.email,
        subject=f"Lead converted: {lead.full_name} ({lead.company})",
        body_text="\n".join(lines),
        kind="notification",
        idempotency_key=f"lead-converted:{conversion.pk}",
        object_name="lead",
        record_id=lead.pk,
        acting_user=acting_user,
    )


# Bulk ------------------------------------------------------------------------------------------


@dataclass
class BulkResult:
    lead_id: int
    conversion: LeadConversion | None = None
    errors: dict[str, list[str]] | None = None


def lead_convert_bulk(*, items: list[tuple[int, ConvertOptions]], acting_user: User) -> list[BulkResult]:
    """Convert several leads; each is atomic on its own, and one failing does not stop the others."""
    if len(items) > BULK_LIMIT:
        raise ValidationError(
            {"leads": [gettext("Convert at most %(BULK_LIMIT)s leads per request.") % {"BULK_LIMIT": BULK_LIMIT}]}
        )
    ctx = MappingContext.load()
    visible = leads_visible_to(acting_user, include_converted=True).select_related("owner_user")
    leads = visible.in_bulk([lead_id for lead_id, _ in items if isinstance(lead_id, int)])
    results = []
    # Each lead commits on its own; follow-up work of all (the rollups of the converted leads) is
    # handed over once, after the last.
    with config_scope(), commits_gathered():
        for lead_id, options in items:
            results.append(_convert_one(leads.get(lead_id), lead_id, options, acting_user, ctx))
    return results


def _convert_one(lead: Lead | None, lead_id, options: ConvertOptions, acting_user: User, ctx) -> BulkResult:
    if lead is None:
        return BulkResult(lead_id, errors={"lead": ["No such lead, or you may not see it."]})
    try:
        conversion = lead_convert(lead=lead, acting_user=acting_user, options=options, context=ctx)
    except ValidationError as exc:
        return BulkResult(lead_id, errors=_error_dict(exc))
    except PermissionError as exc:
        return BulkResult(lead_id, errors={"lead": [str(exc)]})
    return BulkResult(lead_id, conversion=conversion)


def _error_dict(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {("non_field_errors" if k == "__all__" else k): v for k, v in exc.message_dict.items()}
    return {"non_field_errors": exc.messages}
