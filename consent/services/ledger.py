"""The consent ledger: recording grants and withdrawals, and reading a person's state.

A person's state for a purpose is the newest line of their ledger (and of every line about the
same address); at the same instant a withdrawal wins, so a withdrawal always wins over an older
grant. A line that becomes the newest also sets the record's email opt-out, through the record's
own update service, so Field History shows the change.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.registry import run_email_opt_out_hooks
from leads.models import Lead
from leads.services import lead_update
from sales.models import Contact
from sales.services import contact_update

from ..models import ConsentRecord, ConsentText, Purpose, Suppression

Action = ConsentRecord.Action
# At the same instant, the more cautious line wins.
_RANK = {Action.GRANTED: 0, Action.PENDING: 1, Action.WITHDRAWN: 2}


def email_hash(address: str) -> str:
    """The ledger's and the suppression list's key for an address (never the address itself)."""
    address = (address or "").strip().lower()
    return hashlib.sha256(address.encode()).hexdigest() if address else ""


def effective_action(lines: Iterable[tuple[datetime, str]]) -> str | None:
    """The state a ledger's lines ``(occurred_at, action)`` add up to, in any order: the newest
    line's action; at the same instant withdrawn beats pending beats granted. ``None``: no line."""
    best: tuple[datetime, int] | None = None
    action = None
    for at, line_action in lines:
        key = (at, _RANK[line_action])
        if best is None or key > best:
            best, action = key, line_action
    return action


def _person_filter(*, lead: Lead | None, contact: Contact | None, address: str) -> Q:
    where = Q(pk__in=[])
    if lead is not None:
        where |= Q(lead_id=lead.pk)
    if contact is not None:
        where |= Q(contact_id=contact.pk)
    hashed = email_hash(address)
    if hashed:
        where |= Q(email_hash=hashed)
    return where


def consent_lines(*, lead: Lead | None = None, contact: Contact | None = None, address: str = "", purpose: str):
    """The ledger lines about a person (their records and their address) for one purpose."""
    return ConsentRecord.objects.filter(_person_filter(lead=lead, contact=contact, address=address), purpose=purpose)


def consent_state(
    *, lead: Lead | None = None, contact: Contact | None = None, address: str = "", purpose: str
) -> str | None:
    """``granted``, ``pending``, ``withdrawn`` or ``None`` (nothing recorded) for a person."""
    lines = consent_lines(lead=lead, contact=contact, address=address, purpose=purpose)
    return effective_action(lines.values_list("occurred_at", "action"))


def is_suppressed(address: str) -> bool:
    hashed = email_hash(address)
    return bool(hashed) and Suppression.objects.filter(email_hash=hashed).exists()


def _clean(*, purpose: str, action: str, source: str, lead, contact, text, occurred_at, note: str) -> None:
    errors: dict[str, list[str]] = {}
    if purpose not in Purpose.values:
        errors["purpose"] = [_("Choose marketing email or phone.")]
    if action not in Action.values:
        errors["action"] = [_("Choose granted, pending or withdrawn.")]
    if source not in ConsentRecord.Source.values:
        errors["source"] = [_("Unknown source of consent.")]
    if lead is None and contact is None:
        errors["lead"] = [_("Name the lead or the contact.")]
    if text is not None and not isinstance(text, ConsentText):
        errors["text"] = [_("Choose a version of the consent text.")]
    elif text is not None and text.purpose != purpose:
        errors["text"] = [_("This consent text is for another purpose.")]
    if occurred_at is not None and occurred_at > timezone.now() + timedelta(minutes=5):
        errors["occurred_at"] = [_("The time cannot be in the future.")]
    if len(note or "") > 300:
        errors["note"] = [_("Use at most 300 characters.")]
    if errors:
        raise ValidationError(errors)


def _sync_opt_out(line: ConsentRecord, *, lead, contact, acting_user) -> None:
    """Set the records' email opt-out when ``line`` is now the newest marketing email line."""
    if line.purpose != Purpose.MARKETING_EMAIL or line.action == Action.PENDING:
        return
    newest = consent_lines(lead=lead, contact=contact, address="", purpose=line.purpose).values_list(
        "occurred_at", "action"
    )
    if effective_action(newest) != line.action:
        return  # an older line recorded late changes nothing: the newer one stands
    opt_out = line.action == Action.WITHDRAWN
    note = _("Consent %(action)s (%(source)s)") % {
        "action": line.get_action_display().lower(),
        "source": line.get_source_display(),
    }
    if lead is not None and lead.email_opt_out != opt_out:
        lead_update(
            lead=lead,
            data={"email_opt_out": opt_out},
            acting_user=acting_user,
            check_access=False,
            history_note=note,
        )
    if contact is not None and contact.email_opt_out != opt_out:
        contact_update(
            contact=contact,
            data={"email_opt_out": opt_out},
            acting_user=acting_user,
            check_access=False,
            history_note=note,
        )


def _record_unsubscribe_event(line: ConsentRecord, lead: Lead | None) -> None:
    from engagement.services import engagement_event_record

    if lead is None:
        return
    engagement_event_record(
        event_type="unsubscribe",
        source="consent",
        lead=lead,
        external_id=f"consent:{line.pk}",
        properties={"source": line.source},
    )


