"""A person's data: exported as one JSON document, or erased, by a system admin; both recorded in
the ``DataRequest`` audit trail. An erased person's address stays on the suppression list (as a
hash), so nothing is ever sent to it again.

A person is a lead, a contact, or both (a converted lead and the contact it became): exporting or
erasing either covers the other. What erasure does:

- the lead is deleted for good with what cascades from it (notes, memberships, activities, scores,
  its conversion record), and its events, history, emails, web submissions and consent lines;
- the contact is kept as a record (opportunities name it in their contact roles) but its personal
  fields are emptied (the last name reads "[erased]"; email opt-out and do-not-call set), and its
  events, history, emails, consent lines, activities and campaign memberships are deleted;
- accounts and opportunities are kept as they are (they are the company's, not the person's);
- every address involved stays only as a hash on the suppression list, and one ``DataRequest``
  row per erasure records who did it, when and how many rows went (no personal data).
All in one transaction: a failure leaves everything as it was."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import FieldHistory
from core.roles import require_system_admin
from leads.models import Lead
from sales.models import Contact

from ..models import ConsentRecord, DataRequest, Suppression
from .ledger import email_hash


def _plain(value):
    """A value as JSON can hold it."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, Model):
        return value.pk
    return value


def _row(instance: Model, *, exclude: tuple[str, ...] = ()) -> dict:
    return {
        f.attname: _plain(getattr(instance, f.attname))
        for f in instance._meta.concrete_fields
        if f.attname not in exclude
    }


def _activities(lead: Lead) -> list[dict]:
    from activities.models import Call, Event, Task

    rows = []
    for model in (Task, Event, Call):
        for item in model.objects.filter(lead=lead).order_by("created_at", "id"):
            rows.append({"type": model._meta.model_name, **_row(item)})
    return rows


def lead_export_data(*, lead: Lead) -> dict:
    """Everything held about a lead, as one JSON-ready document (with the contact it was
    converted into, if any)."""
    from campaigns.models import CampaignMember
    from engagement.models import EngagementEvent

    return {
        "object": "lead",
        "exported_at": timezone.now().isoformat(),
        "lead": _row(lead),
        "notes": [_row(n) for n in lead.notes.order_by("created_at", "id")],
        "history": [
            _row(h, exclude=("id",))
            for h in FieldHistory.objects.filter(object_name="lead", record_id=lead.pk).order_by("changed_at", "id")
        ],
        "events": [_row(e) for e in EngagementEvent.objects.filter(lead=lead).order_by("occurred_at", "id")],
        "consent": [
            {**_row(c, exclude=("email_hash",)), "text_shown": c.text.text if c.text_id else ""}
            for c in ConsentRecord.objects.filter(lead=lead).select_related("text").order_by("occurred_at", "id")
        ],
        "campaign_memberships": [
            {
                "campaign": m.campaign.name,
                "campaign_id": m.campaign_id,
                "status": m.status.label,
                "has_responded": m.has_responded,
                "first_responded_at": _plain(m.first_responded_at),
                "created_at": _plain(m.created_at),
            }
            for m in CampaignMember.objects.filter(lead=lead).select_related("campaign", "status")
        ],
        "activities": _activities(lead),
        "emails": _emails("lead", lead.pk),
        "contacts": [_contact_data(c) for c in _contacts_of(lead)],
    }


def _emails(object_name: str, record_id: int) -> list[dict]:
    from emails.models import OutboundEmail

    return [
        _row(e, exclude=("claim_token", "idempotency_key"))
        for e in OutboundEmail.objects.filter(object_name=object_name, record_id=record_id).order_by("created_at", "id")
    ]


def _contacts_of(lead: Lead) -> list[Contact]:
    """The contact the lead was converted into (none before conversion)."""
    from conversion.models import LeadConversion

    ids = LeadConversion.objects.filter(lead=lead, contact__isnull=False).values("contact_id")
    return list(Contact.objects.filter(pk__in=ids))


