"""Report builder pages: build or edit a report, run a saved one (chart, table, CSV)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from core.forms import apply_service_errors
from core.roles import is_system_admin, require_export

from .builder import OBJECTS, ReportDefinition, run_definition
from .exports import builder_csv_response
from .forms import ObjectChoiceForm, ReportBuilderForm
from .models import SavedReport
from .services import saved_report_create, saved_report_update, saved_reports_visible_to


def _editable(report: SavedReport, user) -> bool:
    return report.owner_id == user.pk or is_system_admin(user)


def _builder_page(request, form, report=None):
    return render(
        request,
        "reports/builder.html",
        {
            "form": form,
            "report": report,
            "object": OBJECTS[form.object_name],
            "field_info": form.field_info(),
            "max_rows": 25,
            "object_form": ObjectChoiceForm(initial={"object": form.object_name}),
        },
    )


@login_required
def builder_new(request):
    object_name = request.GET.get("object") or request.POST.get("object") or "lead"
    if object_name not in OBJECTS:
        object_name = "lead"
    form = ReportBuilderForm.for_report(request.POST if request.method == "POST" else None, object_name=object_name)
    if request.method == "POST" and form.is_valid():
        try:
            report = saved_report_create(data=form.definition_data(), acting_user=request.user)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Report “%(name)s” saved.") % {"name": report.name})
            return redirect("reports:saved", pk=report.pk)
    return _builder_page(request, form)


@login_required
def builder_edit(request, pk: int):
    report = get_object_or_404(saved_reports_visible_to(request.user), pk=pk)
    if not _editable(report, request.user):
        raise PermissionDenied
    form = ReportBuilderForm.for_report(request.POST if request.method == "POST" else None, report=report)
    if request.method == "POST" and form.is_valid():
        try:
            saved_report_update(report=report, data=form.definition_data(), acting_user=request.user)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Report “%(name)s” saved.") % {"name": report.name})
            return redirect("reports:saved", pk=report.pk)
    return _builder_page(request, form, report)


@login_required
def saved_report_run(request, pk: int):
    report = get_object_or_404(saved_reports_visible_to(request.user), pk=pk)
    definition = ReportDefinition.from_saved(report)
    error = ""
    try:
        result = run_definition(definition, user=request.user)
    except ValidationError as exc:
        result, error = None, " ".join(m for ms in exc.message_dict.values() for m in ms)
    chart = None
    if result is not None:
        chart_type = {"stacked_bar": "bar", "donut": "doughnut", "funnel": "bar"}.get(
            report.chart_type, report.chart_type
        )
        chart = {**result.chart, "type": chart_type, "horizontal": report.chart_type == "funnel", "title": report.name}
    return render(
        request,
        "reports/saved_report.html",
        {
            "report": report,
            "result": result,
            "error": error,
            "chart": chart,
            "editable": _editable(report, request.user),
            "summary_keys": list(result.groups[0]["summaries"]) if result and result.groups else [],
        },
    )


@login_required
def saved_report_export(request, pk: int):
    require_export(request.user)
    report = get_object_or_404(saved_reports_visible_to(request.user), pk=pk)
    return builder_csv_response(str(report.pk), run_definition(ReportDefinition.from_saved(report), user=request.user))
