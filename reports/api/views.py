"""The standard reports over the API, run in the caller's sharing scope like the pages."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from reports.exports import csv_response
from reports.selectors import REPORTS, ReportParamsError, reports_for, run_report

from .serializers import ReportRunSerializer, ReportSerializer

FIELD_ERRORS = OpenApiResponse(description="Field errors: {parameter: [messages]}.")
FORBIDDEN = OpenApiResponse(description="The report is for marketing admins.")
PARAMETERS = [
    OpenApiParameter("key", str, OpenApiParameter.PATH, enum=list(REPORTS), description="The report's key."),
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


class ReportListView(APIView):
    @extend_schema(operation_id="reports_list", responses=ReportSerializer(many=True), tags=["reports"])
    def get(self, request):
        """The standard reports the caller may run."""
        return Response([_spec_data(spec) for spec in reports_for(request.user)])


class ReportRunView(APIView):
    @extend_schema(
        operation_id="reports_run",
        parameters=PARAMETERS,
        responses={200: ReportRunSerializer, 400: FIELD_ERRORS, 403: FORBIDDEN},
        tags=["reports"],
    )
    def get(self, request, key: str):
        """Run a standard report: its table rows, groups, drill-down links and chart data."""
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
        """The report's table as CSV, streamed."""
        outcome = _run(request, key)
        if isinstance(outcome, ReportParamsError):
            return Response(outcome.errors, status=400)
        spec, _params, result = outcome
        return csv_response(spec, result)
