"""Reads of accounts, contacts, opportunities, products and record types, scoped to the user.

Visibility of accounts, contacts and opportunities: every signed-in user may read every record (the
sales team shares its customers); only the record's owner and admins (marketing and system admins)
may edit it. Anonymous users see nothing.
"""

import re
from urllib.parse import urlsplit

from django.db.models import Case, IntegerField, Prefetch, Q, QuerySet, Value, When

from core.memo import memoized
from core.models import FieldDefinition, FieldType, PicklistValue
from core.record_types import record_type_default_for, record_types_for  # noqa: F401
from core.roles import sees_all_records

from .models import (
    Account,
    Contact,
    Opportunity,
    OpportunityContactRole,
    OpportunityLineItem,
    Product,
    RecordType,
)

# Free mail providers: an address there says nothing about the company.
FREE_EMAIL_DOMAINS = {
    "gmail.com",
    "googlemail.com",
    "yahoo.com",
    "hotmail.com",
    "outlook.com",
    "live.com",
    "icloud.com",
    "aol.com",
    "gmx.com",
    "gmx.de",
    "proton.me",
    "protonmail.com",
    "mail.com",
    "yandex.com",
}
MATCH_LIMIT = 20


# Visibility ------------------------------------------------------------------------------------


def _readable(qs: QuerySet, user) -> QuerySet:
    return qs if getattr(user, "is_authenticated", False) else qs.none()


def accounts_visible_to(user) -> QuerySet[Account]:
    """Every account the user may read (every account, for any signed-in user)."""
    return _readable(Account.objects.select_related("owner", "record_type"), user)


def contacts_visible_to(user) -> QuerySet[Contact]:
    """Every contact the user may read (every contact, for any signed-in user)."""
    return _readable(Contact.objects.select_related("owner", "record_type", "account"), user)


def opportunities_visible_to(user) -> QuerySet[Opportunity]:
    """Every opportunity the user may read (every opportunity, for any signed-in user)."""
    return _readable(Opportunity.objects.select_related("owner", "record_type", "account"), user)


def record_is_editable_by(record, user) -> bool:
    """The owner and admins edit an account, contact or opportunity; everyone else only reads it."""
    if not getattr(user, "is_authenticated", False):
        return False
    return sees_all_records(user) or record.owner_id == user.pk


def record_is_deletable_by(record, user) -> bool:
    """Deleting takes the object's delete permission and edit access (the owner, or an admin)."""
    return record_is_editable_by(record, user) and user.has_perm(f"sales.delete_{record._meta.model_name}")


# Lists -----------------------------------------------------------------------------------------

SORTS = {
    "account": {"name": "name", "owner": "owner__username", "created": "created_at", "industry": "industry"},
    "contact": {
        "name": "last_name",
        "account": "account__name",
        "email": "email",
        "owner": "owner__username",
        "created": "created_at",
    },
    "opportunity": {
        "name": "name",
        "account": "account__name",
        "stage": "stage",
        "amount": "amount",
        "close_date": "close_date",
        "owner": "owner__username",
        "created": "created_at",
    },
}


def _search(qs: QuerySet, q: str, fields: list[str]) -> QuerySet:
    q = (q or "").strip()
    if not q:
        return qs
    cond = Q()
    for name in fields:
        cond |= Q(**{f"{name}__icontains": q})
    return qs.filter(cond)


def _sort(qs: QuerySet, object_name: str, sort: str, default: str) -> QuerySet:
    key = (sort or "").lstrip("-")
    column = SORTS[object_name].get(key)
    if column is None:
        return qs.order_by(default, "id")
    prefix = "-" if sort.startswith("-") else ""
    return qs.order_by(f"{prefix}{column}", f"{prefix}id")


def account_list(*, user, q: str = "", mine: bool = False, sort: str = "") -> QuerySet[Account]:
    qs = accounts_visible_to(user)
    if mine:
        qs = qs.filter(owner=user)
    qs = _search(qs, q, ["name", "website", "phone", "billing_city"])
    return _sort(qs, "account", sort, "name")


