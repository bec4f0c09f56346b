"""Setup pages of the emails app (marketing and system admins): templates and folders, the
outbox, and auto-response rules. Views are thin: permission, form, service, message, redirect."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from core import registry
from core.forms import apply_service_errors
from core.roles import setup_admin_required
from core.rules import views as rule_views
from core.rules.views import RulePages

from . import selectors, services
from .filters import OutboundEmailFilter
from .forms import (
    AutoResponseEntryForm,
    AutoResponseSettingsForm,
    EmailTemplateForm,
    FolderForm,
    PreviewForm,
)
from .models import AutoResponseEntry, AutoResponseRule, EmailFolder, EmailTemplate, OutboundEmail
from .rendering import available_merge_fields, render_template, unknown_merge_fields
from .services.autoresponse import AUTO_RESPONSE


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


# Templates and folders -------------------------------------------------------------------------


@setup_admin_required
def template_list(request):
    folder_id = request.GET.get("folder", "")
    folders = list(selectors.folder_list())
    current = next((f for f in folders if str(f.pk) == folder_id), None)
    if folder_id and current is None:
        raise Http404(_("No such folder."))
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


@setup_admin_required
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
            messages.success(request, _("Email template “%(name)s” was created.") % {"name": template.name})
            return redirect("emails:template_detail", pk=template.pk)
    return _template_form_page(request, form)


@setup_admin_required
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
            messages.success(request, _("Email template “%(name)s” was saved.") % {"name": template.name})
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


@setup_admin_required
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


@setup_admin_required
@require_POST
def template_delete(request, pk: int):
    template = get_object_or_404(EmailTemplate, pk=pk)
    try:
        services.email_template_delete(template=template, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return redirect("emails:template_detail", pk=pk)
    messages.success(request, _("Email template “%(name)s” was deleted.") % {"name": template.name})
    return redirect("emails:template_list")


@setup_admin_required
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
            messages.success(request, _("Folder “%(name)s” was created.") % {"name": folder.name})
            return redirect("emails:folder_list")
    return render(request, "emails/folder_list.html", {"folders": selectors.folder_list(), "form": form})


@setup_admin_required
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
            messages.success(
                request, _("Folder “%(cleaned_data)s” was saved.") % {"cleaned_data": form.cleaned_data["name"]}
            )
            return redirect("emails:folder_list")
    return render(request, "emails/folder_form.html", {"form": form, "folder": folder})


@setup_admin_required
@require_POST
def folder_delete(request, pk: int):
    folder = get_object_or_404(EmailFolder, pk=pk)
    try:
        services.email_folder_delete(folder=folder, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Folder “%(name)s” was deleted.") % {"name": folder.name})
    return redirect("emails:folder_list")


# Outbox ----------------------------------------------------------------------------------------


@setup_admin_required
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


@setup_admin_required
def outbox_detail(request, pk: int):
    email = get_object_or_404(selectors.outbox_list(user=request.user), pk=pk)
    return render(request, "emails/outbox_detail.html", {"email": email})


@setup_admin_required
@require_POST
def outbox_retry(request, pk: int):
    email = get_object_or_404(selectors.outbox_list(user=request.user), pk=pk)
    try:
        services.outbound_email_retry(email=email, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("The email to %(to_address)s was queued again.") % {"to_address": email.to_address})
    return redirect(request.POST.get("next") if request.POST.get("next", "").startswith("/") else "emails:outbox")


# Auto-response rules ---------------------------------------------------------------------------


@setup_admin_required
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


@setup_admin_required
@require_POST
def autoresponse_settings(request):
    form = AutoResponseSettingsForm(request.POST)
    if form.is_valid():
        try:
            services.autoresponse_settings_update(acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The default response was saved."))
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


PAGES = RulePages(
    title=gettext_lazy("Auto-Response Rules"),
    eyebrow=gettext_lazy("Auto-Response Rule"),
    icon="reply-all",
    list="emails:autoresponse_list",
    detail="emails:autoresponse_detail",
    create="emails:autoresponse_create",
    edit="emails:autoresponse_edit",
    activate="emails:autoresponse_activate",
    delete="emails:autoresponse_delete",
    entry_create="emails:autoresponse_entry_create",
    entry_edit="emails:autoresponse_entry_edit",
    entry_move="emails:autoresponse_entry_move",
    entry_delete="emails:autoresponse_entry_delete",
)


VIEWS = rule_views.kind_views(
    kind=AUTO_RESPONSE,
    pages=PAGES,
    rule_model=AutoResponseRule,
    entry_model=AutoResponseEntry,
    entry_form=AutoResponseEntryForm,
    entry_template="emails/autoresponse_entry_form.html",
    detail_template="emails/autoresponse_detail.html",
    entries=selectors.autoresponse_rule_entries,
    detail_context=lambda: {"settings_row": selectors.autoresponse_settings()},
)
autoresponse_create, autoresponse_edit, autoresponse_detail = VIEWS.rule_create, VIEWS.rule_edit, VIEWS.rule_detail
autoresponse_activate, autoresponse_delete = VIEWS.rule_activate, VIEWS.rule_delete
autoresponse_entry_create, autoresponse_entry_edit = VIEWS.entry_create, VIEWS.entry_edit
autoresponse_entry_delete, autoresponse_entry_move = VIEWS.entry_delete, VIEWS.entry_move
