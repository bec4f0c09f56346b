"""Report rollups (facts kept up to date from the leads, so that reports at a million leads read a
few thousand rows instead of scanning the leads and their history) and the report builder's saved
definitions, folders and schedules."""

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class LeadFact(models.Model):
    """One row per lead: what the reports need of it, with the status history already read.

    ``lead`` becomes NULL when the lead is deleted; the rollup refresh then recounts the lead's
    day and removes the row."""

    lead = models.OneToOneField("leads.Lead", null=True, on_delete=models.SET_NULL, related_name="+", db_index=True)
    created_day = models.DateField()
    created_at = models.DateTimeField()
    lead_source = models.CharField(max_length=120, blank=True)
    status = models.CharField(max_length=120)
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    owner_queue = models.ForeignKey(
        "leads.Queue", null=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    is_converted = models.BooleanField(default=False)
    # Since when its owner has it (the queue backlog's waits).
    owner_assigned_at = models.DateTimeField(null=True)
    # The funnel's stages, from the status history and the current status.
    reached_working = models.BooleanField(default=False)
    reached_qualified = models.BooleanField(default=False)
    seconds_to_convert = models.FloatField(null=True)
    # Creation to the first touch by a person (status change, note, call or email); NULL: untouched.
    seconds_to_first_touch = models.FloatField(null=True)
    refreshed_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["created_day"], name="report_leadfact_day_idx"),
            models.Index(fields=["lead"], condition=Q(lead__isnull=True), name="report_leadfact_gone_idx"),
            # Conversion times: only the converted leads' facts.
            models.Index(
                fields=["created_day", "lead_source", "seconds_to_convert"],
                condition=Q(is_converted=True),
                name="report_leadfact_conv_idx",
            ),
            # The queue backlog: the leads waiting in a queue, read without the lead rows.
            models.Index(
                fields=["owner_queue", "owner_assigned_at"],
                condition=Q(owner_queue__isnull=False, is_converted=False, lead__isnull=False),
                name="report_leadfact_waiting_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"lead {self.lead_id} ({self.created_day})"


class LeadDailyCount(models.Model):
    """Leads created per day and per dimension (source, status, owner), counted from ``LeadFact``:
    a day's rows are recounted as a whole whenever one of its leads changes."""

    day = models.DateField()
    lead_source = models.CharField(max_length=120, blank=True)
    status = models.CharField(max_length=120)
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    owner_queue = models.ForeignKey(
        "leads.Queue", null=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    leads = models.PositiveIntegerField()
    working = models.PositiveIntegerField()
    qualified = models.PositiveIntegerField()
    converted = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["day", "lead_source"], name="report_daily_day_idx")]

    def __str__(self) -> str:
        return f"{self.day} {self.lead_source}/{self.status}: {self.leads}"


class LeadDailySourceCount(models.Model):
    """``LeadDailyCount`` without the owner: the rows a report reads when it neither filters nor
    groups by owner (fifty owners make the owner rollup fifty times longer)."""

    day = models.DateField()
    lead_source = models.CharField(max_length=120, blank=True)
    status = models.CharField(max_length=120)
    leads = models.PositiveIntegerField()
    working = models.PositiveIntegerField()
    qualified = models.PositiveIntegerField()
    converted = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["day", "lead_source", "status"], name="report_daysource_idx")]

    def __str__(self) -> str:
        return f"{self.day} {self.lead_source}/{self.status}: {self.leads}"


