"""REST API of the bulk API (/api/bulk/), after Salesforce's Bulk API 2.0: ingest jobs (create, PUT
CSV to batches/, PATCH the state, results as CSV) and query jobs. Reads start from the user-scoped
selectors; writes call the services (400 with field errors, 403 without the permission)."""

import json

from django.http import FileResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import UnsupportedMediaType, ValidationError
from rest_framework.parsers import BaseParser, JSONParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from core.csv_export import csv_lines
from core.roles import require_export

from ..models import LINE_ENDING_CHARS, IngestJob, JobState, QueryJob
from ..selectors import ingest_jobs_visible_to, ingest_result_rows, query_jobs_visible_to, unprocessed_rows
from ..services import (
    ingest_job_abort,
    ingest_job_close,
    ingest_job_create,
    ingest_job_delete,
    ingest_job_upload,
    query_job_abort,
    query_job_create,
    query_job_delete,
)
from ..services.files import bulk_dir
from .serializers import (
    IngestJobCreateSerializer,
    IngestJobSerializer,
    JobStateSerializer,
    QueryJobCreateSerializer,
    QueryJobSerializer,
)

FIELD_ERRORS = OpenApiResponse(description="Field errors: {field: [messages]}.")
NO_IMPORT = OpenApiResponse(description="The Import permission is needed, or the job is another user's.")
NOT_FOUND = OpenApiResponse(description="No such job, or not one you may see.")
CSV = {(200, "text/csv"): OpenApiTypes.BINARY}
UPLOAD_CHUNK = 256 * 1024


class CSVBodyParser(BaseParser):
    """Declares text/csv bodies; the upload view reads the stream itself, chunk by chunk."""

    media_type = "text/csv"

    def parse(self, stream, media_type=None, parser_context=None):
        return stream


