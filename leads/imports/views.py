"""Pages of the lead import: my imports, upload, the mapping step, progress and errors."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.csv_export import Echo, csv_cell
from core.forms import apply_service_errors
from core.roles import is_marketing_admin
from core.selectors import field_labels

from ..fields import OBJECT_NAME
from .forms import LeadImportMappingForm, LeadImportUploadForm
from .models import LeadImport, LeadImportRow
from .parsing import importable_fields
from .selectors import (
    lead_import_created_leads,
    lead_import_failed_rows,
    lead_import_problem_rows,
    lead_import_progress,
    lead_import_sample_rows,
    lead_imports_visible_to,
)
from .services import (
    UNDO_DAYS,
    lead_import_cancel,
    lead_import_dry_run_start,
    lead_import_may_undo,
    lead_import_start,
    lead_import_undo,
    lead_import_upload,
    mapping_template_save,
)

LIST_PAGE_SIZE = 25
ROWS_SHOWN = 200


@login_required
@require_GET
def import_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(lead_imports_visible_to(request.user), LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "leads/imports/import_list.html",
        {"page": page, "imports": page.object_list, "sees_all": is_marketing_admin(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_create(request: HttpRequest) -> HttpResponse:
    form = LeadImportUploadForm(request.POST, request.FILES) if request.method == "POST" else LeadImportUploadForm()
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            lead_import = lead_import_upload(file_name=upload.name, chunks=upload.chunks(), acting_user=request.user)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request,
                ngettext(
                    "Read %(total_rows)s row from “%(file_name)s”. Check the mapping, then start the import.",
                    "Read %(total_rows)s rows from “%(file_name)s”. Check the mapping, then start the import.",
                    lead_import.total_rows,
                )
                % {"total_rows": lead_import.total_rows, "file_name": lead_import.file_name},
            )
            return redirect("leads:import_detail", pk=lead_import.pk)
    return render(request, "leads/imports/import_create.html", {"form": form})


def _labelled_errors(errors: dict[str, list[str]], labels: dict[str, str]) -> list[tuple[str, list[str]]]:
    """A failed row's errors by field label ("Row" for the row as a whole)."""
    return [(_("Row") if field == "__all__" else labels.get(field, field), msgs) for field, msgs in errors.items()]


def _detail_context(request: HttpRequest, lead_import: LeadImport) -> dict:
    labels = field_labels(object_name=OBJECT_NAME)
    failed = list(lead_import_failed_rows(lead_import=lead_import)[:ROWS_SHOWN])
    for row in failed:
        row.error_list = _labelled_errors(row.errors, labels)
    return {
        "lead_import": lead_import,
        "progress": lead_import_progress(lead_import),
        "may_undo": lead_import_may_undo(lead_import, request.user),
        "undo_days": UNDO_DAYS,
        "failed_rows": failed,
        "created_leads": lead_import_created_leads(lead_import=lead_import, limit=ROWS_SHOWN),
        "rows_shown": ROWS_SHOWN,
    }


def _mapping_page(request: HttpRequest, lead_import: LeadImport, form: LeadImportMappingForm) -> HttpResponse:
    samples = lead_import_sample_rows(lead_import=lead_import)
    columns = [
        {"field": field, "samples": [row[index] if index < len(row) else "" for row in samples]}
        for index, field in enumerate(form.column_fields())
    ]
    return render(
        request,
        "leads/imports/import_mapping.html",
        {"lead_import": lead_import, "form": form, "columns": columns},
    )


def _setup(request: HttpRequest, lead_import: LeadImport, form: LeadImportMappingForm) -> bool:
    """Save the template when named, then start the dry run or the import; answers success."""
    dry_run = request.POST.get("action") == "dry_run"
    service = lead_import_dry_run_start if dry_run else lead_import_start
    try:
        with transaction.atomic():
            if form.cleaned_data.get("template_name"):
                mapping_template_save(
                    name=form.cleaned_data["template_name"],
                    headers=lead_import.headers,
                    mapping=form.mapping(),
                    acting_user=request.user,
                )
            service(
                lead_import=lead_import,
                mapping=form.mapping(),
                owner=form.cleaned_data.get("owner"),
                acting_user=request.user,
                **form.options(),
            )
    except ValidationError as exc:
        apply_service_errors(form, exc)
        return False
    except PermissionError as exc:
        form.add_error(None, str(exc))
        return False
    if dry_run:
        messages.info(request, _("Dry run started: nothing is written. The counts appear below."))
    else:
        messages.success(request, _("Import of “%(file_name)s” started.") % {"file_name": lead_import.file_name})
    return True