class StatusStay(models.Model):
    """One visit of a lead in a status (from its creation or a status change to the next change);
    ``seconds`` is NULL while the lead is still in it. Lead dimensions are copied so that the
    time-in-status report filters without joining the leads."""

    fact = models.ForeignKey(LeadFact, on_delete=models.CASCADE, related_name="stays")
    status = models.CharField(max_length=120)
    entered_at = models.DateTimeField()
    seconds = models.FloatField(null=True)
    lead_created_day = models.DateField()
    lead_source = models.CharField(max_length=120, blank=True)
    owner_user_id_copy = models.BigIntegerField(null=True)
    owner_queue_id_copy = models.BigIntegerField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["lead_created_day", "status"], name="report_stay_day_idx"),
            # The open visits (one per unconverted lead): counted per status without reading the
            # rows, and the longest stuck read in the order they began.
            models.Index(
                fields=["lead_created_day", "status", "entered_at"],
                condition=Q(seconds__isnull=True),
                name="report_stay_open_idx",
            ),
            models.Index(fields=["entered_at"], condition=Q(seconds__isnull=True), name="report_stay_open_since_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.status} from {self.entered_at}"


class DurationHistogram(models.Model):
    """Durations counted per logarithmic bucket (``reports.histograms``), per lead creation day
    (``grain`` "d") and per creation month (``grain`` "m", ``day`` its first day: the sum of its
    days), so that a report's medians and 90th percentiles over a year read a few thousand rows.

    Measures: ``stay`` (a finished status visit, by status and lead source), ``touch`` (creation
    to the first touch by a person, by owner; untouched leads in ``UNTOUCHED``) and ``convert``
    (creation to conversion, by lead source). Recounted with the daily counts from the facts."""

    class Measure(models.TextChoices):
        STAY = "stay", "stay"
        TOUCH = "touch", "touch"
        CONVERT = "convert", "convert"

    class Grain(models.TextChoices):
        DAY = "d", "day"
        MONTH = "m", "month"

    measure = models.CharField(max_length=8, choices=Measure.choices)
    grain = models.CharField(max_length=1, choices=Grain.choices)
    day = models.DateField()
    status = models.CharField(max_length=120, blank=True)
    lead_source = models.CharField(max_length=120, blank=True)
    owner_user_id = models.BigIntegerField(null=True)
    owner_queue_id = models.BigIntegerField(null=True)
    bucket = models.SmallIntegerField()
    n = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["measure", "grain", "day"], name="report_hist_day_idx")]

    def __str__(self) -> str:
        return f"{self.measure} {self.grain}{self.day} #{self.bucket}: {self.n}"


class IntakeDailyCount(models.Model):
    """Web-to-Lead submissions received per day, form and outcome, recounted from the submissions
    of a day and form whenever one of them is stored or changes outcome."""

    day = models.DateField()
    form = models.ForeignKey(
        "webtolead.WebToLeadForm", null=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    outcome = models.CharField(max_length=20)
    n = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["day", "form"], name="report_intake_day_idx")]

    def __str__(self) -> str:
        return f"{self.day} {self.form_id} {self.outcome}: {self.n}"


class RollupState(models.Model):
    """How far the rollup sweep has read the leads' last changes (one row)."""

    singleton = models.PositiveSmallIntegerField(primary_key=True, default=1)
    swept_until = models.DateTimeField(null=True)
    # The duration histograms were built from the facts (by the backfill): until then the reports'
    # percentiles read the facts.
    histograms_ready = models.BooleanField(default=False)
    # How far the Web-to-Lead intake sweep has read the submissions; NULL: the daily intake counts
    # were never built, and the intake report reads the submissions.
    intake_swept_until = models.DateTimeField(null=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(singleton=1), name="report_rollupstate_singleton")]

    def __str__(self) -> str:
        return f"swept until {self.swept_until}"


class ReportFolder(models.Model):
    """A folder of saved reports."""

    name = models.CharField(_("name"), max_length=120)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="report_folder_unique_name")]

    def __str__(self) -> str:
        return self.name


