"""A person's data: exported as one JSON document, or erased, by a system admin; both recorded in
the ``DataRequest`` audit trail. An erased person's address stays on the suppression list (as a
hash), so nothing is ever sent to it again."""

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
    """Everything held about a lead, as one JSON-ready document."""
    from campaigns.models import CampaignMember
    from emails.models import OutboundEmail
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
        "emails": [
            _row(e, exclude=("claim_token", "idempotency_key"))
            for e in OutboundEmail.objects.filter(object_name="lead", record_id=lead.pk).order_by("created_at", "id")
        ],
    }


@transaction.atomic
def lead_export(*, lead: Lead, acting_user) -> dict:
    """A system admin's export of a lead's data; the export is recorded (not its content)."""
    require_system_admin(acting_user)
    data = lead_export_data(lead=lead)
    DataRequest.objects.create(
        kind=DataRequest.Kind.EXPORT,
        object_name="lead",
        record_id=lead.pk,
        email_hash=email_hash(lead.email),
        summary={key: len(value) for key, value in data.items() if isinstance(value, list)},
        acted_at=timezone.now(),
        acting_user=acting_user,
    )
    return data


@transaction.atomic
def lead_erase(*, lead: Lead, acting_user) -> DataRequest:
    """Erase a lead for good (no Recycle Bin): the lead and what cascades with it (notes,
    memberships, activities, scores), its events, history, emails, web submissions, consent lines
    and the values of its import row (the uploaded file itself is not rewritten). Its address is kept only as a hash on the suppression list, so it is never emailed
    again. A converted lead is refused: its contact, account and opportunity point at it."""
    from emails.models import OutboundEmail
    from engagement.models import EngagementEvent
    from leads.imports.models import LeadImportRow
    from webtolead.models import Intake

    require_system_admin(acting_user)
    locked = Lead.objects.select_for_update().filter(pk=lead.pk).first()
    if locked is None:
        raise ValidationError({"__all__": [_("This lead was erased already.")]})
    if locked.is_converted:
        raise ValidationError(
            {"__all__": [_("A converted lead cannot be erased: its contact, account and opportunity refer to it.")]}
        )
    hashed = email_hash(locked.email)
    now = timezone.now()
    if hashed:
        Suppression.objects.get_or_create(
            email_hash=hashed, defaults={"reason": _("Person's data erased"), "created_at": now}
        )
    summary = {
        "events": EngagementEvent.objects.filter(lead=locked).delete()[0],
        "history": FieldHistory.objects.filter(object_name="lead", record_id=locked.pk).delete()[0],
        "emails": OutboundEmail.objects.filter(object_name="lead", record_id=locked.pk)
        .exclude(status=OutboundEmail.Status.SENDING)
        .delete()[0],
        "consent": ConsentRecord.objects.filter(lead=locked).delete()[0],
        "submissions": Intake.objects.filter(lead=locked).delete()[0],
        # The import row keeps its outcome, not the person's values.
        "import_rows": LeadImportRow.objects.filter(lead=locked).update(raw_values=[]),
    }
    record_id = locked.pk
    summary["lead"] = Lead.objects.filter(pk=record_id).delete()[0]
    return DataRequest.objects.create(
        kind=DataRequest.Kind.ERASE,
        object_name="lead",
        record_id=record_id,
        email_hash=hashed,
        summary=summary,
        acted_at=now,
        acting_user=acting_user,
    )