@transaction.atomic
def consent_record(
    *,
    purpose: str,
    action: str,
    source: str,
    lead: Lead | None = None,
    contact: Contact | None = None,
    acting_user=None,
    ip_address: str | None = None,
    text: ConsentText | None = None,
    occurred_at: datetime | None = None,
    note: str = "",
) -> ConsentRecord:
    """Append a line to a person's ledger. The caller checked that the acting user (if any) may see
    the record. A withdrawal of marketing email sets the email opt-out, records an ``unsubscribe``
    engagement event and tells the apps that send on their own schedule (``core.registry``)."""
    _clean(
        purpose=purpose,
        action=action,
        source=source,
        lead=lead,
        contact=contact,
        text=text,
        occurred_at=occurred_at,
        note=note,
    )
    if lead is not None:
        lead = Lead.objects.select_for_update().get(pk=lead.pk)
    if contact is not None:
        contact = Contact.objects.select_for_update().get(pk=contact.pk)
    now = timezone.now()
    line = ConsentRecord.objects.create(
        lead=lead,
        contact=contact,
        email_hash=email_hash((lead or contact).email),
        purpose=purpose,
        action=action,
        source=source,
        occurred_at=occurred_at or now,
        recorded_at=now,
        ip_address=ip_address or None,
        text=text,
        note=(note or "").strip(),
        created_by=acting_user if getattr(acting_user, "pk", None) else None,
    )
    _sync_opt_out(line, lead=lead, contact=contact, acting_user=acting_user)
    if purpose == Purpose.MARKETING_EMAIL and action == Action.WITHDRAWN:
        _record_unsubscribe_event(line, lead)
        for kind, record in (("lead", lead), ("contact", contact)):
            if record is not None:
                run_email_opt_out_hooks(
                    object_name=kind, record_id=record.pk, reason=line.get_source_display(), acting_user=acting_user
                )
    return line


@transaction.atomic
def consent_text_create(*, purpose: str, text: str, acting_user) -> ConsentText:
    """A new version of a purpose's consent wording (versions are never edited)."""
    from core.roles import require_setup_admin

    require_setup_admin(acting_user)
    text = (text or "").strip()
    errors: dict[str, list[str]] = {}
    if purpose not in Purpose.values:
        errors["purpose"] = [_("Choose marketing email or phone.")]
    if not text:
        errors["text"] = [_("Write the text people agree to.")]
    elif len(text) > 2000:
        errors["text"] = [_("Use at most 2000 characters.")]
    if errors:
        raise ValidationError(errors)
    # One version number per purpose at a time: the lock orders concurrent creates.
    last = ConsentText.objects.select_for_update().filter(purpose=purpose).order_by("-version").first()
    return ConsentText.objects.create(
        purpose=purpose,
        version=(last.version if last else 0) + 1,
        text=text,
        created_at=timezone.now(),
        created_by=acting_user if getattr(acting_user, "pk", None) else None,
    )


def conversion_carry_consent(*, conversion, acting_user) -> None:
    """On conversion: the contact inherits the lead's ledger (its lines name the contact too) and
    its state, so a withdrawal survives the conversion."""
    contact = conversion.contact
    if contact is None:
        return
    ConsentRecord.objects.filter(lead=conversion.lead, contact__isnull=True).update(contact=contact)
    state = consent_state(lead=conversion.lead, contact=contact, purpose=Purpose.MARKETING_EMAIL)
    if state == Action.WITHDRAWN and not contact.email_opt_out:
        contact_update(
            contact=contact,
            data={"email_opt_out": True},
            acting_user=acting_user,
            check_access=False,
            history_note=_("Consent withdrawn on the converted lead"),
        )


def marketing_blocks(people: list[tuple[int, str]], *, chunk: int = 5000, object_name: str = "lead") -> dict[int, str]:
    """For many leads (or contacts) at once (``(id, address)``), why marketing email must not go to
    them: ``{id: "withdrawn" | "pending" | "suppressed"}`` (absent: it may go). Reads the ledger by
    record and by address in chunks, and the suppression list."""
    column = "contact_id" if object_name == "contact" else "lead_id"
    blocked: dict[int, str] = {}
    for start in range(0, len(people), chunk):
        part = people[start : start + chunk]
        hashes = {lead_id: email_hash(address) for lead_id, address in part}
        suppressed = set(
            Suppression.objects.filter(email_hash__in=[h for h in hashes.values() if h]).values_list(
                "email_hash", flat=True
            )
        )
        by_lead: dict[int, list] = {}
        by_hash: dict[str, list] = {}
        lines = ConsentRecord.objects.filter(
            Q(**{f"{column}__in": list(hashes)}) | Q(email_hash__in=[h for h in hashes.values() if h]),
            purpose=Purpose.MARKETING_EMAIL,
        ).values_list(column, "email_hash", "occurred_at", "action")
        for lead_id, hashed, at, action in lines:
            by_lead.setdefault(lead_id, []).append((at, action))
            if hashed:
                by_hash.setdefault(hashed, []).append((at, action))
        for lead_id, hashed in hashes.items():
            if hashed and hashed in suppressed:
                blocked[lead_id] = "suppressed"
                continue
            state = effective_action(by_lead.get(lead_id, []) + by_hash.get(hashed, []))
            if state in (Action.WITHDRAWN, Action.PENDING):
                blocked[lead_id] = state
    return blocked
