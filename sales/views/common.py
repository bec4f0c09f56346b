"""What the sales pages share: the objects' configuration, cell display and small helpers."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _

from core.fields import localized_amount

from .. import selectors
from ..fields import ACCOUNT, CONTACT, OPPORTUNITY, PICKLIST_FIELDS
from ..filters import AccountFilter, ContactFilter, OpportunityFilter
from ..models import Account, Contact, Opportunity

PAGE_SIZE = 50


OBJECTS = {
    ACCOUNT: {
        "label": "Account",
        "plural": "Accounts",
        "icon": "building",
        "model": Account,
        "visible": selectors.accounts_visible_to,
        "filter": AccountFilter,
        "columns": [
            ("name", "Account Name"),
            ("type", "Type"),
            ("industry", "Industry"),
            ("phone", "Phone"),
            ("billing_city", "Billing City"),
            ("owner", "Account Owner"),
        ],
        "highlights": ["type", "phone", "website", "industry", "owner"],
    },
    CONTACT: {
        "label": "Contact",
        "plural": "Contacts",
        "icon": "person-vcard",
        "model": Contact,
        "visible": selectors.contacts_visible_to,
        "filter": ContactFilter,
        "columns": [
            ("name", "Name"),
            ("account", "Account Name"),
            ("title", "Title"),
            ("email", "Email"),
            ("phone", "Phone"),
            ("owner", "Contact Owner"),
        ],
        "highlights": ["title", "account", "phone", "email", "owner"],
    },
    OPPORTUNITY: {
        "label": "Opportunity",
        "plural": "Opportunities",
        "icon": "trophy",
        "model": Opportunity,
        "visible": selectors.opportunities_visible_to,
        "filter": OpportunityFilter,
        "columns": [
            ("name", "Opportunity Name"),
            ("account", "Account Name"),
            ("stage", "Stage"),
            ("amount", "Amount"),
            ("close_date", "Close Date"),
            ("owner", "Opportunity Owner"),
        ],
        "highlights": ["account", "close_date", "amount", "probability", "owner"],
    },
}


def _url(object_name: str, page: str, *args) -> str:
    return reverse(f"sales:{object_name}_{page}", args=args)


def _cell(record, object_name: str, name: str, labels: dict):
    """Display form of a standard field (picklists by label; escaping is the template's job)."""
    if name == "owner":
        return record.owner_name
    if name == "account":
        return record.account.name if getattr(record, "account_id", None) else ""
    if name == "record_type":
        return record.record_type.name if record.record_type_id else "Master"
    if name == "name" and object_name == CONTACT:
        return record.name
    value = getattr(record, name)
    if name in PICKLIST_FIELDS[object_name]:
        return labels.get(name, {}).get(value, value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if value is None:
        return ""
    if name in {"amount", "annual_revenue"}:
        return localized_amount(value)
    if name == "probability":
        return f"{value}%"
    return value


def _link_of(record, name: str) -> str | None:
    if name == "account" and getattr(record, "account_id", None):
        return _url(ACCOUNT, "detail", record.account_id)
    return None


def _int(raw) -> int | None:
    return int(raw) if raw and str(raw).isdigit() else None


def _editable_or_403(record, user) -> None:
    if not selectors.record_is_editable_by(record, user):
        raise PermissionDenied(_("Only the owner and admins may edit this record."))


def _account_param(request):
    raw = request.GET.get("account", "")
    return selectors.accounts_visible_to(request.user).filter(pk=raw).first() if raw.isdigit() else None


_GETTERS = {
    ACCOUNT: selectors.accounts_visible_to,
    CONTACT: selectors.contacts_visible_to,
    OPPORTUNITY: selectors.opportunities_visible_to,
}


def _editable_opportunity(request, pk: int) -> Opportunity:
    opportunity = get_object_or_404(selectors.opportunities_visible_to(request.user), pk=pk)
    _editable_or_403(opportunity, request.user)
    return opportunity


def _errors_message(request, exc: ValidationError) -> None:
    messages.error(request, " ".join(exc.messages))