class SavedReport(models.Model):
    """A report built by a user: an object, columns, criteria, up to two groupings, summaries and a
    chart type. Private reports are seen by their owner only; shared ones by a role (a group)."""

    class ChartType(models.TextChoices):
        BAR = "bar", _("Bar")
        STACKED_BAR = "stacked_bar", _("Stacked bar")
        LINE = "line", _("Line")
        DONUT = "donut", _("Donut")
        FUNNEL = "funnel", _("Funnel")

    class Sharing(models.TextChoices):
        PRIVATE = "private", _("Private")
        ROLE = "role", _("Shared with a role")

    name = models.CharField(_("name"), max_length=120)
    description = models.CharField(_("description"), max_length=500, blank=True)
    object_name = models.CharField(_("object"), max_length=40)
    columns = models.JSONField(_("columns"), default=list)
    criteria = models.JSONField(_("criteria"), default=list)
    filter_logic = models.CharField(_("filter logic"), max_length=1000, blank=True)
    groupings = models.JSONField(_("groupings"), default=list)
    summaries = models.JSONField(_("summaries"), default=list)
    chart_type = models.CharField(_("chart type"), max_length=20, choices=ChartType.choices, default=ChartType.BAR)
    folder = models.ForeignKey(
        ReportFolder, null=True, blank=True, on_delete=models.SET_NULL, related_name="reports", verbose_name=_("folder")
    )
    sharing = models.CharField(_("sharing"), max_length=10, choices=Sharing.choices, default=Sharing.PRIVATE)
    shared_role = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("role")
    )
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_reports")
    created_at = models.DateTimeField()
    last_modified_at = models.DateTimeField()
    last_modified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(sharing="private") | Q(shared_role__isnull=False), name="report_saved_role_when_shared"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ReportSchedule(models.Model):
    """A saved report emailed (CSV attached, summary table in the body) to chosen users, daily or
    weekly; ``ReportDelivery`` keeps one row per schedule and period, so a period is sent once."""

    class Frequency(models.TextChoices):
        DAILY = "daily", _("Daily")
        WEEKLY = "weekly", _("Weekly")

    report = models.ForeignKey(SavedReport, on_delete=models.CASCADE, related_name="schedules")
    frequency = models.CharField(_("frequency"), max_length=10, choices=Frequency.choices)
    recipients = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", verbose_name=_("recipients"))
    # Sent at the first beat on or after this hour (local time); weekly ones on Mondays.
    send_hour = models.PositiveSmallIntegerField(_("hour"), default=7)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(send_hour__lte=23), name="report_schedule_hour")]

    def __str__(self) -> str:
        return f"{self.report} ({self.frequency})"


class ReportDelivery(models.Model):
    """One period of one schedule: written before its emails, so a period is emailed once."""

    schedule = models.ForeignKey(ReportSchedule, on_delete=models.CASCADE, related_name="deliveries")
    period = models.CharField(max_length=20)
    created_at = models.DateTimeField()
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["schedule", "period"], name="report_delivery_once")]

    def __str__(self) -> str:
        return f"{self.schedule_id} {self.period}"


class ReportDeliveryEmail(models.Model):
    """One recipient's email of a delivery: the CSV of the report as run in the recipient's own
    sharing scope, attached by the outbox when the email is sent."""

    delivery = models.ForeignKey(ReportDelivery, on_delete=models.CASCADE, related_name="emails")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    email = models.ForeignKey("emails.OutboundEmail", null=True, on_delete=models.SET_NULL, related_name="+")
    filename = models.CharField(max_length=120)
    csv = models.TextField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["delivery", "user"], name="report_delivery_email_once")]

    def __str__(self) -> str:
        return f"{self.delivery} to {self.user_id}"


class QueueBacklogSnapshot(models.Model):
    """A queue's backlog at the end of one day: the unconverted leads it owned and since when the
    oldest of them waited. Today's row is rewritten by each snapshot until the day ends; past days
    rebuilt from the owner history are marked ``backfilled``. One row per queue and day."""

    queue = models.ForeignKey("leads.Queue", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    waiting = models.PositiveIntegerField()
    oldest_since = models.DateTimeField(null=True)
    taken_at = models.DateTimeField()
    backfilled = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["queue", "day"], name="report_backlog_one_per_queue_day")]
        indexes = [models.Index(fields=["day", "queue"], name="report_backlog_day_idx")]

    def __str__(self) -> str:
        return f"{self.queue_id} {self.day}: {self.waiting}"