def _leads_of(contact: Contact) -> list[Lead]:
    """The leads converted into the contact."""
    from conversion.models import LeadConversion

    return list(Lead.objects.filter(pk__in=LeadConversion.objects.filter(contact=contact).values("lead_id")))


def _contact_data(contact: Contact) -> dict:
    from activities.models import Call, Event, Task
    from campaigns.models import CampaignMember
    from engagement.models import EngagementEvent

    return {
        "contact": _row(contact),
        "history": [
            _row(h, exclude=("id",))
            for h in FieldHistory.objects.filter(object_name="contact", record_id=contact.pk).order_by(
                "changed_at", "id"
            )
        ],
        "events": [_row(e) for e in EngagementEvent.objects.filter(contact=contact).order_by("occurred_at", "id")],
        "consent": [
            {**_row(c, exclude=("email_hash",)), "text_shown": c.text.text if c.text_id else ""}
            for c in ConsentRecord.objects.filter(contact=contact).select_related("text").order_by("occurred_at", "id")
        ],
        "campaign_memberships": [
            {"campaign": m.campaign.name, "campaign_id": m.campaign_id, "status": m.status.label}
            for m in CampaignMember.objects.filter(contact=contact).select_related("campaign", "status")
        ],
        "activities": [
            {"type": model._meta.model_name, **_row(item)}
            for model in (Task, Event, Call)
            for item in model.objects.filter(contact=contact).order_by("created_at", "id")
        ],
        "emails": _emails("contact", contact.pk),
    }


def contact_export_data(*, contact: Contact) -> dict:
    """Everything held about a contact, with the leads it was converted from."""
    return {
        "object": "contact",
        "exported_at": timezone.now().isoformat(),
        **_contact_data(contact),
        "converted_leads": [lead_export_data(lead=lead) | {"contacts": []} for lead in _leads_of(contact)],
    }


def _record_export(object_name: str, record, data: dict, acting_user) -> dict:
    DataRequest.objects.create(
        kind=DataRequest.Kind.EXPORT,
        object_name=object_name,
        record_id=record.pk,
        email_hash=email_hash(record.email),
        summary={key: len(value) for key, value in data.items() if isinstance(value, list)},
        acted_at=timezone.now(),
        acting_user=acting_user,
    )
    return data


@transaction.atomic
def lead_export(*, lead: Lead, acting_user) -> dict:
    """A system admin's export of a lead's data; the export is recorded (not its content)."""
    require_system_admin(acting_user)
    return _record_export("lead", lead, lead_export_data(lead=lead), acting_user)


@transaction.atomic
def contact_export(*, contact: Contact, acting_user) -> dict:
    """A system admin's export of a contact's data (and of the leads it came from)."""
    require_system_admin(acting_user)
    return _record_export("contact", contact, contact_export_data(contact=contact), acting_user)


ERASED_NAME = "[erased]"
# The contact's personal fields and what they become.
CONTACT_ERASED = {
    "salutation": "",
    "first_name": "",
    "last_name": ERASED_NAME,
    "title": "",
    "email": "",
    "phone": "",
    "mobile": "",
    "mailing_street": "",
    "mailing_city": "",
    "mailing_state": "",
    "mailing_postal_code": "",
    "mailing_country": "",
    "description": "",
    "custom_fields": {},
    "email_opt_out": True,
    "do_not_call": True,
}


def _suppress(address: str, now) -> str:
    hashed = email_hash(address)
    if hashed:
        Suppression.objects.get_or_create(
            email_hash=hashed, defaults={"reason": _("Person's data erased"), "created_at": now}
        )
    return hashed


def _erase_person_rows(object_name: str, record, now, *, prefix: str = "") -> tuple[str, dict]:
    """What a lead and a contact both hold about the person, erased alike: the address suppressed,
    then tracking events, field history, emails (not one being sent) and consent records. Answers
    the address's hash and the rows gone (keys prefixed with ``prefix``)."""
    from emails.models import OutboundEmail
    from engagement.models import EngagementEvent

    hashed = _suppress(record.email, now)
    mine = {object_name: record}
    return hashed, {
        f"{prefix}events": EngagementEvent.objects.filter(**mine).delete()[0],
        f"{prefix}history": FieldHistory.objects.filter(object_name=object_name, record_id=record.pk).delete()[0],
        f"{prefix}emails": OutboundEmail.objects.filter(object_name=object_name, record_id=record.pk)
        .exclude(status=OutboundEmail.Status.SENDING)
        .delete()[0],
        f"{prefix}consent": ConsentRecord.objects.filter(**mine).delete()[0],
    }