@login_required
@require_http_methods(["GET", "POST"])
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    lead_import = get_object_or_404(lead_imports_visible_to(request.user), pk=pk)
    if lead_import.status != LeadImport.Status.MAPPING:
        if request.method == "POST":
            messages.info(request, _("This import has already been started."))
            return redirect("leads:import_detail", pk=lead_import.pk)
        context = _detail_context(request, lead_import)
        if request.htmx:
            return render(request, "leads/imports/partials/import_progress.html", context)
        return render(request, "leads/imports/import_detail.html", context)
    if request.htmx and request.method == "GET":
        return render(request, "leads/imports/partials/dry_run.html", {"lead_import": lead_import})
    data = request.POST if request.method == "POST" else None
    form = LeadImportMappingForm(data, lead_import=lead_import, user=request.user)
    if request.method == "POST" and form.is_valid() and _setup(request, lead_import, form):
        return redirect("leads:import_detail", pk=lead_import.pk)
    return _mapping_page(request, lead_import, form)


@login_required
@require_GET
def import_errors_csv(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    """Every row refused or skipped, as the file had it, with its reason: fix and import again."""
    lead_import = get_object_or_404(lead_imports_visible_to(request.user), pk=pk)
    labels = field_labels(object_name=OBJECT_NAME)
    width = len(lead_import.headers)
    writer = csv.writer(Echo())

    def lines():
        yield "\ufeff" + writer.writerow([_("Row"), *(csv_cell(h) for h in lead_import.headers), _("Reason")])
        for row in lead_import_problem_rows(lead_import=lead_import).iterator(chunk_size=2000):
            cells = (list(row.raw_values) + [""] * width)[:width]
            reason = "; ".join(f"{label}: {' '.join(msgs)}" for label, msgs in _labelled_errors(row.errors, labels))
            if row.outcome == LeadImportRow.Outcome.SKIPPED:
                reason = _("Skipped: %(reason)s") % {"reason": reason}
            yield writer.writerow([row.row_number, *(csv_cell(c) for c in cells), csv_cell(reason)])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{lead_import.pk}-errors.csv"'
    return response


@login_required
@require_GET
def import_sample_csv(request: HttpRequest) -> HttpResponse:
    """A header row naming every importable field by its label, and one example row."""
    fields = importable_fields()
    example = {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "company": "Analytical Engines",
        "email": "ada@example.com",
    }
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="lead-import-sample.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([csv_cell(d.label) for d in fields])
    writer.writerow([example.get(d.api_name, "") for d in fields])
    return response


@login_required
@require_POST
def import_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    lead_import = get_object_or_404(lead_imports_visible_to(request.user), pk=pk)
    try:
        lead_import = lead_import_cancel(lead_import=lead_import, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Import of “%(file_name)s” cancelled: %(created)s, %(pending)s.")
            % {
                "file_name": lead_import.file_name,
                "created": ngettext("%(n)s lead created", "%(n)s leads created", lead_import.created_count)
                % {"n": lead_import.created_count},
                "pending": ngettext("%(n)s row not imported", "%(n)s rows not imported", lead_import.pending_count)
                % {"n": lead_import.pending_count},
            },
        )
    return redirect("leads:import_detail", pk=lead_import.pk)


@login_required
@require_POST
def import_undo(request: HttpRequest, pk: int) -> HttpResponse:
    lead_import = get_object_or_404(lead_imports_visible_to(request.user), pk=pk)
    try:
        lead_import_undo(lead_import=lead_import, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Import of “%(file_name)s” undone: its new leads are in the Recycle Bin and updated fields are restored.")
            % {"file_name": lead_import.file_name},
        )
    return redirect("leads:import_detail", pk=lead_import.pk)
