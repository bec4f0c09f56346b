"""List email: preview who a template would go to (and who is skipped, and why), create the send
with a row per recipient, and write their outbox rows in batches in the background. Recipients are
leads (a list view selection, a campaign's lead members) and, for a campaign, its contact members.

Every email is an outbox row whose idempotency key is ``list-email:<send>:<lead>`` (a contact's:
``list-email:<send>:contact-<contact>``), and a recipient
row is marked done in the same transaction as its outbox row is written: a worker killed mid-batch
rolls its batch back and the next run (the sweeper restarts stalled sends) writes it again, while a
re-run finds nothing pending and sends nothing twice. Opt-outs are checked again by the outbox when
each email is sent.
"""

from __future__ import annotations

import dataclasses
import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import CharField, F, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Concat, Least
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaigns.models import Campaign
from campaigns.selectors import campaign_is_editable_by
from campaigns.services import campaign_members_add
from consent.services import marketing_blocks
from core.fields import validate_email
from core.roles import may_manage_campaigns
from emails.models import EmailTemplate, OutboundEmail
from emails.rendering import CompiledTemplate, field_map
from emails.services.outbox_batch import OutboxMessage, email_enqueue_many
from leads.models import Lead
from leads.selectors import leads_visible_to
from sales.models import Contact
from sales.selectors import contacts_visible_to

from .models import ListEmailRecipient, ListEmailSend

logger = logging.getLogger(__name__)

MAX_RECIPIENTS = 50_000
BATCH_SIZE = 500
# A send whose task has not moved for this long is started again by the sweeper.
STALLED_AFTER = timedelta(minutes=2)
SENT_STATUS = "Sent"

SKIP_REASONS = {
    "no_email": gettext_lazy("No valid email address"),
    "opt_out": gettext_lazy("Opted out of email"),
    "withdrawn": gettext_lazy("Withdrew marketing consent"),
    "pending": gettext_lazy("Has not confirmed the subscription"),
    "suppressed": gettext_lazy("On the suppression list"),
    "duplicate": gettext_lazy("Duplicate address (an earlier recipient has it)"),
    "converted": gettext_lazy("Converted"),
}


@dataclass
class Preview:
    """Who a list email would go to (lead ids and contact ids, in order) and who is skipped, by
    reason."""

    recipients: list[int] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=dict)
    contact_recipients: list[int] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.recipients) + len(self.contact_recipients)

    @property
    def skipped_rows(self) -> list[tuple[str, str, int, list[str]]]:
        """``(reason, label, count, a few names)`` for the reasons that skipped anyone."""
        return [
            (k, str(SKIP_REASONS[k]), self.skipped[k], self.examples.get(k, []))
            for k in SKIP_REASONS
            if self.skipped[k]
        ]


def _valid(address: str) -> bool:
    try:
        validate_email(address)
    except ValidationError:
        return False
    return True


def candidate_leads(*, user, lead_ids=None, campaign: Campaign | None = None) -> QuerySet[Lead]:
    """The leads chosen: ids from a list view selection (or a queryset of a whole list view), or a
    campaign's lead members; only those the user may see."""
    leads = leads_visible_to(user, include_converted=True)
    if campaign is not None:
        return leads.filter(campaign_memberships__campaign=campaign)
    if isinstance(lead_ids, QuerySet):  # a subquery: the leads of a list view, however many
        return leads.filter(pk__in=lead_ids)
    return leads.filter(pk__in=[int(i) for i in (lead_ids or [])])


def candidate_contacts(*, user, campaign: Campaign | None) -> QuerySet[Contact]:
    """A campaign's contact members that the user may see (none without a campaign)."""
    if campaign is None:
        return Contact.objects.none()
    return contacts_visible_to(user).filter(campaign_memberships__campaign=campaign)