def _erase_lead_rows(lead: Lead, now) -> tuple[str, dict]:
    from leads.imports.models import LeadImportRow
    from webtolead.models import Intake

    hashed, summary = _erase_person_rows("lead", lead, now)
    summary["submissions"] = Intake.objects.filter(lead=lead).delete()[0]
    # The import row keeps its outcome, not the person's values.
    summary["import_rows"] = LeadImportRow.objects.filter(lead=lead).update(raw_values=[])
    # With it go what cascades: notes, memberships, activities, scores, its conversion record.
    summary["lead"] = Lead.objects.filter(pk=lead.pk).delete()[0]
    return hashed, summary


def _erase_contact_rows(contact: Contact, now) -> tuple[str, dict]:
    from activities.models import Call, Event, Task
    from campaigns.models import CampaignMember

    hashed, summary = _erase_person_rows("contact", contact, now, prefix="contact_")
    summary["contact_memberships"] = CampaignMember.objects.filter(contact=contact).delete()[0]
    summary["contact_activities"] = sum(m.objects.filter(contact=contact).delete()[0] for m in (Task, Event, Call))
    # The record stays (opportunities name it in their roles); the person's values go.
    summary["contact"] = Contact.objects.filter(pk=contact.pk).update(**CONTACT_ERASED, last_modified_at=now)
    return hashed, summary


def _erase(*, leads: list[Lead], contacts: list[Contact], object_name: str, record_id: int, acting_user):
    now = timezone.now()
    summary: dict[str, int] = {}
    hashes: list[str] = []
    done = [_erase_contact_rows(contact, now) for contact in contacts] + [_erase_lead_rows(lead, now) for lead in leads]
    for hashed, part in done:
        hashes.append(hashed)
        for key, count in part.items():
            summary[key] = summary.get(key, 0) + count
    return DataRequest.objects.create(
        kind=DataRequest.Kind.ERASE,
        object_name=object_name,
        record_id=record_id,
        email_hash=next((h for h in hashes if h), ""),
        summary=summary,
        acted_at=now,
        acting_user=acting_user,
    )


@transaction.atomic
def lead_erase(*, lead: Lead, acting_user) -> DataRequest:
    """Erase a lead for good (no Recycle Bin), and when it was converted, the personal data of the
    contact it became (see the module's docstring for what goes and what stays). Its addresses are
    kept only as hashes on the suppression list, so they are never emailed again."""
    require_system_admin(acting_user)
    locked = Lead.objects.select_for_update().filter(pk=lead.pk).first()
    if locked is None:
        raise ValidationError({"__all__": [_("This lead was erased already.")]})
    contacts = list(Contact.objects.select_for_update().filter(pk__in=[c.pk for c in _contacts_of(locked)]))
    return _erase(leads=[locked], contacts=contacts, object_name="lead", record_id=locked.pk, acting_user=acting_user)


@transaction.atomic
def contact_erase(*, contact: Contact, acting_user) -> DataRequest:
    """Erase a contact's personal data and the leads it was converted from (see the module's
    docstring): the contact record stays, emptied, for its account's and opportunities' sake."""
    require_system_admin(acting_user)
    locked = Contact.objects.select_for_update().filter(pk=contact.pk).first()
    if locked is None or (locked.last_name == ERASED_NAME and not locked.email and not locked.first_name):
        raise ValidationError({"__all__": [_("This contact was erased already.")]})
    leads = list(Lead.objects.select_for_update().filter(pk__in=[lead.pk for lead in _leads_of(locked)]))
    return _erase(leads=leads, contacts=[locked], object_name="contact", record_id=locked.pk, acting_user=acting_user)
