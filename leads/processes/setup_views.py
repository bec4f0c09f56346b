"""Setup: lead record types, their processes and page layouts, the path's guidance and key fields,
and the default lead record type of each user and role."""

from django.contrib import messages
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.form_pages import service_form_page, service_form_save
from core.models import RecordType, RecordTypeDefault
from core.roles import ROLES, setup_admin_required

from ..fields import OBJECT_NAME
from . import selectors, services
from .forms import LeadRecordTypeAccessForm, LeadRecordTypeDefaultForm, LeadRecordTypeForm, PathStepForm


def _form_or_posted(form_class, posted, *, prefix: str, initial: dict):
    """One form of a page that shows many: the one just sent back (with its errors) if it has this
    prefix, else a fresh one."""
    if posted is not None and posted.prefix == prefix:
        return posted
    return form_class(prefix=prefix, initial=initial)


def _role_forms(posted=None):
    """Per role, a form of the record types it may use and its default (``posted``: the one just
    sent back, with its errors)."""
    rows = []
    for row in selectors.lead_record_types_by_role():
        initial = {"record_types": [r.pk for r in row.record_types], "default": row.default}
        form = _form_or_posted(LeadRecordTypeAccessForm, posted, prefix=f"role-{row.role.pk}", initial=initial)
        rows.append((row, form))
    return rows


@setup_admin_required
def lead_record_type_list(request, posted=None):
    defaults = RecordTypeDefault.objects.filter(object_name=OBJECT_NAME).select_related("record_type", "user", "group")
    return render(
        request,
        "leads/processes/recordtype_list.html",
        {
            "record_types": selectors.lead_record_type_list(),
            "defaults": defaults.order_by("group__name", "user__username"),
            "default_form": LeadRecordTypeDefaultForm(),
            "role_forms": _role_forms(posted),
        },
        status=400 if posted is not None else 200,
    )


@setup_admin_required
@require_POST
def lead_record_type_access_set(request, group_id: int):
    """The lead record types one role may use and its default."""
    group = get_object_or_404(Group, pk=group_id, name__in=ROLES)
    form = LeadRecordTypeAccessForm(request.POST, prefix=f"role-{group.pk}")
    saved = service_form_save(
        request,
        form,
        save=lambda: services.lead_record_type_access_set(
            group=group,
            record_types=form.cleaned_data["record_types"],
            default=form.cleaned_data["default"],
            acting_user=request.user,
        ),
        saved_message=lambda _saved: _("The lead record types of %(role)s were saved.") % {"role": group.name},
        saved_url=lambda _saved: reverse("leads:recordtype_list") + "#roles",
    )
    return saved if saved is not None else lead_record_type_list(request, posted=form)


def _save(request, form, record_type=None):
    values = {
        "name": form.cleaned_data["name"],
        "description": form.cleaned_data["description"],
        "is_active": form.cleaned_data["is_active"],
        "is_org_default": form.cleaned_data["is_org_default"],
        "layout_sections": form.ordered_sections(),
        "statuses": form.statuses(),
    }
    if record_type is None:
        return services.lead_record_type_create(**values, acting_user=request.user)
    return services.lead_record_type_update(record_type=record_type, **values, acting_user=request.user)


@setup_admin_required
@require_http_methods(["GET", "POST"])
def lead_record_type_create(request):
    return _form_page(request, None)


@setup_admin_required
@require_http_methods(["GET", "POST"])
def lead_record_type_edit(request, pk: int):
    return _form_page(request, get_object_or_404(RecordType, pk=pk, object_name=OBJECT_NAME))


def _form_page(request, record_type):
    form = LeadRecordTypeForm(request.POST or None, record_type=record_type)
    return service_form_page(
        request,
        form,
        save=lambda: _save(request, form, record_type),
        saved_message=lambda saved: _("Lead record type “%(name)s” was saved.") % {"name": saved.name},
        saved_url=lambda saved: reverse("leads:path_setup", args=[saved.pk]),
        template="leads/processes/recordtype_form.html",
        context={"record_type": record_type},
    )


@setup_admin_required
@require_http_methods(["GET", "POST"])
def lead_path_setup(request, pk: int):
    """The path of one lead record type: a form per status for its guidance and key fields."""
    record_type = get_object_or_404(RecordType, pk=pk, object_name=OBJECT_NAME)
    posted = None
    if request.method == "POST":
        posted = PathStepForm(request.POST, prefix=f"step-{request.POST.get('step', '')}")
        saved = service_form_save(
            request,
            posted,
            save=lambda: services.lead_path_step_set(
                record_type=record_type,
                status=posted.cleaned_data["status"],
                guidance=posted.cleaned_data["guidance"],
                key_fields=posted.cleaned_data["key_fields"],
                acting_user=request.user,
            ),
            saved_message=lambda _saved: (
                _("The guidance of %(status)s was saved.") % {"status": posted.cleaned_data["status"]}
            ),
            saved_url=lambda _saved: (
                reverse("leads:path_setup", args=[record_type.pk]) + f"#step-{request.POST.get('step')}"
            ),
        )
        if saved is not None:
            return saved
    steps = []
    for index, step in enumerate(selectors.lead_process(record_type), start=1):
        initial = {"status": step.api_name, "guidance": step.guidance, "key_fields": list(step.key_fields)}
        steps.append((index, step, _form_or_posted(PathStepForm, posted, prefix=f"step-{index}", initial=initial)))
    return render(
        request,
        "leads/processes/path_setup.html",
        {"record_type": record_type, "steps": steps},
        status=400 if posted is not None else 200,
    )


@setup_admin_required
@require_POST
def lead_record_type_default_set(request):
    form = LeadRecordTypeDefaultForm(request.POST)
    if form.is_valid():
        try:
            services.lead_record_type_default_set(
                record_type=form.cleaned_data["record_type"],
                user=form.cleaned_data["user"],
                group=form.cleaned_data["role"],
                acting_user=request.user,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The default lead record type was saved."))
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect(reverse("leads:recordtype_list") + "#defaults")