def contact_list(*, user, q: str = "", mine: bool = False, sort: str = "") -> QuerySet[Contact]:
    qs = contacts_visible_to(user)
    if mine:
        qs = qs.filter(owner=user)
    qs = _search(qs, q, ["first_name", "last_name", "email", "account__name", "phone"])
    return _sort(qs, "contact", sort, "last_name")


def opportunity_list(
    *, user, q: str = "", mine: bool = False, open_only: bool = False, sort: str = ""
) -> QuerySet[Opportunity]:
    qs = opportunities_visible_to(user)
    if mine:
        qs = qs.filter(owner=user)
    if open_only:
        closed = PicklistValue.objects.filter(object_name="opportunity", field_name="stage", is_closed=True)
        qs = qs.exclude(stage__in=closed.values("api_name"))
    qs = _search(qs, q, ["name", "account__name", "next_step"])
    return _sort(qs, "opportunity", sort, "close_date")


def account_contacts(*, account: Account) -> QuerySet[Contact]:
    return account.contacts.select_related("owner").order_by("last_name", "first_name", "id")


def account_opportunities(*, account: Account) -> QuerySet[Opportunity]:
    return account.opportunities.select_related("owner").order_by("close_date", "id")


def opportunity_line_items(*, opportunity: Opportunity) -> QuerySet[OpportunityLineItem]:
    return opportunity.line_items.select_related("product").order_by("id")


def opportunity_contact_roles(*, opportunity: Opportunity) -> QuerySet[OpportunityContactRole]:
    return opportunity.contact_roles.select_related("contact", "contact__account")


def contact_opportunity_roles(*, contact: Contact) -> QuerySet[OpportunityContactRole]:
    """The contact's opportunities, through the roles they play in them."""
    return contact.opportunity_roles.select_related("opportunity", "opportunity__account").order_by(
        "opportunity__close_date", "id"
    )


def products(*, active_only: bool = False, q: str = "") -> QuerySet[Product]:
    qs = Product.objects.all()
    if active_only:
        qs = qs.filter(is_active=True)
    return _search(qs, q, ["name", "product_code"]).order_by("name", "id")


# Matching (duplicate checks and conversion) ------------------------------------------------------


def domain_of(value: str) -> str:
    """``acme.com`` from ``https://www.acme.com/x``, ``www.acme.com``, ``Acme.com`` or ``jo@acme.com``."""
    text = (value or "").strip().lower()
    if not text:
        return ""
    if "@" in text and "/" not in text:
        host = text.rsplit("@", 1)[1]
    else:
        host = urlsplit(text if "://" in text else f"//{text}").hostname or ""
    host = host.strip(".")
    if host.startswith("www."):
        host = host[4:]
    return host if re.fullmatch(r"[a-z0-9-]+(\.[a-z0-9-]+)+", host) else ""


def account_matches(*, user, name: str, website: str = "", email: str = "") -> list[Account]:
    """Accounts that may be the company named: by name (case-insensitive; exact, then starting with,
    then containing) and by domain (the website's, or the email's unless it is a free mail domain),
    matched against account websites and the email addresses of account contacts."""
    name = (name or "").strip()
    domains = {d for d in (domain_of(website),) if d}
    email_domain = domain_of(email)
    if email_domain and email_domain not in FREE_EMAIL_DOMAINS:
        domains.add(email_domain)
    cond = Q()
    if name:
        cond |= Q(name__icontains=name)
    for domain in domains:
        cond |= Q(website_domain=domain) | Q(contacts__email__iendswith=f"@{domain}")
    if not cond:
        return []
    whens = []
    if name:
        whens.append(When(name__iexact=name, then=Value(0)))
    if domains:
        whens.append(When(website_domain__in=list(domains), then=Value(1)))
    if name:
        whens.append(When(name__istartswith=name, then=Value(2)))
    rank = Case(*whens, default=Value(3), output_field=IntegerField())
    qs = (
        accounts_visible_to(user).filter(cond).distinct().annotate(match_rank=rank).order_by("match_rank", "name", "id")
    )
    return list(qs[:MATCH_LIMIT])


