"""List email: one template sent to many leads at once, with a row per recipient so that a worker
that dies mid-send loses nothing and a re-run sends nobody twice."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ListEmailSend(models.Model):
    """One list email: its template, sender, optional campaign, and progress. The recipients were
    chosen (and the skipped counted) when it was created; a task writes their outbox rows in
    batches until none is pending."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        DONE = "done", _("Done")

    template = models.ForeignKey("emails.EmailTemplate", on_delete=models.PROTECT, related_name="+")
    # Recorded as a send of this campaign: recipients who are not yet members join it as "Sent".
    campaign = models.ForeignKey(
        "campaigns.Campaign", null=True, blank=True, on_delete=models.SET_NULL, related_name="list_emails"
    )
    from_name = models.CharField(max_length=120, blank=True)
    from_address = models.EmailField(max_length=254, blank=True)
    reply_to = models.EmailField(max_length=254, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    # Recipients handled so far (their outbox row written, or passed over: erased since).
    processed = models.PositiveIntegerField(default=0)
    # Who was left out when it was created, by reason: {"opt_out": n, "no_email": n, "duplicate": n, ...}.
    skipped = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    # Set by the task on each batch: the sweeper restarts a send that stopped moving.
    touched_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["queued", "sending", "done"]), name="listemail_status_valid"
            ),
            models.CheckConstraint(condition=Q(processed__lte=models.F("total")), name="listemail_processed_le_total"),
        ]

    def __str__(self) -> str:
        return f"{self.template} to {self.total}"


class ListEmailRecipient(models.Model):
    """One lead or contact (a campaign's contact members) a list email goes to; ``outbound_email``
    is set when its outbox row was written. Both empty: the person was erased since."""

    send = models.ForeignKey(ListEmailSend, on_delete=models.CASCADE, related_name="recipients")
    lead = models.ForeignKey("leads.Lead", null=True, on_delete=models.SET_NULL, related_name="+")
    contact = models.ForeignKey("sales.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    outbound_email = models.ForeignKey(
        "emails.OutboundEmail", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_pending = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["send", "lead"], name="listemail_recipient_unique"),
            models.UniqueConstraint(
                fields=["send", "contact"],
                condition=Q(contact__isnull=False),
                name="listemail_recipient_contact_unique",
            ),
            models.CheckConstraint(
                condition=Q(lead__isnull=True) | Q(contact__isnull=True), name="listemail_recipient_lead_or_contact"
            ),
        ]
        indexes = [
            models.Index(fields=["send", "id"], condition=Q(is_pending=True), name="listemail_pending_idx"),
        ]

    def __str__(self) -> str:
        if self.contact_id:
            return f"Contact {self.contact_id} of list email {self.send_id}"
        return f"Lead {self.lead_id} of list email {self.send_id}"
