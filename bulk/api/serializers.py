"""Bulk API payloads, in Salesforce's Bulk API 2.0 names (camelCase), so that its clients work."""

from rest_framework import serializers

from ..models import STATE_CHANGES, ColumnDelimiter, IngestJob, JobState, LineEnding, QueryJob

API_VERSION = 1.0


def _milliseconds(job) -> int:
    if not job.started_at:
        return 0
    end = job.finished_at or job.system_modstamp
    return max(0, int((end - job.started_at).total_seconds() * 1000))


class IngestJobCreateSerializer(serializers.Serializer):
    object = serializers.CharField(help_text="The object loaded: Lead.")
    operation = serializers.ChoiceField(choices=IngestJob.Operation.choices)
    externalIdFieldName = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="update: Id (default), Email or a custom field; upsert: required, Email, Id or a custom field "
        "(such as External_Id__c). Not used by insert and delete.",
    )
    columnDelimiter = serializers.ChoiceField(choices=ColumnDelimiter.choices, default=ColumnDelimiter.COMMA)
    lineEnding = serializers.ChoiceField(
        choices=LineEnding.choices,
        default=LineEnding.LF,
        help_text="The line ends of the result files (uploads may use either).",
    )
    contentType = serializers.ChoiceField(choices=[("CSV", "CSV")], default="CSV")
    runAssignmentRules = serializers.BooleanField(
        default=False, help_text="Inserted leads go through the active assignment rule."
    )


class JobStateSerializer(serializers.Serializer):
    state = serializers.ChoiceField(
        choices=STATE_CHANGES,
        help_text="UploadComplete closes an Open job and queues it; Aborted stops a job that has not ended.",
    )


class _JobInfoSerializer(serializers.Serializer):
    """What ingest and query jobs answer alike."""

    job_type = ""

    id = serializers.IntegerField()
    object = serializers.CharField(source="object_name")
    createdById = serializers.IntegerField(source="created_by_id")
    createdDate = serializers.DateTimeField(source="created_at")
    systemModstamp = serializers.DateTimeField(source="system_modstamp")
    state = serializers.ChoiceField(choices=JobState.choices)
    concurrencyMode = serializers.SerializerMethodField()
    contentType = serializers.SerializerMethodField()
    apiVersion = serializers.SerializerMethodField()
    jobType = serializers.SerializerMethodField()
    lineEnding = serializers.CharField(source="line_ending")
    columnDelimiter = serializers.CharField(source="column_delimiter")
    numberRecordsProcessed = serializers.IntegerField(source="records_processed")
    retries = serializers.SerializerMethodField()
    totalProcessingTime = serializers.SerializerMethodField(help_text="Milliseconds from start to end (or now).")
    errorMessage = serializers.CharField(source="error_message")
    startedDate = serializers.DateTimeField(source="started_at", allow_null=True)
    finishedDate = serializers.DateTimeField(source="finished_at", allow_null=True)

    def get_concurrencyMode(self, obj) -> str:
        return "Parallel"

    def get_contentType(self, obj) -> str:
        return "CSV"

    def get_apiVersion(self, obj) -> float:
        return API_VERSION

    def get_jobType(self, obj) -> str:
        return self.job_type

    def get_retries(self, obj) -> int:
        return 0

    def get_totalProcessingTime(self, obj) -> int:
        return _milliseconds(obj)


class IngestJobSerializer(_JobInfoSerializer):
    job_type = "V2Ingest"

    operation = serializers.CharField()
    externalIdFieldName = serializers.CharField(source="external_id_field")
    contentUrl = serializers.SerializerMethodField()
    runAssignmentRules = serializers.BooleanField(source="run_assignment")
    numberRecordsFailed = serializers.IntegerField(source="records_failed")
    totalRecords = serializers.IntegerField(source="total_rows", help_text="Records uploaded (blank lines aside).")
    uploads = serializers.IntegerField()
    percentDone = serializers.IntegerField(source="percent_done")
    leadImportId = serializers.IntegerField(
        source="lead_import_id", allow_null=True, help_text="The lead import that ran it (its undo and error file)."
    )

    def get_contentUrl(self, obj) -> str:
        return f"api/bulk/jobs/{obj.pk}/batches/"


class QueryJobCreateSerializer(serializers.Serializer):
    object = serializers.CharField(default="Lead", help_text="The object queried: Lead.")
    operation = serializers.ChoiceField(choices=[("query", "query")], default="query")
    filters = serializers.DictField(
        required=False,
        default=dict,
        help_text="The lead list's filter parameters, as /api/leads/ and /api/leads/export.csv take them: "
        '{"view": "my", "status": ["Working"], "q": "acme", "ordering": "-created_at", ...}.',
    )
    listView = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="A saved list view you may see: its filters, sort and columns.",
    )
    columns = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        default=list,
        help_text="Column keys, in order (as the export's).",
    )
    columnDelimiter = serializers.ChoiceField(choices=ColumnDelimiter.choices, default=ColumnDelimiter.COMMA)
    lineEnding = serializers.ChoiceField(choices=LineEnding.choices, default=LineEnding.LF)
    contentType = serializers.ChoiceField(choices=[("CSV", "CSV")], default="CSV")


class QueryJobSerializer(_JobInfoSerializer):
    job_type = "V2Query"

    operation = serializers.SerializerMethodField()
    filters = serializers.JSONField()
    listView = serializers.IntegerField(source="list_view_id", allow_null=True)
    columns = serializers.ListField(child=serializers.CharField())

    def get_operation(self, obj) -> str:
        return "query"


__all__ = ["IngestJobSerializer", "QueryJob", "QueryJobSerializer"]
