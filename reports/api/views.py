"""The standard reports over the API, run in the caller's sharing scope like the pages."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, PolymorphicProxySerializer, extend_schema
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from core.roles import require_export
from reports.builder import PREVIEW_ROWS, ReportDefinition, run_definition
from reports.exports import builder_csv_response, csv_response
from reports.selectors import REPORTS, ReportParamsError, reports_for, run_report
from reports.services import saved_report_create, saved_reports_visible_to

from .serializers import (
    BuilderRunSerializer,
    ReportDefinitionSerializer,
    ReportRunSerializer,
    ReportSerializer,
    SavedReportInputSerializer,
    SavedReportSerializer,
)

RUN_RESULT = PolymorphicProxySerializer(
    component_name="ReportRunResult",
    serializers=[ReportRunSerializer, BuilderRunSerializer],
    resource_type_field_name=None,
)
FIELD_ERRORS = OpenApiResponse(description="Field errors: {parameter: [messages]}.")
FORBIDDEN = OpenApiResponse(description="The report is for marketing admins.")
PARAMETERS = [
    OpenApiParameter("key", str, OpenApiParameter.PATH, description="A standard report's key, or a saved report's id."),
    OpenApiParameter("created_from", OpenApiTypes.DATE, description="First day (default: 29 days ago)."),
    OpenApiParameter("created_to", OpenApiTypes.DATE, description="Last day (default: today)."),
    OpenApiParameter("owner", str, description="user:<id> or queue:<id>, as on the lead list."),
    OpenApiParameter("status", str, many=True, description="Lead status API names."),
    OpenApiParameter("lead_source", str, description="Lead source API name."),
    OpenApiParameter("period", str, enum=["day", "week", "month"], description="leads-created: period."),
    OpenApiParameter(
        "group", str, enum=["lead_source", "status", "owner", "country"], description="leads-created: group."
    ),
    OpenApiParameter("by", str, enum=["lead_source", "owner"], description="funnel: group."),
    OpenApiParameter("stuck_days", int, description="time-in-status: stuck after N days (default 14)."),
    OpenApiParameter("form", int, description="web-to-lead-intake: form id."),
]


class CSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return str(data).encode()


def _run(request, key: str):
    if key not in REPORTS:
        raise Http404
    try:
        return run_report(user=request.user, key=key, data=request.query_params)
    except PermissionDenied:
        raise
    except ReportParamsError as exc:
        return exc


def _spec_data(spec) -> dict:
    return {
        "key": spec.key,
        "title": str(spec.title),
        "description": str(spec.description),
        "help_text": str(spec.help_text),
        "options": list(spec.options),
        "lead_filters": spec.lead_filters,
    }


def _saved_data(report) -> dict:
    return {
        "id": report.pk,
        "key": str(report.pk),
        "title": report.name,
        "description": report.description,
        "folder": report.folder.name if report.folder_id else "",
        "sharing": report.sharing,
        "shared_role": report.shared_role_id,
        "owner": report.owner_id,
        **ReportDefinition.from_saved(report).as_data(),
    }


def _saved(request, key: str):
    return get_object_or_404(saved_reports_visible_to(request.user), pk=int(key))


class ReportListView(APIView):
    @extend_schema(
        operation_id="reports_list",
        responses={200: ReportSerializer(many=True)},
        tags=["reports"],
        description="The standard reports the caller may run, then the saved reports they may see (with an id).",
    )
    def get(self, request):
        """The standard reports the caller may run, and the saved builder reports they may see."""
        standard = [_spec_data(spec) for spec in reports_for(request.user)]
        return Response(standard + [_saved_data(r) for r in saved_reports_visible_to(request.user)])

    @extend_schema(
        operation_id="reports_create",
        request=SavedReportInputSerializer,
        responses={201: SavedReportSerializer, 400: FIELD_ERRORS},
        tags=["reports"],
    )
    def post(self, request):
        """Save a builder report definition."""
        if not isinstance(request.data, dict):
            return Response({"non_field_errors": ["Send a JSON object."]}, status=400)
        try:
            report = saved_report_create(data=request.data, acting_user=request.user)
        except ValidationError as exc:
            return Response(exc.message_dict, status=400)
        return Response(_saved_data(report), status=201)


class ReportPreviewView(APIView):
    @extend_schema(
        operation_id="reports_preview",
        request=ReportDefinitionSerializer,
        responses={200: BuilderRunSerializer, 400: FIELD_ERRORS},
        tags=["reports"],
        description=(
            "Run a builder definition without saving it, in the caller's sharing scope: its first "
            f"{PREVIEW_ROWS} rows, its groups and its chart."
        ),
    )
    def post(self, request):
        """Preview a builder report before saving it."""
        if not isinstance(request.data, dict):
            return Response({"non_field_errors": ["Send a JSON object."]}, status=400)
        try:
            definition = ReportDefinition.from_data(request.data)
            result = run_definition(definition, user=request.user, limit=PREVIEW_ROWS)
        except ValidationError as exc:
            return Response(exc.message_dict, status=400)
        return Response(builder_run_data(result))


def builder_run_data(result) -> dict:
    return {
        "columns": result.columns,
        "rows": result.rows,
        "total": result.total,
        "truncated": result.truncated,
        "group_columns": result.group_columns,
        "groups": result.groups,
        "chart": result.chart,
    }


class ReportRunView(APIView):
    @extend_schema(
        operation_id="reports_run",
        parameters=PARAMETERS,
        responses={200: RUN_RESULT, 400: FIELD_ERRORS, 403: FORBIDDEN},
        tags=["reports"],
    )
    def get(self, request, key: str):
        """Run a report: a standard one (by key) or a saved one (by id), in the caller's sharing scope."""
        if key.isdigit():
            report = _saved(request, key)
            return Response(builder_run_data(run_definition(ReportDefinition.from_saved(report), user=request.user)))
        outcome = _run(request, key)
        if isinstance(outcome, ReportParamsError):
            return Response(outcome.errors, status=400)
        spec, params, result = outcome
        return Response(
            {
                "key": spec.key,
                "title": str(spec.title),
                "date_from": params.date_from,
                "date_to": params.date_to,
                "columns": [{**c, "label": str(c["label"])} for c in result.columns],
                "rows": result.rows,
                "links": result.links,
                "groups": result.groups,
                "chart": result.chart,
                "extra": result.extra,
                "approximate_percentiles": params.histograms,
            }
        )


class ReportExportView(APIView):
    renderer_classes = [JSONRenderer, CSVRenderer]

    @extend_schema(
        operation_id="reports_export_csv",
        parameters=PARAMETERS,
        responses={(200, "text/csv"): OpenApiTypes.STR, 400: FIELD_ERRORS, 403: FORBIDDEN},
        tags=["reports"],
    )
    def get(self, request, key: str):
        """The report's table as CSV, streamed (with the Export permission)."""
        require_export(request.user)
        if key.isdigit():
            report = _saved(request, key)
            return builder_csv_response(key, run_definition(ReportDefinition.from_saved(report), user=request.user))
        outcome = _run(request, key)
        if isinstance(outcome, ReportParamsError):
            return Response(outcome.errors, status=400)
        spec, _params, result = outcome
        return csv_response(spec, result)
