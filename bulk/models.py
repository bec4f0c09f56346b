"""The bulk API's jobs, in the manner of Salesforce's Bulk API 2.0: ingest jobs (CSV uploaded in
parts, then run through the lead import pipeline, or through the Recycle Bin for deletes) with a
result per row, and query jobs (a lead list's filters written to a CSV file by a worker).

The uploaded CSV and a query's result are files under LEADCRM_VAR_DIR; everything else, the
results of each row included, is in the database, written in the same transaction as the batch
that produced it, so that a worker that dies resumes without doing a row twice.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class JobState(models.TextChoices):
    OPEN = "Open", _("Open")
    UPLOAD_COMPLETE = "UploadComplete", _("Upload Complete")
    IN_PROGRESS = "InProgress", _("In Progress")
    JOB_COMPLETE = "JobComplete", _("Job Complete")
    FAILED = "Failed", _("Failed")
    ABORTED = "Aborted", _("Aborted")


# The states a client may PATCH a job to.
STATE_CHANGES = [(JobState.UPLOAD_COMPLETE.value, "UploadComplete"), (JobState.ABORTED.value, "Aborted")]
FINISHED_STATES = (JobState.JOB_COMPLETE, JobState.FAILED, JobState.ABORTED)
ACTIVE_STATES = (JobState.UPLOAD_COMPLETE, JobState.IN_PROGRESS)


class ColumnDelimiter(models.TextChoices):
    COMMA = "COMMA", _("Comma (,)")
    SEMICOLON = "SEMICOLON", _("Semicolon (;)")
    TAB = "TAB", _("Tab")
    PIPE = "PIPE", _("Pipe (|)")
    CARET = "CARET", _("Caret (^)")
    BACKQUOTE = "BACKQUOTE", _("Backquote (`)")


DELIMITER_CHARS = {"COMMA": ",", "SEMICOLON": ";", "TAB": "\t", "PIPE": "|", "CARET": "^", "BACKQUOTE": "`"}


class LineEnding(models.TextChoices):
    LF = "LF", _("LF")
    CRLF = "CRLF", _("CRLF")


LINE_ENDING_CHARS = {"LF": "\n", "CRLF": "\r\n"}


class BulkJob(models.Model):
    """What ingest and query jobs share: the object, how the CSV is laid out, the file under
    LEADCRM_VAR_DIR, the error that ended the job, how many records were processed, and when the
    job was created, changed, started, finished and last moved on by a worker. Abstract: each kind
    of job keeps its own table, its own states (a query job is never Open) and its creator's
    related name."""

    object_name = models.CharField(max_length=40, default="Lead")
    column_delimiter = models.CharField(max_length=10, choices=ColumnDelimiter.choices, default=ColumnDelimiter.COMMA)
    line_ending = models.CharField(max_length=4, choices=LineEnding.choices, default=LineEnding.LF)
    error_message = models.CharField(max_length=1000, blank=True)
    # The CSV under LEADCRM_VAR_DIR, header first: an ingest job's uploads, appended under imports/
    # (where the import pipeline reads), or the result a query job's worker wrote.
    stored_file = models.CharField(max_length=255, blank=True)
    file_size = models.BigIntegerField(default=0)
    records_processed = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()
    system_modstamp = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The last time a worker moved the job on: the sweeper hands jobs that went quiet to a worker.
    last_activity_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]

    @property
    def delimiter(self) -> str:
        return DELIMITER_CHARS[self.column_delimiter]


class IngestJob(BulkJob):
    """A bulk API ingest job: the object and operation, how the CSV is laid out, the file its
    uploads were appended to while Open, and its progress. Inserts, updates and upserts run as a
    lead import (``lead_import``: batches, undo record, resume); deletes run batch by batch here,
    ``next_row`` counting the records of the file that committed batches read."""

    class Operation(models.TextChoices):
        INSERT = "insert", _("Insert")
        UPDATE = "update", _("Update")
        UPSERT = "upsert", _("Upsert")
        DELETE = "delete", _("Delete")

    operation = models.CharField(max_length=10, choices=Operation.choices)
    # The column rows are matched by: "Id" (our lead id), "Email", or a custom field's api name.
    external_id_field = models.CharField(max_length=100, blank=True)
    run_assignment = models.BooleanField(default=False)
    state = models.CharField(max_length=20, choices=JobState.choices, default=JobState.OPEN)
    headers = models.JSONField(default=list, blank=True)
    # The lead field each column fills (aligned with ``headers``; "Id" for the record id).
    mapping = models.JSONField(default=list, blank=True)
    uploads = models.PositiveIntegerField(default=0)
    total_rows = models.PositiveIntegerField(default=0)
    next_row = models.PositiveIntegerField(default=0)
    records_failed = models.PositiveIntegerField(default=0)
    lead_import = models.OneToOneField(
        "leads.LeadImport", null=True, blank=True, on_delete=models.SET_NULL, related_name="bulk_job"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bulk_ingest_jobs")

    class Meta(BulkJob.Meta):
        permissions = [("import_records", "Import")]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=[s.value for s in JobState]), name="bulk_ingest_job_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(operation__in=["insert", "update", "upsert", "delete"]),
                name="bulk_ingest_job_operation_valid",
            ),
            models.CheckConstraint(
                condition=~Q(operation="upsert") | ~Q(external_id_field=""), name="bulk_ingest_upsert_has_key"
            ),
            models.CheckConstraint(
                condition=Q(records_failed__lte=models.F("records_processed")), name="bulk_ingest_failed_within"
            ),
        ]
        indexes = [models.Index(fields=["state", "last_activity_at"], name="bulk_ingest_state_idx")]

    def __str__(self) -> str:
        return f"{self.get_operation_display()} {self.object_name} #{self.pk}"

    @property
    def percent_done(self) -> int:
        if self.state == JobState.JOB_COMPLETE:
            return 100
        return min(100, self.records_processed * 100 // self.total_rows) if self.total_rows else 0


class IngestResult(models.Model):
    """What one record of an ingest job's file became: the lead it created, updated or deleted
    (``record_id``), or why it failed; with its cells as uploaded (long cells cut short)."""

    job = models.ForeignKey(IngestJob, on_delete=models.CASCADE, related_name="results")
    row_number = models.PositiveIntegerField()
    success = models.BooleanField()
    created = models.BooleanField(default=False)
    record_id = models.BigIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    cells = models.JSONField(default=list)

    class Meta:
        ordering = ["job", "row_number"]
        constraints = [
            models.UniqueConstraint(fields=["job", "row_number"], name="bulk_ingest_result_once"),
            models.CheckConstraint(condition=Q(success=True) | ~Q(error=""), name="bulk_ingest_failure_has_error"),
        ]
        indexes = [models.Index(fields=["job", "success", "row_number"], name="bulk_ingest_result_idx")]

    def __str__(self) -> str:
        return f"{self.job_id} row {self.row_number}"


class QueryJob(BulkJob):
    """A bulk API query job: the lead list's filters (FilterSet parameters), a saved list view,
    the columns, and the CSV file a worker wrote of the leads its creator may see."""

    list_view = models.ForeignKey("leads.ListView", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # {"status": ["Working"], "view": ["my"], ...}: the parameters of the lead list and its export.
    filters = models.JSONField(default=dict, blank=True)
    columns = models.JSONField(default=list, blank=True)
    state = models.CharField(max_length=20, choices=JobState.choices, default=JobState.UPLOAD_COMPLETE)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bulk_query_jobs")

    class Meta(BulkJob.Meta):
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=[s.value for s in JobState if s != JobState.OPEN]),
                name="bulk_query_job_state_valid",
            ),
            models.CheckConstraint(
                condition=~Q(state="JobComplete") | ~Q(stored_file=""), name="bulk_query_complete_has_file"
            ),
        ]
        indexes = [models.Index(fields=["state", "last_activity_at"], name="bulk_query_state_idx")]

    def __str__(self) -> str:
        return f"Query {self.object_name} #{self.pk}"
