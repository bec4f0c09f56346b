"""The consent ledger: what each person agreed to or withdrew, when, from where and with which
wording; the addresses never to be emailed again; and the record of data exports and erasures."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Purpose(models.TextChoices):
    MARKETING_EMAIL = "marketing_email", _("Marketing email")
    PHONE = "phone", _("Phone")


class ConsentText(models.Model):
    """One version of the wording shown next to a consent checkbox. Versions are never edited: a
    new wording is a new version, so every ledger row keeps the exact text the person saw."""

    purpose = models.CharField(max_length=30, choices=Purpose.choices, default=Purpose.MARKETING_EMAIL)
    version = models.PositiveIntegerField()
    text = models.TextField(max_length=2000)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["purpose", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["purpose", "version"], name="consenttext_unique_version"),
            models.CheckConstraint(condition=~Q(text=""), name="consenttext_text_required"),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} v{self.version}"


class ConsentRecord(models.Model):
    """One line of a person's consent ledger (append-only). The state for a purpose is the newest
    line; at the same instant a withdrawal wins. ``email_hash`` ties the line to the address too,
    so that a contact made from the lead, or another record with the address, inherits it."""

    class Action(models.TextChoices):
        GRANTED = "granted", _("Granted")
        # Asked on a form with double opt-in: nothing marketing is sent until it is confirmed.
        PENDING = "pending", _("Awaiting confirmation")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Source(models.TextChoices):
        FORM = "form", _("Web form")
        CONFIRMATION = "confirmation", _("Confirmation link")
        IMPORT = "import", _("Import")
        API = "api", _("API")
        PREFERENCE_PAGE = "preference_page", _("Preference page")
        UNSUBSCRIBE_HEADER = "one_click", _("One-click unsubscribe")
        USER = "user", _("Recorded by a user")

    lead = models.ForeignKey(
        "leads.Lead", null=True, blank=True, on_delete=models.SET_NULL, related_name="consent_records"
    )
    contact = models.ForeignKey(
        "sales.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="consent_records"
    )
    # sha256 of the lower-cased address the line was about ("" when the person had none).
    email_hash = models.CharField(max_length=64, blank=True)
    purpose = models.CharField(max_length=30, choices=Purpose.choices)
    action = models.CharField(max_length=20, choices=Action.choices)
    source = models.CharField(max_length=30, choices=Source.choices)
    occurred_at = models.DateTimeField()
    recorded_at = models.DateTimeField()
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    text = models.ForeignKey(ConsentText, null=True, blank=True, on_delete=models.PROTECT, related_name="records")
    note = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-occurred_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=["granted", "pending", "withdrawn"]), name="consentrecord_action_valid"
            ),
            models.CheckConstraint(
                condition=Q(purpose__in=["marketing_email", "phone"]), name="consentrecord_purpose_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["lead", "purpose", "-occurred_at"], name="consent_lead_idx"),
            models.Index(fields=["contact", "purpose", "-occurred_at"], name="consent_contact_idx"),
            models.Index(
                fields=["email_hash", "purpose", "-occurred_at"], condition=~Q(email_hash=""), name="consent_email_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} {self.get_action_display()} ({self.get_source_display()})"


class Suppression(models.Model):
    """An address never to be emailed again although its person was erased: only its hash is kept."""

    email_hash = models.CharField(max_length=64, unique=True)
    reason = models.CharField(max_length=200)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email_hash[:12]}… ({self.reason})"


class FormConsent(models.Model):
    """The consent checkbox of a Web-to-Lead form: the wording shown (a version) and whether the
    grant waits for a confirmation email (double opt-in)."""

    form = models.OneToOneField("webtolead.WebToLeadForm", on_delete=models.CASCADE, related_name="consent")
    text = models.ForeignKey(ConsentText, on_delete=models.PROTECT, related_name="+")
    double_opt_in = models.BooleanField(default=False)
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"Consent on form {self.form_id}"


class DataRequest(models.Model):
    """An export or an erasure of a person's data, by a system admin: the audit trail (no personal
    data: the address is kept as a hash)."""

    class Kind(models.TextChoices):
        EXPORT = "export", _("Export")
        ERASE = "erase", _("Erasure")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    object_name = models.CharField(max_length=40)
    record_id = models.BigIntegerField()
    email_hash = models.CharField(max_length=64, blank=True)
    summary = models.JSONField(default=dict, blank=True)
    acted_at = models.DateTimeField()
    acting_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-acted_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(kind__in=["export", "erase"]), name="datarequest_kind_valid")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.object_name} {self.record_id}"