def _screen(preview: Preview, rows, *, object_name: str, seen: set[str], into: list[int]) -> None:
    """Sort ``(id, email, opt out, converted, first, last)`` rows into recipients (``into``) and
    the skipped, by reason; ``seen`` holds the addresses of earlier recipients."""
    names: dict[int, str] = {}
    usable: list[tuple[int, str]] = []

    def skip(reason: str, pk: int) -> None:
        preview.skipped[reason] += 1
        examples = preview.examples.setdefault(reason, [])
        if len(examples) < 5:
            examples.append(names[pk])

    for pk, email, opt_out, converted, first, last in rows:
        names[pk] = " ".join(p for p in (first, last) if p) or f"#{pk}"
        address = (email or "").strip()
        if converted:
            skip("converted", pk)
        elif not address or not _valid(address):
            skip("no_email", pk)
        elif opt_out:
            skip("opt_out", pk)
        else:
            usable.append((pk, address))
    blocked = marketing_blocks(usable, object_name=object_name)
    for pk, address in usable:
        if pk in blocked:
            skip(blocked[pk], pk)
            continue
        key = address.lower()
        if key in seen:
            skip("duplicate", pk)
            continue
        seen.add(key)
        into.append(pk)


def list_email_preview(*, leads: QuerySet[Lead], contacts: QuerySet[Contact] | None = None) -> Preview:
    """Who of ``leads`` (and ``contacts``, a campaign's contact members) gets the email; the others
    are skipped with a reason: no (valid) address, opted out or withdrew consent (or awaits
    confirmation, or suppressed), converted, or an address an earlier recipient already has (leads
    come first, then contacts)."""
    preview = Preview()
    seen: set[str] = set()
    lead_rows = leads.order_by("id").values_list(
        "id", "email", "email_opt_out", "is_converted", "first_name", "last_name"
    )[: MAX_RECIPIENTS * 2]
    _screen(preview, list(lead_rows), object_name="lead", seen=seen, into=preview.recipients)
    if contacts is not None:
        contact_rows = contacts.order_by("id").values_list(
            "id", "email", "email_opt_out", Value(False), "first_name", "last_name"
        )[: MAX_RECIPIENTS * 2]
        _screen(preview, list(contact_rows), object_name="contact", seen=seen, into=preview.contact_recipients)
    return preview


