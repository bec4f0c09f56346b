"""Web-to-Lead: the organisation's settings, the forms admins build, and the intake log of every
public submission (kept before any lead exists, so nothing a visitor sent is ever lost)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class WebToLeadSettings(models.Model):
    """Organisation-wide Web-to-Lead settings; a single row (singleton=1), read through selectors."""

    singleton = models.PositiveSmallIntegerField(default=1, unique=True, editable=False)
    enabled = models.BooleanField(_("Web-to-Lead enabled"), default=True)
    default_creator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("default lead creator"),
        help_text=_("Creates web leads, owns them when no assignment rule applies, and hears about the daily limit."),
    )
    daily_limit = models.PositiveIntegerField(
        default=500, help_text=_("Leads created from web forms per 24 hours; 0 means no limit.")
    )
    allowed_return_domains = models.TextField(
        blank=True,
        help_text=_(
            "One domain per line (www.example.com, or .example.com for every subdomain). "
            "A return URL elsewhere sends the visitor to the built-in thank-you page."
        ),
    )
    honeypot_enabled = models.BooleanField(
        _("honeypot field"), default=True, help_text=_("A hidden field that people leave empty and bots fill in.")
    )
    min_fill_seconds = models.PositiveSmallIntegerField(
        _("minimum fill time (seconds)"),
        default=3,
        help_text=_("A form sent back faster than this after it was shown is treated as spam; 0 turns it off."),
    )
    rate_limit_per_minute = models.PositiveIntegerField(
        _("submissions per minute per address"),
        default=10,
        help_text=_("More submissions from one network address within a minute are treated as spam; 0 turns it off."),
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "Web-to-Lead settings"
        verbose_name_plural = "Web-to-Lead settings"
        constraints = [models.CheckConstraint(condition=Q(singleton=1), name="webtolead_settings_single_row")]

    def __str__(self) -> str:
        return "Web-to-Lead settings"

    @property
    def return_domains(self) -> list[str]:
        return [line.strip().lower() for line in self.allowed_return_domains.splitlines() if line.strip()]


class WebToLeadForm(models.Model):
    """A web form an admin built: its fields (Salesforce names), defaults and what runs on submit.

    ``fields`` is a list of ``{"name": <Salesforce field name or custom API name>, "label": str,
    "required": bool}`` in display order.
    """

    name = models.CharField(max_length=120)
    public_key = models.CharField(max_length=40, unique=True, editable=False)
    # The Salesforce organisation id (``oid``) of a form moved from Salesforce: its unchanged HTML
    # then finds this form once only the action URL points here.
    salesforce_oid = models.CharField(_("Salesforce organisation id"), max_length=18, blank=True)
    is_active = models.BooleanField(default=True)
    fields = models.JSONField(default=list)
    lead_source = models.CharField(_("default lead source"), max_length=120, blank=True)
    campaign = models.CharField(max_length=255, blank=True)
    return_url = models.URLField(_("return URL"), max_length=500, blank=True)
    run_assignment = models.BooleanField(_("run the active assignment rule"), default=True)
    send_autoresponse = models.BooleanField(_("send the auto-response"), default=True)
    submit_label = models.CharField(max_length=60, default="Submit")
    # The language of the visitor pages (thank-you and error pages); empty: the visitor's browser's.
    language = models.CharField(_("language"), max_length=10, blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="webtolead_webtoleadform_name_ci"),
            models.CheckConstraint(condition=~Q(public_key=""), name="webtolead_form_key_required"),
            models.UniqueConstraint(
                fields=["salesforce_oid"], condition=~Q(salesforce_oid=""), name="webtolead_form_unique_sf_oid"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Intake(models.Model):
    """One public submission, written before anything else happens to it, with its outcome.

    Rows are never deleted by the app: rejected and spam rows can be replayed or released, pending
    rows become leads when the daily window allows.
    """

    class Outcome(models.TextChoices):
        RECEIVED = "received", _("Received")
        CREATED = "created", _("Lead created")
        PENDING = "pending", _("Pending (daily limit)")
        SPAM = "spam", _("Spam")
        REJECTED = "rejected", _("Rejected")
        DUPLICATE = "duplicate", _("Duplicate submit")

    # Every row is written on a public request: the indexes of the columns a fresh row leaves empty
    # are partial (see Meta), so that a new row touches few of them.
    form = models.ForeignKey(
        WebToLeadForm, null=True, blank=True, on_delete=models.PROTECT, related_name="intakes", db_index=False
    )
    form_key = models.CharField(max_length=120, blank=True)
    payload = models.JSONField(default=dict)
    content_type = models.CharField(max_length=100, blank=True)
    received_at = models.DateTimeField()
    source_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.RECEIVED)
    reason = models.CharField(max_length=500, blank=True)
    errors = models.JSONField(default=dict, blank=True)
    # What the visitor is told instead of an internal id; the submits of one rendered form share it.
    public_ref = models.CharField(max_length=32, editable=False)
    # The per-render key of the generated form; set on the row that won it, so a double submit of
    # one rendered form creates one lead (the database holds the rule).
    submission_key = models.CharField(max_length=64, blank=True)
    claimed_key = models.CharField(max_length=64, null=True, blank=True, editable=False)
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    campaign = models.CharField(max_length=255, blank=True)
    # The submission held NUL characters or unpaired UTF-16 surrogates, which the database cannot
    # store: they were replaced by U+FFFD in what is kept here.
    sanitized = models.BooleanField(default=False)
    # Posted values of optional fields that could not be used (a picklist value not in our list,
    # a converted lead status), by posted name: the lead was made without them and notes them.
    unused_values = models.JSONField(default=dict, blank=True)
    lead = models.ForeignKey(
        "leads.Lead", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    processed_at = models.DateTimeField(null=True, blank=True)
    processed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    # The X-Request-ID of the POST that stored the row: the worker makes its lead and queues its
    # auto-response under this id, so one grep of the logs follows the submission to its email.
    request_id = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["form", "claimed_key"],
                condition=Q(claimed_key__isnull=False),
                name="webtolead_intake_one_per_submission_key",
            ),
            models.CheckConstraint(
                condition=~Q(outcome="created") | Q(processed_at__isnull=False), name="webtolead_created_has_time"
            ),
        ]
        indexes = [
            models.Index(fields=["outcome", "received_at", "id"], name="w2l_intake_outcome_idx"),
            models.Index(
                fields=["outcome", "processed_at"],
                condition=Q(processed_at__isnull=False),
                name="w2l_intake_processed_idx",
            ),
            models.Index(fields=["form", "-received_at"], name="w2l_intake_form_idx"),
            models.Index(fields=["lead"], condition=Q(lead__isnull=False), name="w2l_intake_lead_idx"),
            models.Index(fields=["duplicate_of"], condition=Q(duplicate_of__isnull=False), name="w2l_intake_dup_idx"),
            models.Index(fields=["processed_by"], condition=Q(processed_by__isnull=False), name="w2l_intake_by_idx"),
            models.Index(fields=["received_at"], condition=~Q(unused_values={}), name="w2l_intake_unused_idx"),
        ]

    def __str__(self) -> str:
        return f"Submission {self.public_ref}"
