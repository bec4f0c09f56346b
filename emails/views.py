"""Setup pages of the emails app (marketing and system admins): templates and folders, the
outbox, and auto-response rules. Views are thin: permission, form, service, message, redirect."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from core import registry
from core.criteria import describe, field_specs
from core.roles import is_marketing_admin

from . import selectors, services
from .filters import OutboundEmailFilter
from .forms import (
    AutoResponseEntryForm,
    AutoResponseRuleForm,
    AutoResponseSettingsForm,
    EmailTemplateForm,
    FolderForm,
    PreviewForm,
    apply_service_errors,
)
from .models import AutoResponseEntry, AutoResponseRule, EmailFolder, EmailTemplate, OutboundEmail
from .rendering import available_merge_fields, render_template, unknown_merge_fields


def admin_required(view):
    """Marketing admins and system admins only; everyone else gets 403."""

    @wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        if not is_marketing_admin(request.user):
            raise PermissionDenied("Only marketing and system admins may manage email.")
        return view(request, *args, **kwargs)

    return wrapped


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


# Templates and folders -------------------------------------------------------------------------


@admin_required
def template_list(request):
    folder_id = request.GET.get("folder", "")
    folders = list(selectors.folder_list())
    current = next((f for f in folders if str(f.pk) == folder_id), None)
    if folder_id and current is None:
        raise Http404("No such folder.")
    templates = selectors.template_list(folder_id=current.pk if current else None)
    return render(
        request,
        "emails/template_list.html",
        {
            "folders": folders,
            "current_folder": current,
            "templates": templates,
            "total": EmailTemplate.objects.count(),
        },
    )


def _template_form_page(request, form, *, template=None):
    return render(
        request,
        "emails/template_form.html",
        {"form": form, "template": template, "merge_fields": available_merge_fields("lead")},
    )


@admin_required
@require_http_methods(["GET", "POST"])
def template_create(request):
    initial = {"folder": request.GET.get("folder") or None, "is_active": True}
    form = EmailTemplateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            template = services.email_template_create(data=form.cleaned_data, acting_user=request.user)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"Email template “{template.name}” was created.")
            return redirect("emails:template_detail", pk=template.pk)
    return _template_form_page(request, form)


@admin_required
@require_http_methods(["GET", "POST"])
def template_edit(request, pk: int):
    template = get_object_or_404(EmailTemplate, pk=pk)
    form = EmailTemplateForm(request.POST or None, initial=EmailTemplateForm.initial_from(template))
    if request.method == "POST" and form.is_valid():
        try:
            template = services.email_template_update(
                template=template, data=form.cleaned_data, acting_user=request.user
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"Email template “{template.name}” was saved.")
            return redirect("emails:template_detail", pk=template.pk)
    return _template_form_page(request, form, template=template)


def _preview_leads():
    """The leads offered in the preview picker: the most recently changed ones."""
    model = registry.object_spec("lead").model
    return model.objects.order_by("-last_modified_at", "-id")[:50]


def _preview(template: EmailTemplate, lead_id: int | None):
    """Render a template against a lead (admins see every lead); 404 for an unknown lead."""
    if not lead_id:
        return None, None
    model = registry.object_spec("lead").model
    lead = get_object_or_404(model.objects.select_related("owner_user", "owner_queue"), pk=lead_id)
    return lead, render_template(template, record=lead)


@admin_required
def template_detail(request, pk: int):
    template = get_object_or_404(EmailTemplate.objects.select_related("folder", "created_by", "updated_by"), pk=pk)
    form = PreviewForm(request.GET or None)
    lead = rendered = None
    if request.GET and form.is_valid():
        lead, rendered = _preview(template, form.cleaned_data["lead"])
    context = {
        "template": template,
        "preview_form": form,
        "preview_leads": _preview_leads(),
        "lead": lead,
        "rendered": rendered,
        "usages": services.templates.template_usages(template),
        "stale_fields": unknown_merge_fields(template.subject, template.body_text, template.body_html),
    }
    if request.htmx and request.GET:
        return render(request, "emails/partials/template_preview.html", context)
    return render(request, "emails/template_detail.html", context)


@admin_required
@require_POST
def template_delete(request, pk: int):
    template = get_object_or_404(EmailTemplate, pk=pk)
    try:
        services.email_template_delete(template=template, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return redirect("emails:template_detail", pk=pk)
    messages.success(request, f"Email template “{template.name}” was deleted.")
    return redirect("emails:template_list")


@admin_required
@require_http_methods(["GET", "POST"])
def folder_list(request):
    form = FolderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            folder = services.email_folder_create(
                name=form.cleaned_data["name"], description=form.cleaned_data["description"], acting_user=request.user
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"Folder “{folder.name}” was created.")
            return redirect("emails:folder_list")
    return render(request, "emails/folder_list.html", {"folders": selectors.folder_list(), "form": form})


@admin_required
@require_http_methods(["GET", "POST"])
def folder_edit(request, pk: int):
    folder = get_object_or_404(EmailFolder, pk=pk)
    form = FolderForm(request.POST or None, initial={"name": folder.name, "description": folder.description})
    if request.method == "POST" and form.is_valid():
        try:
            services.email_folder_update(folder=folder, acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"Folder “{form.cleaned_data['name']}” was saved.")
            return redirect("emails:folder_list")
    return render(request, "emails/folder_form.html", {"form": form, "folder": folder})


@admin_required
@require_POST
def folder_delete(request, pk: int):
    folder = get_object_or_404(EmailFolder, pk=pk)
    try:
        services.email_folder_delete(folder=folder, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, f"Folder “{folder.name}” was deleted.")
    return redirect("emails:folder_list")


# Outbox ----------------------------------------------------------------------------------------


@admin_required
def outbox(request):
    filterset = OutboundEmailFilter(request.GET, queryset=selectors.outbox_list(user=request.user))
    rows = filterset.qs if filterset.is_valid() else selectors.outbox_list(user=request.user).none()
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "emails/outbox.html",
        {"filter": filterset, "page": page, "query": query.urlencode(), "statuses": OutboundEmail.Status},
    )


@admin_required
def outbox_detail(request, pk: int):
    email = get_object_or_404(selectors.outbox_list(user=request.user), pk=pk)
    return render(request, "emails/outbox_detail.html", {"email": email})


@admin_required
@require_POST
def outbox_retry(request, pk: int):
    email = get_object_or_404(selectors.outbox_list(user=request.user), pk=pk)
    try:
        services.outbound_email_retry(email=email, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, f"The email to {email.to_address} was queued again.")
    return redirect(request.POST.get("next") if request.POST.get("next", "").startswith("/") else "emails:outbox")


# Auto-response rules ---------------------------------------------------------------------------


@admin_required
def autoresponse_list(request):
    settings_row = selectors.autoresponse_settings()
    settings_form = AutoResponseSettingsForm(
        initial={
            "default_template": settings_row.default_template_id,
            "default_from_name": settings_row.default_from_name,
            "default_from_address": settings_row.default_from_address,
            "default_reply_to": settings_row.default_reply_to,
        }
    )
    return render(
        request,
        "emails/autoresponse_list.html",
        {"rules": selectors.autoresponse_rules(), "settings_row": settings_row, "settings_form": settings_form},
    )


@admin_required
@require_POST
def autoresponse_settings(request):
    form = AutoResponseSettingsForm(request.POST)
    if form.is_valid():
        try:
            services.autoresponse_settings_update(acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "The default response was saved.")
            return redirect("emails:autoresponse_list")
    return render(
        request,
        "emails/autoresponse_list.html",
        {
            "rules": selectors.autoresponse_rules(),
            "settings_row": selectors.autoresponse_settings(),
            "settings_form": form,
        },
    )


@admin_required
@require_http_methods(["GET", "POST"])
def autoresponse_create(request):
    form = AutoResponseRuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            rule = services.autoresponse_rule_create(acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"Auto-response rule “{rule.name}” was created. Add its entries.")
            return redirect("emails:autoresponse_detail", pk=rule.pk)
    return render(request, "emails/autoresponse_form.html", {"form": form})


@admin_required
@require_http_methods(["GET", "POST"])
def autoresponse_edit(request, pk: int):
    rule = get_object_or_404(AutoResponseRule, pk=pk)
    form = AutoResponseRuleForm(request.POST or None, initial={"name": rule.name, "description": rule.description})
    if request.method == "POST" and form.is_valid():
        try:
            services.autoresponse_rule_update(rule=rule, acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "The rule was saved.")
            return redirect("emails:autoresponse_detail", pk=rule.pk)
    return render(request, "emails/autoresponse_form.html", {"form": form, "rule": rule})


@admin_required
def autoresponse_detail(request, pk: int):
    rule = get_object_or_404(AutoResponseRule, pk=pk)
    specs = field_specs("lead")
    entries = [
        {"entry": entry, "criteria": [describe(c, specs) for c in entry.criteria or []]}
        for entry in selectors.autoresponse_rule_entries(rule)
    ]
    return render(
        request,
        "emails/autoresponse_detail.html",
        {"rule": rule, "entries": entries, "settings_row": selectors.autoresponse_settings()},
    )


@admin_required
@require_POST
def autoresponse_activate(request, pk: int):
    rule = get_object_or_404(AutoResponseRule, pk=pk)
    try:
        if request.POST.get("active") == "0":
            services.autoresponse_rule_deactivate(rule=rule, acting_user=request.user)
            messages.success(request, f"“{rule.name}” was deactivated: only the default response is sent now.")
        else:
            services.autoresponse_rule_activate(rule=rule, acting_user=request.user)
            messages.success(request, f"“{rule.name}” is now the active auto-response rule.")
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    return redirect("emails:autoresponse_detail", pk=rule.pk)


@admin_required
@require_POST
def autoresponse_delete(request, pk: int):
    rule = get_object_or_404(AutoResponseRule, pk=pk)
    try:
        services.autoresponse_rule_delete(rule=rule, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return redirect("emails:autoresponse_detail", pk=rule.pk)
    messages.success(request, f"Auto-response rule “{rule.name}” was deleted.")
    return redirect("emails:autoresponse_list")


def _entry_rows(entry: AutoResponseEntry | None) -> int:
    return max(5, len(entry.criteria or []) + 2) if entry else 5


def _entry_form_page(request, form, *, rule, entry=None):
    return render(request, "emails/autoresponse_entry_form.html", {"form": form, "rule": rule, "entry": entry})


@admin_required
@require_http_methods(["GET", "POST"])
def autoresponse_entry_create(request, pk: int):
    rule = get_object_or_404(AutoResponseRule, pk=pk)
    form = AutoResponseEntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.autoresponse_entry_create(rule=rule, data=form.cleaned_data, acting_user=request.user)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "The rule entry was added.")
            return redirect("emails:autoresponse_detail", pk=rule.pk)
    return _entry_form_page(request, form, rule=rule)


@admin_required
@require_http_methods(["GET", "POST"])
def autoresponse_entry_edit(request, pk: int):
    entry = get_object_or_404(AutoResponseEntry.objects.select_related("rule"), pk=pk)
    rows = _entry_rows(entry)
    form = AutoResponseEntryForm(
        request.POST or None, rows=rows, initial=AutoResponseEntryForm.initial_from(entry, rows)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.autoresponse_entry_update(entry=entry, data=form.cleaned_data, acting_user=request.user)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"Entry {entry.sort_order} was saved.")
            return redirect("emails:autoresponse_detail", pk=entry.rule_id)
    return _entry_form_page(request, form, rule=entry.rule, entry=entry)


@admin_required
@require_POST
def autoresponse_entry_delete(request, pk: int):
    entry = get_object_or_404(AutoResponseEntry, pk=pk)
    services.autoresponse_entry_delete(entry=entry, acting_user=request.user)
    messages.success(request, "The rule entry was deleted.")
    return redirect("emails:autoresponse_detail", pk=entry.rule_id)


@admin_required
@require_POST
def autoresponse_entry_move(request, pk: int):
    entry = get_object_or_404(AutoResponseEntry, pk=pk)
    direction = -1 if request.POST.get("direction") == "up" else 1
    services.autoresponse_entry_move(entry=entry, direction=direction, acting_user=request.user)
    messages.success(request, "The rule entries were reordered.")
    return redirect("emails:autoresponse_detail", pk=entry.rule_id)