def _check(*, user, template: EmailTemplate | None, record_campaign: Campaign | None) -> None:
    if not may_manage_campaigns(user):
        raise PermissionError(_("Only marketing admins may send list email."))
    errors: dict[str, list[str]] = {}
    if template is None:
        errors["template"] = [_("Choose the email template to send.")]
    elif not template.is_active:
        errors["template"] = [_("Choose an active template.")]
    if record_campaign is not None and not (
        record_campaign.is_active and campaign_is_editable_by(record_campaign, user)
    ):
        errors["campaign"] = [_("Choose an active campaign you may change.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def list_email_create(
    *,
    user,
    template: EmailTemplate | None,
    leads: QuerySet[Lead],
    contacts: QuerySet[Contact] | None = None,
    record_campaign: Campaign | None = None,
    from_name: str = "",
    from_address: str = "",
    reply_to: str = "",
) -> ListEmailSend:
    """Create a list email to the previewed recipients (at most 50,000) and start sending it on
    commit. Raises ``ValidationError`` (nobody to send to, too many, an inactive template)."""
    _check(user=user, template=template, record_campaign=record_campaign)
    preview = list_email_preview(leads=leads, contacts=contacts)
    if not preview.count:
        raise ValidationError({"__all__": [_("Nobody of the chosen leads can receive this email.")]})
    if preview.count > MAX_RECIPIENTS:
        raise ValidationError(
            {
                "__all__": [
                    _("A list email goes to at most %(n)s leads; narrow the selection.") % {"n": f"{MAX_RECIPIENTS:,}"}
                ]
            }
        )
    for name, value in (("from_address", from_address), ("reply_to", reply_to)):
        if value and not _valid(value.strip()):
            raise ValidationError({name: [_("Enter a valid email address.")]})
    send = ListEmailSend.objects.create(
        template=template,
        campaign=record_campaign,
        from_name=" ".join((from_name or "").split())[:120],
        from_address=(from_address or "").strip(),
        reply_to=(reply_to or "").strip(),
        total=preview.count,
        skipped=dict(preview.skipped),
        created_at=timezone.now(),
        created_by=user,
    )
    ListEmailRecipient.objects.bulk_create(
        (ListEmailRecipient(send=send, lead_id=lead_id) for lead_id in preview.recipients), batch_size=5000
    )
    ListEmailRecipient.objects.bulk_create(
        (ListEmailRecipient(send=send, contact_id=pk) for pk in preview.contact_recipients), batch_size=5000
    )
    transaction.on_commit(lambda: list_email_start(send_id=send.pk))
    return send


def list_email_start(*, send_id: int) -> None:
    """Hand the send to a worker; with the broker down, the sweeper starts it later."""
    from .tasks import process_list_email

    try:
        process_list_email.delay(send_id)
    except Exception:
        logger.warning("Could not hand list email %s to the broker; the sweeper will retry.", send_id, exc_info=True)


def _add_to_campaign(send: ListEmailSend, leads: list[Lead], contacts: list[Contact]) -> None:
    """Record the send on the campaign: recipients not yet members join it as "Sent"."""
    people = {"leads": leads, "contacts": contacts, "acting_user": send.created_by}
    try:
        campaign_members_add(campaign=send.campaign, status=SENT_STATUS, **people)
    except ValidationError:  # the campaign has no "Sent" status: its default
        campaign_members_add(campaign=send.campaign, status=None, **people)


def recipient_key(send_id: int, *, lead_id: int | None = None, contact_id: int | None = None) -> str:
    return f"list-email:{send_id}:contact-{contact_id}" if contact_id else f"list-email:{send_id}:{lead_id}"


class _ContactAsLead(dict):
    """A contact's values under the lead's field names, so that a lead template ({{Lead.FirstName}})
    merges for a campaign's contact members too: the fields a contact shares with a lead, and its
    account's name as the company."""

    def __init__(self, contact: Contact, lead_fields: dict):
        super().__init__(
            {
                d.api_name: getattr(contact, d.api_name)
                for d in lead_fields.values()
                if not d.is_custom and hasattr(contact, d.api_name)
            }
        )
        self["company"] = contact.account.name if contact.account_id else ""
        self.pk, self.owner = contact.pk, getattr(contact, "owner", None)


def _message(
    send: ListEmailSend, row: ListEmailRecipient, key: str, compiled: CompiledTemplate
) -> OutboxMessage | None:
    """The outbox message of a recipient, or ``None`` when the person has no address (erased or
    emptied since the preview)."""
    common = {
        "template": send.template,
        "kind": OutboundEmail.Kind.LIST_EMAIL,
        "idempotency_key": key,
        "from_name": send.from_name,
        "from_address": send.from_address,
        "reply_to": send.reply_to,
        "is_marketing": True,
    }
    if row.lead is not None and row.lead.email:
        return OutboxMessage.from_template(record=row.lead, to=row.lead.email, compiled=compiled, **common)
    contact = row.contact
    if contact is None or not contact.email:
        return None
    if send.template.object_name == "contact":
        return OutboxMessage.from_template(record=contact, object_name="contact", to=contact.email, **common)
    message = OutboxMessage.from_template(
        record=_ContactAsLead(contact, compiled.fields), to=contact.email, compiled=compiled, **common
    )
    return dataclasses.replace(message, object_name="contact")


def _process_batch(send: ListEmailSend, *, batch_size: int, after: int = 0) -> tuple[int, int] | None:
    """Write the outbox rows of the next pending recipients after id ``after`` (one transaction,
    one multi-row insert, one hand-over to the broker on commit). Answers the emails written and the
    last recipient id; ``None``: none left."""
    with transaction.atomic():
        rows = list(
            ListEmailRecipient.objects.select_for_update(skip_locked=True, of=("self",))
            # Keyset paging: the pending index keeps entries of rows done in this run until a
            # vacuum, and each batch would otherwise walk past all of them again.
            .filter(send=send, is_pending=True, pk__gt=after)
            .select_related("lead", "contact__account")
            .order_by("id")[:batch_size]
        )
        if not rows:
            return None
        keys = {row.pk: recipient_key(send.pk, lead_id=row.lead_id, contact_id=row.contact_id) for row in rows}
        # A row written by an earlier run whose recipient was not marked (cannot happen in one
        # transaction, but the key is the guarantee): it is linked, never written twice.
        existing = set(
            OutboundEmail.objects.filter(idempotency_key__in=keys.values()).values_list("idempotency_key", flat=True)
        )
        messages, waiting = [], []
        # The fields read and the template parsed once for the batch, not once per email.
        compiled = CompiledTemplate(send.template, object_name="lead", fields=field_map("lead"))
        for row in rows:
            if keys[row.pk] in existing:
                continue  # linked below
            message = _message(send, row, keys[row.pk], compiled)
            if message is not None:
                messages.append(message)
                waiting.append(row)
        written, members, contact_members = 0, [], []
        for row, answer in zip(
            waiting, email_enqueue_many(messages=messages, acting_user=send.created_by), strict=True
        ):
            if isinstance(answer, ValidationError):
                logger.warning("List email %s to %s not queued: %s", send.pk, row, "; ".join(answer.messages))
                continue
            written += 1
            if row.contact_id:
                contact_members.append(row.contact)
            elif not row.lead.is_converted:
                members.append(row.lead)
        # One UPDATE per kind of recipient marks the batch done and links each recipient to its
        # outbox row by its key.
        for column, prefix in (("lead_id", f"list-email:{send.pk}:"), ("contact_id", f"list-email:{send.pk}:contact-")):
            ListEmailRecipient.objects.filter(pk__in=[row.pk for row in rows], **{f"{column}__isnull": False}).update(
                is_pending=False,
                outbound_email=Subquery(
                    OutboundEmail.objects.filter(
                        idempotency_key=Concat(Value(prefix), Cast(OuterRef(column), CharField()))
                    ).values("pk")[:1]
                ),
            )
        # Erased since (neither lead nor contact): nothing to send.
        ListEmailRecipient.objects.filter(
            pk__in=[row.pk for row in rows], lead__isnull=True, contact__isnull=True
        ).update(is_pending=False)
        if send.campaign_id and (members or contact_members):
            try:
                _add_to_campaign(send, members, contact_members)
            except PermissionError:
                logger.warning("List email %s: its sender may no longer change campaign %s.", send.pk, send.campaign_id)
        ListEmailSend.objects.filter(pk=send.pk).update(
            # Never past the total, whatever a hand-made re-run of finished rows does.
            processed=Least(F("processed") + len(rows), F("total")),
            touched_at=timezone.now(),
        )
        return written, rows[-1].pk


def list_email_process(*, send_id: int, batch_size: int = BATCH_SIZE) -> int:
    """The task's work: batches until no recipient is pending, then the send is done. Safe to run
    twice and concurrently (pending rows are claimed with SKIP LOCKED). Answers emails queued."""
    send = ListEmailSend.objects.select_related("template", "campaign", "created_by").filter(pk=send_id).first()
    if send is None or send.status == ListEmailSend.Status.DONE:
        return 0
    ListEmailSend.objects.filter(pk=send.pk, status=ListEmailSend.Status.QUEUED).update(
        status=ListEmailSend.Status.SENDING, touched_at=timezone.now()
    )
    total, after = 0, 0
    while (batch := _process_batch(send, batch_size=batch_size, after=after)) is not None:
        written, after = batch
        total += written
    if not ListEmailRecipient.objects.filter(send=send, is_pending=True).exists():
        ListEmailSend.objects.filter(pk=send.pk).exclude(status=ListEmailSend.Status.DONE).update(
            status=ListEmailSend.Status.DONE, finished_at=timezone.now()
        )
    return total


def list_emails_sweep(*, now=None) -> int:
    """Start again the sends that stopped moving (a worker died, the broker was down)."""
    now = now or timezone.now()
    stalled = list(
        ListEmailSend.objects.exclude(status=ListEmailSend.Status.DONE)
        .filter(created_at__lt=now - STALLED_AFTER)
        .exclude(touched_at__gte=now - STALLED_AFTER)
        .values_list("pk", flat=True)[:100]
    )
    for pk in stalled:
        list_email_start(send_id=pk)
    return len(stalled)