def contact_matches(
    *, user, account: Account, email: str = "", first_name: str = "", last_name: str = ""
) -> list[Contact]:
    """Contacts of the account that may be the person: by email (case-insensitive) first; when no
    contact has the email, by first and last name."""
    qs = contacts_visible_to(user).filter(account=account)
    email = (email or "").strip()
    if email:
        by_email = list(qs.filter(email__iexact=email)[:MATCH_LIMIT])
        if by_email:
            return by_email
    last_name = (last_name or "").strip()
    if not last_name:
        return []
    return list(
        qs.filter(first_name__iexact=(first_name or "").strip(), last_name__iexact=last_name).order_by("id")[
            :MATCH_LIMIT
        ]
    )


# Record types ----------------------------------------------------------------------------------


def record_type_list() -> QuerySet[RecordType]:
    """The record types of accounts, contacts and opportunities (leads' are set up with leads)."""
    from .fields import RECORD_TYPE_OBJECTS

    return (
        RecordType.objects.filter(object_name__in=RECORD_TYPE_OBJECTS)
        .prefetch_related(
            Prefetch("picklist_values", queryset=PicklistValue.objects.order_by("field_name", "sort_order"))
        )
        .order_by("object_name", "name")
    )


def record_type_picklist_fields(object_name: str) -> list[str]:
    """The picklist fields a record type chooses values for: the standard ones, then the active
    custom picklists."""
    from .fields import PICKLIST_FIELDS

    def read():
        custom = FieldDefinition.objects.filter(
            object_name=object_name, is_custom=True, is_active=True, field_type=FieldType.PICKLIST
        ).order_by("sort_order", "id")
        return (*PICKLIST_FIELDS[object_name], *custom.values_list("api_name", flat=True))

    return list(memoized(("record_type_picklist_fields", object_name), read))


def offered_picklist_values(*, object_name: str, record_type: RecordType | None) -> dict[str, list[str]]:
    """For every picklist field of the object, the active API names a record of this record type is
    offered, in order: ``allowed_picklist_values`` for all fields at once, in two queries."""
    offered = memoized(
        ("offered_picklist_values", object_name, record_type.pk if record_type is not None else None),
        lambda: _offered_picklist_values(object_name, record_type),
    )
    return {field: list(values) for field, values in offered.items()}


def _offered_picklist_values(object_name: str, record_type: RecordType | None) -> dict[str, list[str]]:
    chosen: dict[str, set[int]] = {}
    if record_type is not None:
        for pk, field in record_type.picklist_values.filter(object_name=object_name).values_list("pk", "field_name"):
            chosen.setdefault(field, set()).add(pk)
    offered: dict[str, list[str]] = {}
    active = (
        PicklistValue.objects.filter(object_name=object_name, is_active=True)
        .order_by("field_name", "sort_order", "id")
        .values_list("pk", "field_name", "api_name")
    )
    for pk, field, api_name in active:
        if field in chosen and pk not in chosen[field]:
            continue
        offered.setdefault(field, []).append(api_name)
    return offered


def allowed_picklist_values(
    *, object_name: str, field_name: str, record_type: RecordType | None
) -> list[PicklistValue]:
    """The active values a record of this record type is offered for a picklist field."""
    values = PicklistValue.objects.filter(object_name=object_name, field_name=field_name, is_active=True)
    if record_type is not None:
        chosen = record_type.picklist_values.filter(object_name=object_name, field_name=field_name)
        if chosen.exists():
            values = values.filter(pk__in=chosen.values("pk"))
    return list(values.order_by("sort_order", "id"))


def stage_values() -> list[PicklistValue]:
    return list(
        PicklistValue.objects.filter(object_name="opportunity", field_name="stage").order_by("sort_order", "id")
    )
