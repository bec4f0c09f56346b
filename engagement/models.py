"""Engagement: what leads (and, after conversion, their contacts) do — website visits, form
submits, email opens and clicks — as one append-only table of events, plus the raw rows of the
public tracking endpoint, the tracking settings and each lead's tracking opt-out."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class EngagementSettings(models.Model):
    """Organisation-wide tracking settings; a single row (singleton=1), read through selectors."""

    singleton = models.PositiveSmallIntegerField(default=1, unique=True, editable=False)
    tracking_enabled = models.BooleanField(
        _("website tracking enabled"),
        default=True,
        help_text=_("When off, the tracking script sends nothing and the endpoint stores nothing."),
    )
    email_tracking_enabled = models.BooleanField(
        _("email open and click tracking enabled"),
        default=True,
        help_text=_("Adds an open pixel and tracked links to the HTML emails the app sends to leads."),
    )
    rate_limit_per_minute = models.PositiveIntegerField(
        _("tracking requests per minute and address"),
        default=120,
        help_text=_("Beyond this, requests from one address are answered but not stored; 0 means no limit."),
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("engagement settings")
        verbose_name_plural = _("engagement settings")
        constraints = [models.CheckConstraint(condition=Q(singleton=1), name="engagementsettings_singleton")]

    def __str__(self) -> str:
        return str(_("Engagement settings"))


class LeadTrackingPreference(models.Model):
    """A lead's tracking choice, kept here so the lead table stays the leads app's: a lead that
    opted out gets no new engagement events from the website or from email opens and clicks."""

    lead = models.OneToOneField("leads.Lead", on_delete=models.CASCADE, related_name="tracking_preference")
    tracking_opt_out = models.BooleanField(_("tracking opt-out"), default=False)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.lead_id}: {'opted out' if self.tracking_opt_out else 'tracked'}"


class TrackedVisitor(models.Model):
    """A first-party visitor id (from the tracking script's localStorage) known to belong to a
    lead, because that browser submitted a Web-to-Lead form; its later page views go to the lead."""

    visitor_id = models.CharField(max_length=64, unique=True)
    lead = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, related_name="tracked_visitors")
    linked_at = models.DateTimeField()

    class Meta:
        constraints = [models.CheckConstraint(condition=~Q(visitor_id=""), name="trackedvisitor_id_required")]

    def __str__(self) -> str:
        return f"{self.visitor_id} -> {self.lead_id}"


class TrackingIntake(models.Model):
    """One request to the public tracking endpoint, stored as it came (one insert) and turned into
    an engagement event by a worker — the same store-first pattern as Web-to-Lead's intake."""

    class Outcome(models.TextChoices):
        RECEIVED = "received", _("Received")
        RECORDED = "recorded", _("Recorded")
        IGNORED = "ignored", _("Ignored")

    body = models.TextField()
    content_type = models.CharField(max_length=100, blank=True)
    source_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=500, blank=True)
    received_at = models.DateTimeField()
    outcome = models.CharField(max_length=12, choices=Outcome.choices, default=Outcome.RECEIVED)
    reason = models.CharField(max_length=300, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    event = models.ForeignKey("EngagementEvent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The X-Request-ID of the request that stored the row; the worker processes the row under it.
    request_id = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        indexes = [
            models.Index(fields=["received_at"], condition=Q(outcome="received"), name="trackingintake_received_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.pk} ({self.outcome})"


class EngagementEvent(models.Model):
    """One thing a lead (or an anonymous visitor, by its first-party visitor id) did, at a time.

    Append-only: rows are written by the engagement services and never edited, except that an
    anonymous visitor's rows gain their lead when the visitor becomes one (and their contact after
    conversion). ``external_id`` makes a write idempotent per ``source``. Scoring, MQL and alerts
    read these rows."""

    class Type(models.TextChoices):
        PAGE_VIEW = "page_view", _("Page view")
        FORM_SUBMIT = "form_submit", _("Form submit")
        EMAIL_SENT = "email_sent", _("Email sent")
        EMAIL_OPEN = "email_open", _("Email open")
        EMAIL_CLICK = "email_click", _("Email click")
        UNSUBSCRIBE = "unsubscribe", _("Unsubscribe")
        STATUS_CHANGE = "status_change", _("Status change")
        CUSTOM = "custom", _("Custom")

    lead = models.ForeignKey(
        "leads.Lead", null=True, blank=True, on_delete=models.CASCADE, related_name="engagement_events"
    )
    contact = models.ForeignKey(
        "sales.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="engagement_events"
    )
    visitor_id = models.CharField(max_length=64, blank=True)
    event_type = models.CharField(max_length=20, choices=Type.choices)
    occurred_at = models.DateTimeField()
    recorded_at = models.DateTimeField()
    url = models.URLField(max_length=2000, blank=True)
    referrer = models.CharField(max_length=2000, blank=True)
    title = models.CharField(max_length=500, blank=True)
    outbound_email = models.ForeignKey(
        "emails.OutboundEmail", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    template = models.ForeignKey(
        "emails.EmailTemplate", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    campaign = models.CharField(max_length=255, blank=True)
    properties = models.JSONField(default=dict, blank=True)
    is_machine = models.BooleanField(default=False)
    source = models.CharField(max_length=40)
    external_id = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [
            # A lead's timeline, newest first.
            models.Index("lead", models.F("occurred_at").desc(), name="engagement_lead_time_idx"),
            # Events of a type in a time window (velocity rules, alerts).
            models.Index(fields=["event_type", "occurred_at"], name="engagement_type_time_idx"),
            # An anonymous visitor's visits, attached when the visitor becomes a lead.
            models.Index(fields=["visitor_id"], condition=Q(lead__isnull=True), name="engagement_anon_visitor_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=~Q(external_id=""),
                name="engagement_event_external_id_unique",
            ),
            models.CheckConstraint(
                condition=Q(lead__isnull=False) | Q(contact__isnull=False) | ~Q(visitor_id=""),
                name="engagement_event_has_subject",
            ),
            models.CheckConstraint(condition=~Q(source=""), name="engagement_event_source_required"),
        ]

    def __str__(self) -> str:
        return f"{self.get_event_type_display()} at {self.occurred_at:%Y-%m-%d %H:%M}"
