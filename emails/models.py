"""Email templates, the outbox of every outgoing email, and the auto-response rules."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy

from core.rules.models import (
    RuleBase,
    RuleEntryBase,
    entry_unique_order,
    one_active_rule,
    rule_name_required,
    rule_name_unique_ci,
)


class EmailFolder(models.Model):
    """A folder that groups email templates in the template list."""

    name = models.CharField(max_length=120, unique=True)
    description = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="emailfolder_name_required"),
            models.UniqueConstraint(Lower("name"), name="emails_emailfolder_name_ci"),
        ]

    def __str__(self) -> str:
        return self.name


class EmailTemplate(models.Model):
    """A reusable email: subject, text body and optional (sanitised) HTML body with merge fields
    such as ``{{Lead.FirstName|there}}``. Used by auto-responses, notifications and "Send Email"."""

    folder = models.ForeignKey(EmailFolder, null=True, blank=True, on_delete=models.PROTECT, related_name="templates")
    name = models.CharField(max_length=120, unique=True)
    description = models.CharField(max_length=500, blank=True)
    object_name = models.CharField(max_length=40, default="lead")
    subject = models.CharField(max_length=255)
    body_text = models.TextField(max_length=32000)
    body_html = models.TextField(max_length=100000, blank=True)
    is_active = models.BooleanField(default=True)
    # A marketing template's emails carry an unsubscribe link and are refused at send time to people
    # who opted out; the others (notifications, replies) are transactional.
    is_marketing = models.BooleanField("marketing", default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="emailtemplate_name_required"),
            models.UniqueConstraint(Lower("name"), name="emails_emailtemplate_name_ci"),
            models.CheckConstraint(condition=~Q(subject=""), name="emailtemplate_subject_required"),
            models.CheckConstraint(condition=~Q(body_text=""), name="emailtemplate_body_required"),
        ]

    def __str__(self) -> str:
        return self.name


class OutboundEmail(models.Model):
    """One outgoing email: written here (with a unique idempotency key) before it is sent, then
    claimed, sent and marked by a Celery task. Nothing is sent that is not a row first."""

    class Status(models.TextChoices):
        QUEUED = "queued", gettext_lazy("Queued")
        SENDING = "sending", gettext_lazy("Sending")
        SENT = "sent", gettext_lazy("Sent")
        FAILED = "failed", gettext_lazy("Failed")
        # Not sent on purpose (a marketing email to someone who opted out): the reason is last_error.
        SKIPPED = "skipped", gettext_lazy("Skipped")

    class Kind(models.TextChoices):
        AUTO_RESPONSE = "auto_response", gettext_lazy("Auto-response")
        ASSIGNMENT = "assignment_notification", gettext_lazy("Assignment notification")
        NOTIFICATION = "notification", gettext_lazy("Notification")
        MANUAL = "manual", gettext_lazy("Email")
        SYSTEM = "system", gettext_lazy("System")
        LIST_EMAIL = "list_email", gettext_lazy("List email")
        NURTURE = "nurture", gettext_lazy("Nurture email")

    idempotency_key = models.CharField(max_length=200, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    kind = models.CharField(max_length=40, choices=Kind.choices)
    to_address = models.EmailField(max_length=254)
    from_name = models.CharField(max_length=120, blank=True)
    from_address = models.EmailField(max_length=254, blank=True)
    reply_to = models.EmailField(max_length=254, blank=True)
    subject = models.CharField(max_length=255)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    # The record the email is about, addressed by object name and id (emails imports no app).
    object_name = models.CharField(max_length=40, blank=True)
    record_id = models.BigIntegerField(null=True, blank=True)
    template = models.ForeignKey(EmailTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Marketing email (list email, sequence step, a marketing template): checked against consent
    # right before it is sent and given an unsubscribe link; transactional email is neither.
    is_marketing = models.BooleanField(default=False)

    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # Not sent before this time (backoff after a failure).
    next_attempt_at = models.DateTimeField()
    # Last successful hand-over to the broker; the sweeper re-publishes rows never or long ago handed over.
    published_at = models.DateTimeField(null=True, blank=True)
    # Set when a worker claims the row; a different token means another worker owns the attempt.
    claim_token = models.CharField(max_length=40, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    message_id = models.CharField(max_length=255, blank=True)
    # The request id the email was queued under (the HTTP request's, or that of the stored
    # submission a worker processed): its delivery task runs and logs under the same id.
    request_id = models.CharField(max_length=64, blank=True, editable=False)

    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["queued", "sending", "sent", "failed", "skipped"]),
                name="outbound_email_status_valid",
            ),
            models.CheckConstraint(condition=~Q(idempotency_key=""), name="outbound_email_key_required"),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False), name="outbound_email_sent_has_date"
            ),
        ]
        indexes = [
            models.Index(fields=["object_name", "record_id", "-created_at"], name="outbound_email_record_idx"),
            models.Index(fields=["status", "next_attempt_at"], name="outbound_email_due_idx"),
            models.Index(fields=["-created_at", "-id"], name="outbound_email_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to_address}"


class AutoResponseSettings(models.Model):
    """Auto-response settings; a single row: the template sent when no rule entry matches."""

    singleton = models.PositiveSmallIntegerField(default=1, unique=True, editable=False)
    default_template = models.ForeignKey(
        EmailTemplate, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    default_from_name = models.CharField(max_length=120, blank=True)
    default_from_address = models.EmailField(max_length=254, blank=True)
    default_reply_to = models.EmailField(max_length=254, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "auto-response settings"
        verbose_name_plural = "auto-response settings"
        constraints = [models.CheckConstraint(condition=Q(singleton=1), name="autoresponsesettings_single_row")]

    def __str__(self) -> str:
        return "Auto-response settings"


class AutoResponseRule(RuleBase):
    """A set of ordered entries choosing the auto-response template for a new lead (a kind of
    ``core.rules``); one is active."""

    class Meta(RuleBase.Meta):
        constraints = [
            one_active_rule("one_active_autoresponse_rule"),
            rule_name_required("autoresponserule_name_required"),
            rule_name_unique_ci("emails_autoresponserule_name_ci"),
        ]


class AutoResponseEntry(RuleEntryBase):
    """One ordered entry of an auto-response rule: criteria (``core.criteria``) -> a template sent
    from the given name and address. The first entry whose criteria match wins."""

    rule = models.ForeignKey(AutoResponseRule, on_delete=models.CASCADE, related_name="entries")
    template = models.ForeignKey(EmailTemplate, on_delete=models.PROTECT, related_name="+")
    from_name = models.CharField(max_length=120, blank=True)
    from_address = models.EmailField(max_length=254, blank=True)
    reply_to = models.EmailField(max_length=254, blank=True)

    class Meta(RuleEntryBase.Meta):
        verbose_name_plural = "auto-response entries"
        constraints = [entry_unique_order("autoresponse_entry_unique_order")]
