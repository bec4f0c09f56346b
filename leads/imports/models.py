"""A CSV import of leads and its rows: stored before any lead exists, so nothing is lost."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy


class LeadImport(models.Model):
    """One uploaded CSV file: its text, the column -> field mapping, the options and the progress.

    ``mapping`` is a list aligned with ``headers``: the lead field api name for each column, or ""
    to skip it. Counters are changed in the same transaction as the row they count.
    """

    class Status(models.TextChoices):
        MAPPING = "mapping", gettext_lazy("Awaiting mapping")
        PENDING = "pending", gettext_lazy("Pending")
        RUNNING = "running", gettext_lazy("Running")
        DONE = "done", gettext_lazy("Done")
        FAILED = "failed", gettext_lazy("Failed")
        CANCELLED = "cancelled", gettext_lazy("Cancelled")

    file_name = models.CharField(max_length=255)
    content = models.TextField()
    delimiter = models.CharField(max_length=1, default=",")
    headers = models.JSONField(default=list)
    mapping = models.JSONField(default=list, blank=True)
    run_assignment = models.BooleanField(default=True)
    send_autoresponse = models.BooleanField(default=False)
    default_lead_source = models.CharField(max_length=120, blank=True)
    # The campaign every new lead joins (an id, tracking code or name; a mapped Campaign_ID column
    # wins for its row), and the member status they join with ("" for the campaign's default).
    campaign = models.CharField(max_length=255, blank=True)
    campaign_status = models.CharField(max_length=120, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.MAPPING)
    failure_reason = models.CharField(max_length=500, blank=True)
    total_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="lead_imports")
    created_at = models.DateTimeField()
    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The last time a worker finished a row: the sweeper re-queues imports that went quiet.
    last_activity_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(created_count__lte=models.F("total_rows") - models.F("error_count")),
                name="lead_import_counters_within_total",
            ),
        ]
        indexes = [models.Index(fields=["status", "last_activity_at"], name="lead_import_status_idx")]

    def __str__(self) -> str:
        return self.file_name

    @property
    def pending_count(self) -> int:
        return max(self.total_rows - self.created_count - self.error_count, 0)

    @property
    def is_active(self) -> bool:
        return self.status in {self.Status.PENDING, self.Status.RUNNING}


class LeadImportRow(models.Model):
    """One data row of an import: its raw cells, and what became of it (a lead, or its errors)."""

    class Outcome(models.TextChoices):
        PENDING = "pending", gettext_lazy("Pending")
        CREATED = "created", gettext_lazy("Created")
        ERROR = "error", gettext_lazy("Error")

    lead_import = models.ForeignKey(LeadImport, on_delete=models.CASCADE, related_name="rows")
    row_number = models.PositiveIntegerField()
    raw_values = models.JSONField(default=list)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    errors = models.JSONField(default=dict, blank=True)
    lead = models.ForeignKey("leads.Lead", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["lead_import", "row_number"]
        constraints = [
            models.UniqueConstraint(fields=["lead_import", "row_number"], name="lead_import_row_unique"),
            models.CheckConstraint(
                condition=Q(outcome="pending") | Q(processed_at__isnull=False),
                name="lead_import_row_processed_has_time",
            ),
        ]
        indexes = [models.Index(fields=["lead_import", "outcome"], name="lead_import_row_outcome_idx")]

    def __str__(self) -> str:
        return f"{self.lead_import_id} row {self.row_number}"