class CSVRenderer(BaseRenderer):
    """Lets clients ask for the CSV downloads with ``Accept: text/csv`` (as Salesforce's clients do);
    the downloads answer their own CSV, and an error is written as JSON text."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return b"" if data is None else json.dumps(data).encode()


CSV_RENDERERS = [JSONRenderer, CSVRenderer]


def _csv_response(rows, job, filename: str) -> StreamingHttpResponse:
    lines = csv_lines(rows, delimiter=job.delimiter, lineterminator=LINE_ENDING_CHARS[job.line_ending])
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def _state_change(request, job, close, abort):
    data = JobStateSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    action_for = close if data.validated_data["state"] == JobState.UPLOAD_COMPLETE else abort
    return action_for(job=job, acting_user=request.user)


@extend_schema_view(
    list=extend_schema(summary="List ingest jobs", description="Your jobs; admins see every job."),
    retrieve=extend_schema(
        summary="Get an ingest job's info",
        description="State, numberRecordsProcessed, numberRecordsFailed, errorMessage and timestamps.",
        responses={200: IngestJobSerializer, 404: NOT_FOUND},
    ),
)
class IngestJobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Bulk API ingest jobs: Lead insert, update, upsert and delete from CSV."""

    serializer_class = IngestJobSerializer
    queryset = IngestJob.objects.none()
    lookup_value_regex = r"\d+"
    parser_classes = [JSONParser]
    filter_backends: list = []

    def get_queryset(self):
        return ingest_jobs_visible_to(self.request.user)

    def _answer(self, job, code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=job.pk)
        return Response(IngestJobSerializer(fresh).data, status=code)

    @extend_schema(
        summary="Create an ingest job",
        description="Opens a job (state Open) for Lead insert, update (matched by Id, Email or a custom field), "
        "upsert (by Email, Id or a custom field) or delete (by Id, to the Recycle Bin). Upload its CSV to "
        "`contentUrl` next. Needs the Import permission.",
        request=IngestJobCreateSerializer,
        responses={201: IngestJobSerializer, 400: FIELD_ERRORS, 403: NO_IMPORT},
    )
    def create(self, request):
        data = IngestJobCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        job = ingest_job_create(
            acting_user=request.user,
            object_name=values["object"],
            operation=values["operation"],
            external_id_field=values["externalIdFieldName"],
            column_delimiter=values["columnDelimiter"],
            line_ending=values["lineEnding"],
            run_assignment=values["runAssignmentRules"],
        )
        return self._answer(job, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Close or abort an ingest job",
        description="`UploadComplete` closes an Open job with data and queues it for a worker; `Aborted` stops a "
        "job that has not ended (batches already committed stay).",
        request=JobStateSerializer,
        responses={200: IngestJobSerializer, 400: FIELD_ERRORS, 403: NO_IMPORT, 404: NOT_FOUND},
    )
    def partial_update(self, request, pk=None):
        job = _state_change(request, self.get_object(), ingest_job_close, ingest_job_abort)
        return self._answer(job)

    @extend_schema(
        summary="Delete an ingest job",
        description="A job that is not running, with its results (the lead import it ran stays, with its undo).",
        responses={204: None, 400: FIELD_ERRORS, 403: NO_IMPORT, 404: NOT_FOUND},
    )
    def destroy(self, request, pk=None):
        ingest_job_delete(job=self.get_object(), acting_user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Upload the job's CSV",
        description="The body is the CSV (Content-Type: text/csv, UTF-8, the job's column delimiter), header row "
        "first: lead field api names (FirstName or first_name, Region__c...) and Id where records are matched by "
        "id. Several uploads may follow while the job is Open, each starting with the same header row. The body "
        "is streamed to disk; at most 150 MB per upload, 1,000,000 records per job. Blank cells leave a field as it "
        "is on update. A `#N/A` cell clears its field on update and upsert, as on Salesforce (blank text, no "
        "number); a row that would clear a required field (LastName, Company) fails, and so does a row whose "
        "match column is `#N/A`. On a new record `#N/A` is a blank cell.",
        request={"text/csv": OpenApiTypes.STR},
        responses={201: IngestJobSerializer, 400: FIELD_ERRORS, 403: NO_IMPORT, 404: NOT_FOUND, 415: OpenApiResponse()},
    )
    @action(detail=True, methods=["put"], parser_classes=[CSVBodyParser])
    def batches(self, request, pk=None):
        job = self.get_object()
        if (request.content_type or "").split(";")[0].strip().lower() != "text/csv":
            raise UnsupportedMediaType(
                request.content_type or "", detail=_("Send the CSV with Content-Type: text/csv.")
            )
        stream = request.stream
        if stream is None:
            raise ValidationError({"file": [_("The request body is empty; send the CSV as text/csv.")]})
        chunks = iter(lambda: stream.read(UPLOAD_CHUNK), b"")
        job = ingest_job_upload(job=job, chunks=chunks, acting_user=request.user)
        return self._answer(job, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Successful records as CSV",
        description="`sf__Id` (the lead), `sf__Created` (true only when the row made a new lead; false when it "
        "updated a lead, or when a duplicate rule attached it to an existing lead, which `sf__Id` then names), then "
        "the row as uploaded. Cells that a spreadsheet would run as formulas start with a quote.",
        responses={**CSV, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["get"], url_path="successfulResults", renderer_classes=CSV_RENDERERS)
    def successful_results(self, request, pk=None):
        job = self.get_object()
        return _csv_response(ingest_result_rows(job, success=True), job, f"job-{job.pk}-success.csv")

    @extend_schema(
        summary="Failed records as CSV",
        description="`sf__Id` (the lead matched, if any), `sf__Error` (the reasons, by field), then the row.",
        responses={**CSV, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["get"], url_path="failedResults", renderer_classes=CSV_RENDERERS)
    def failed_results(self, request, pk=None):
        job = self.get_object()
        return _csv_response(ingest_result_rows(job, success=False), job, f"job-{job.pk}-failed.csv")

    @extend_schema(
        summary="Unprocessed records as CSV",
        description="The records no batch has read (an aborted or failed job's rest; all of them before it ran).",
        responses={**CSV, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["get"], url_path="unprocessedrecords", renderer_classes=CSV_RENDERERS)
    def unprocessed_records(self, request, pk=None):
        job = self.get_object()
        return _csv_response(unprocessed_rows(job), job, f"job-{job.pk}-unprocessed.csv")


@extend_schema_view(
    list=extend_schema(summary="List query jobs", description="Your jobs; admins see every job."),
    retrieve=extend_schema(summary="Get a query job's info", responses={200: QueryJobSerializer, 404: NOT_FOUND}),
)
class QueryJobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Bulk API query jobs: the leads of a list's filters (or a saved list view) written to CSV."""

    serializer_class = QueryJobSerializer
    queryset = QueryJob.objects.none()
    lookup_value_regex = r"\d+"
    parser_classes = [JSONParser]
    filter_backends: list = []

    def get_queryset(self):
        return query_jobs_visible_to(self.request.user)

    def _answer(self, job, code=status.HTTP_200_OK) -> Response:
        return Response(QueryJobSerializer(self.get_queryset().get(pk=job.pk)).data, status=code)

    @extend_schema(
        summary="Create a query job",
        description="Checks the filters and columns (400 with field errors, as the lead export does) and queues a "
        "worker that writes, as CSV, the leads you may see that match. Needs the Export permission.",
        request=QueryJobCreateSerializer,
        responses={
            201: QueryJobSerializer,
            400: FIELD_ERRORS,
            403: OpenApiResponse(description="Export permission needed."),
        },
    )
    def create(self, request):
        data = QueryJobCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        job = query_job_create(
            acting_user=request.user,
            object_name=values["object"],
            filters=values["filters"],
            list_view_id=values["listView"],
            columns=values["columns"],
            column_delimiter=values["columnDelimiter"],
            line_ending=values["lineEnding"],
        )
        return self._answer(job, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Abort a query job",
        request=JobStateSerializer,
        responses={200: QueryJobSerializer, 400: FIELD_ERRORS, 404: NOT_FOUND},
    )
    def partial_update(self, request, pk=None):
        job = self.get_object()
        data = JobStateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if data.validated_data["state"] != JobState.ABORTED:
            raise ValidationError({"state": [_("A query job can only be aborted.")]})
        return self._answer(query_job_abort(job=job, acting_user=request.user))

    @extend_schema(summary="Delete a query job", responses={204: None, 400: FIELD_ERRORS, 404: NOT_FOUND})
    def destroy(self, request, pk=None):
        query_job_delete(job=self.get_object(), acting_user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="The query's results as CSV",
        description="Streamed once the job is JobComplete; needs the Export permission.",
        responses={
            **CSV,
            400: FIELD_ERRORS,
            403: OpenApiResponse(description="Export permission needed."),
            404: NOT_FOUND,
        },
    )
    @action(detail=True, methods=["get"], renderer_classes=CSV_RENDERERS)
    def results(self, request, pk=None):
        job = self.get_object()
        require_export(request.user)
        if job.state != JobState.JOB_COMPLETE:
            raise ValidationError({"state": [_("The results are ready once the job is JobComplete.")]})
        path = bulk_dir() / job.stored_file
        if not path.exists():
            raise ValidationError({"state": [_("The results file is no longer on the server.")]})
        response = FileResponse(path.open("rb"), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="query-{job.pk}.csv"'
        response["Cache-Control"] = "no-store"
        return response
