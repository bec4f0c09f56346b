"""The contacts of an opportunity, each in a role; one of them may be the primary contact."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.history import Change, history_record

from ..fields import CONTACT_ROLES, OPPORTUNITY
from ..models import Account, Contact, Opportunity, OpportunityContactRole
from .common import _actor, _lock_editable_opportunity


def _not_of_account(contact: Contact, account: Account) -> str:
    """Why ``contact`` cannot take a role on an opportunity of ``account`` ("" when it can): the
    contacts of an opportunity are contacts of its account."""
    if contact.account_id == account.pk:
        return ""
    return _("%(contact)s is not a contact of %(account)s, the opportunity's account.") % {
        "contact": contact.full_name,
        "account": account.name,
    }


def _contact_role_added(contact: Contact, role: str) -> Change:
    return Change("contact_roles", "Contact Roles", "", f"{contact.full_name} ({role or 'no role'}) added")


def _roles_outside_account(opportunity: Opportunity) -> str:
    """Why the opportunity cannot belong to its (new) account ("" when it can): contact roles of
    contacts of another account."""
    names = [
        role.contact.full_name
        for role in opportunity.contact_roles.select_related("contact")
        .exclude(contact__account_id=opportunity.account_id)
        .order_by("pk")
    ]
    if not names:
        return ""
    return _("The contact roles must be contacts of %(account)s: remove the roles of %(contacts)s first.") % {
        "account": opportunity.account.name,
        "contacts": ", ".join(names),
    }


@transaction.atomic
def opportunity_contact_role_add(
    *, opportunity: Opportunity, contact: Contact, role: str = "", is_primary: bool = False, acting_user
) -> OpportunityContactRole:
    """Add a contact to an opportunity in a role; a new primary contact replaces the previous one."""
    locked = _lock_editable_opportunity(opportunity, acting_user)
    role = (role or "").strip()
    errors = {}
    if contact is None or not isinstance(contact, Contact):
        errors["contact"] = [_("Choose a contact.")]
    elif OpportunityContactRole.objects.filter(opportunity=locked, contact=contact).exists():
        errors["contact"] = [
            _("%(full_name)s already has a role on this opportunity.") % {"full_name": contact.full_name}
        ]
    elif message := _not_of_account(contact, locked.account):
        errors["contact"] = [message]
    if role and role not in CONTACT_ROLES:
        errors["role"] = [_("“%(role)s” is not a contact role.") % {"role": role}]
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
