"""A lead import: the uploaded file (kept on disk), its mapping and options, what each batch did.

Nothing of the file is held in the database but its header and the rows that were refused or
skipped: the worker reads the file from disk in batches, and each batch commits its leads, its
undo record (``LeadImportBatch``) and the import's row offset together, so that a worker that dies
resumes after the last committed batch.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy


class LeadImport(models.Model):
    """One uploaded file (CSV or .xlsx): where it is stored, the column -> field mapping, the
    options, the dry run's findings and the progress.

    ``mapping`` is a list aligned with ``headers``: the lead field api name for each column, or ""
    to skip it. ``next_row`` counts the file's records read by committed batches; counters change
    in the same transaction as the batch they count.
    """

    class Status(models.TextChoices):
        MAPPING = "mapping", gettext_lazy("Awaiting mapping")
        PENDING = "pending", gettext_lazy("Pending")
        RUNNING = "running", gettext_lazy("Running")
        DONE = "done", gettext_lazy("Done")
        FAILED = "failed", gettext_lazy("Failed")
        CANCELLED = "cancelled", gettext_lazy("Cancelled")
        UNDONE = "undone", gettext_lazy("Undone")

    class Mode(models.TextChoices):
        INSERT = "insert", gettext_lazy("Add new leads only")
        UPDATE = "update", gettext_lazy("Update existing leads only")
        UPSERT = "upsert", gettext_lazy("Add new leads and update existing ones")

    class MatchBy(models.TextChoices):
        EMAIL = "email", gettext_lazy("Email")
        EXTERNAL_ID = "external_id", gettext_lazy("External id field")
        RECORD_ID = "record_id", gettext_lazy("Lead id")

    class OnMatch(models.TextChoices):
        SKIP = "skip", gettext_lazy("Skip the row")
        FILL_BLANKS = "fill_blanks", gettext_lazy("Fill blank fields only")
        OVERWRITE = "overwrite", gettext_lazy("Overwrite fields")

    class DryRunStatus(models.TextChoices):
        NONE = "", gettext_lazy("Not run")
        RUNNING = "running", gettext_lazy("Running")
        DONE = "done", gettext_lazy("Done")
        FAILED = "failed", gettext_lazy("Failed")

    file_name = models.CharField(max_length=255)
    # The file under LEADCRM_VAR_DIR/imports/, as uploaded; its detected format and encoding.
    stored_file = models.CharField(max_length=255, blank=True)
    file_format = models.CharField(max_length=10, default="csv")
    file_size = models.BigIntegerField(default=0)
    encoding = models.CharField(max_length=20, default="utf-8-sig")
    delimiter = models.CharField(max_length=1, default=",")
    headers = models.JSONField(default=list)
    mapping = models.JSONField(default=list, blank=True)
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.INSERT)
    match_by = models.CharField(max_length=20, choices=MatchBy.choices, default=MatchBy.EMAIL)
    # The custom field (api name) that carries the other system's record id, for match_by=external_id.
    external_id_field = models.CharField(max_length=100, blank=True)
    on_match = models.CharField(max_length=20, choices=OnMatch.choices, default=OnMatch.SKIP)
    run_assignment = models.BooleanField(default=True)
    send_autoresponse = models.BooleanField(default=False)
    default_lead_source = models.CharField(max_length=120, blank=True)
    default_status = models.CharField(max_length=120, blank=True)
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
    next_row = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    dry_run_status = models.CharField(max_length=10, choices=DryRunStatus.choices, default="", blank=True)
    # {"rows", "created", "updated", "skipped", "rejected", "reasons": {reason: n}, "sample": [...]}
    dry_run = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="lead_imports")
    created_at = models.DateTimeField()
    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The last time a worker committed a batch: the sweeper re-queues imports that went quiet.
    last_activity_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    created_count__lte=models.F("total_rows")
                    - models.F("error_count")
                    - models.F("updated_count")
                    - models.F("skipped_count")
                ),
                name="lead_import_counters_within_total",
            ),
            models.CheckConstraint(
                condition=~Q(match_by="external_id") | ~Q(external_id_field=""),
                name="lead_import_external_id_named",
            ),
        ]
        indexes = [models.Index(fields=["status", "last_activity_at"], name="lead_import_status_idx")]

    def __str__(self) -> str:
        return self.file_name

    @property
    def processed_count(self) -> int:
        return self.created_count + self.updated_count + self.skipped_count + self.error_count

    @property
    def pending_count(self) -> int:
        return max(self.total_rows - self.processed_count, 0)

    @property
    def is_active(self) -> bool:
        return self.status in {self.Status.PENDING, self.Status.RUNNING}

    @property
    def percent_done(self) -> int:
        return 100 if not self.total_rows else min(100, self.processed_count * 100 // self.total_rows)


class LeadImportRow(models.Model):
    """A row of an import that did not become a lead: its raw cells (long cells cut short) and the
    reason (errors by field), or the lead it matched when it was skipped."""

    class Outcome(models.TextChoices):
        PENDING = "pending", gettext_lazy("Pending")
        CREATED = "created", gettext_lazy("Created")
        ERROR = "error", gettext_lazy("Error")
        SKIPPED = "skipped", gettext_lazy("Skipped")

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


class LeadImportBatch(models.Model):
    """One committed batch of an import: the file records it read (``first_row`` to ``end_row``,
    offsets) and what undoing it takes: the leads it created and, for each lead it updated, the
    values its fields had before (``{lead id: {field: old value}}``) and the version it left."""

    lead_import = models.ForeignKey(LeadImport, on_delete=models.CASCADE, related_name="batches")
    first_row = models.PositiveIntegerField()
    end_row = models.PositiveIntegerField()
    created_ids = models.JSONField(default=list, blank=True)
    updated = models.JSONField(default=dict, blank=True)
    committed_at = models.DateTimeField()

    class Meta:
        ordering = ["lead_import", "first_row"]
        constraints = [
            # A batch of the file is written once, whichever worker gets there.
            models.UniqueConstraint(fields=["lead_import", "first_row"], name="lead_import_batch_once"),
            models.CheckConstraint(condition=Q(end_row__gt=models.F("first_row")), name="lead_import_batch_rows"),
        ]

    def __str__(self) -> str:
        return f"{self.lead_import_id} rows {self.first_row}-{self.end_row}"


class LeadImportMappingTemplate(models.Model):
    """A saved column mapping: the lead field each column header (normalised) fills, for files
    laid out the same way again (say, every export of another system)."""

    name = models.CharField(max_length=120)
    columns = models.JSONField(default=dict)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(Lower("name"), "created_by", name="lead_import_template_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name
