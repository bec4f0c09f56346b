"""Report builder pages: build or edit a report, run a saved one (chart, table, CSV)."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.forms import apply_service_errors
from core.roles import is_system_admin, require_export

from .builder import OBJECTS, PREVIEW_ROWS, ReportDefinition, display_chart, run_definition
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


def _error_list(form, exc: ValidationError | None) -> list[str]:
    """Every message of the form and of the definition's check, each with its field's label."""
    messages_ = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        messages_ += [f"{label}: {e}" if label else str(e) for e in errors]
    if exc is not None:
        for name, errors in exc.message_dict.items():
            label = form.fields[name].label if name in form.fields else ""
            messages_ += [f"{label}: {e}" if label else str(e) for e in errors]
    return messages_


@login_required
@require_POST
def builder_preview(request):
    """The result of the definition being built, not saved (an htmx fragment): its first rows,
    groups and chart, or its errors, in the user's sharing scope."""
    object_name = request.POST.get("object") or "lead"
    if object_name not in OBJECTS:
        object_name = "lead"
    form = ReportBuilderForm.for_report(request.POST, object_name=object_name)
    # A preview needs no name yet.
    form.fields["name"].required = False
    result, chart, problem = None, None, None
    if form.is_valid():
        try:
            definition = ReportDefinition.from_data(form.definition_data())
            result = run_definition(definition, user=request.user, limit=PREVIEW_ROWS)
        except ValidationError as exc:
            problem = exc
        else:
            chart = display_chart(result, definition.chart_type, form.cleaned_data.get("name") or "")
    return render(
        request,
        "reports/_builder_preview.html",
        {
            "result": result,
            "chart_json": json.dumps(chart, cls=DjangoJSONEncoder) if chart else "",
            "errors": _error_list(form, problem),
            "object_name": object_name,
            "summary_keys": list(result.groups[0]["summaries"]) if result and result.groups else [],
        },
    )


@login_required
def saved_report_run(request, pk: int):
    report = get_object_or_404(saved_reports_visible_to(request.user), pk=pk)
    definition = ReportDefinition.from_saved(report)
    error = ""
    try:
        result = run_definition(definition, user=request.user)
    except ValidationError as exc:
        result, error = None, " ".join(m for ms in exc.message_dict.values() for m in ms)
    chart = display_chart(result, report.chart_type, report.name) if result is not None else None
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
