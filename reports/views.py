"""Report pages: the list of standard reports, one report (chart, table, filters) and its CSV."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import render

from core.roles import require_export
from leads.filters import LeadFilter

from .exports import csv_response
from .selectors import REPORTS, ReportParamsError, ReportParamsForm, reports_for, run_report
from .services import saved_reports_visible_to


def _spec_or_404(key: str):
    if key not in REPORTS:
        raise Http404
    return REPORTS[key]


@login_required
def report_list(request):
    saved = saved_reports_visible_to(request.user).order_by("folder__name", "name")
    return render(request, "reports/report_list.html", {"reports": reports_for(request.user), "saved": saved})


def _bootstrap(form) -> None:
    """Bootstrap classes on the filter inputs, as the other list pages have them."""
    for bound in form:
        widget = bound.field.widget
        if isinstance(widget, forms.CheckboxSelectMultiple):
            widget.attrs["class"] = "form-check-input"
        elif isinstance(widget, forms.Select):
            widget.attrs["class"] = "form-select"
        else:
            widget.attrs["class"] = "form-control"


def _table(result) -> list[list[dict]]:
    """Rows of cells ({value, link, numeric}) in column order, for the template."""
    table = []
    for index, row in enumerate(result.rows):
        links = result.links[index] if index < len(result.links) else {}
        table.append(
            [{"value": row.get(c["key"]), "link": links.get(c["key"]), "numeric": c["numeric"]} for c in result.columns]
        )
    return table


@login_required
def report_detail(request, key: str):
    spec = _spec_or_404(key)
    if spec.admins_only and key not in {s.key for s in reports_for(request.user)}:
        raise PermissionDenied
    lead_filter = LeadFilter(request.GET or None)
    options = ReportParamsForm(request.GET or None)
    _bootstrap(lead_filter.form)
    _bootstrap(options)
    context = {"spec": spec, "lead_form": lead_filter.form, "options": options, "errors": None, "result": None}
    try:
        _spec, params, result = run_report(user=request.user, key=key, data=request.GET)
    except ReportParamsError as exc:
        context["errors"] = exc.errors
    else:
        has_data = any(c["numeric"] and row.get(c["key"]) for row in result.rows for c in result.columns)
        context.update(
            result=result,
            params=params,
            table=_table(result),
            has_data=has_data,
            chart={**result.chart, "title": str(spec.title)},
            export_query=request.GET.urlencode(),
        )
    return render(request, "reports/report_detail.html", context)


@login_required
def report_export(request, key: str):
    require_export(request.user)
    spec = _spec_or_404(key)
    try:
        spec, _params, result = run_report(user=request.user, key=key, data=request.GET)
    except ReportParamsError as exc:
        return HttpResponseBadRequest("\n".join(m for messages in exc.errors.values() for m in messages))
    return csv_response(spec, result)
