"""Core pages: login, home and the Setup pages for admins (picklists, fields, sharing, users).

Views are thin: permission, form, service, message, redirect (or an htmx partial)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from . import recycle_bin as recycle_bin_module
from . import registry, selectors, services
from .fields import display_value
from .forms import (
    CustomFieldForm,
    FieldEditForm,
    PicklistReplacementForm,
    PicklistValueForm,
    SharingForm,
    ThrottledAuthenticationForm,
    apply_service_errors,
)
from .models import FieldDefinition, FieldType, OrgSettings, PicklistValue
from .paging import page_window
from .roles import (
    sees_all_records,
    setup_admin_required,
    system_admin_required,
)


class LoginView(auth_views.LoginView):
    form_class = ThrottledAuthenticationForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """Log out (POST only) and say so on the login page."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.info(request, _("You are logged out."))
        return response


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _object_spec_or_404(object_name: str) -> registry.ObjectSpec:
    try:
        return registry.object_spec(object_name)
    except KeyError:
        raise Http404(_("No such object.")) from None


# Picklists -------------------------------------------------------------------------------------


@setup_admin_required
def picklist_list(request):
    fields = selectors.picklist_fields()
    groups: dict[str, dict] = {}
    for f in fields:
        groups.setdefault(f.object_name, {"label": f.object_label, "name": f.object_name, "fields": []})[
            "fields"
        ].append(f)
    return render(request, "core/picklist_list.html", {"groups": list(groups.values()), "total": len(fields)})


def _picklist_or_404(object_name: str, field_name: str) -> selectors.PicklistField:
    picklist = selectors.picklist_field(object_name=object_name, field_name=field_name)
    if picklist is None:
        raise Http404(_("No such picklist."))
    return picklist


def _picklist_context(picklist: selectors.PicklistField, *, focus: tuple[str, int] | None = None) -> dict:
    values = list(selectors.picklist_values(object_name=picklist.object_name, field_name=picklist.field_name))
    counts = selectors.picklist_record_counts(object_name=picklist.object_name, field_name=picklist.field_name)
    flags = selectors.picklist_flags(picklist.object_name, picklist.field_name)
    usages = services.picklist_value_usages_many(values)
    rows = []
    for position, value in enumerate(values):
        rows.append(
            {
                "value": value,
                "records": counts.get(value.api_name, 0),
                "usages": usages[value.pk],
                "first": position == 0,
                "last": position == len(values) - 1,
            }
        )
    return {
        "picklist": picklist,
        "rows": rows,
        "flags": [(flag, selectors.FLAG_LABELS[flag]) for flag in flags],
        # After an htmx action the same button keeps the keyboard focus (htmx honours autofocus).
        "focus_action": focus[0] if focus else "",
        "focus_pk": focus[1] if focus else None,
        "detail_url": reverse("core:picklist_detail", args=[picklist.object_name, picklist.field_name]),
        "field_url": reverse("core:field_detail", args=[picklist.object_name, picklist.field_name])
        if FieldDefinition.objects.filter(object_name=picklist.object_name, api_name=picklist.field_name).exists()
        else "",
    }


@setup_admin_required
def picklist_detail(request, object_name: str, field_name: str):
    picklist = _picklist_or_404(object_name, field_name)
    context = _picklist_context(picklist)
    context["form"] = PicklistValueForm(flags=selectors.picklist_flags(object_name, field_name))
    return render(request, "core/picklist_detail.html", context)


@setup_admin_required
@require_POST
def picklist_value_create(request, object_name: str, field_name: str):
    picklist = _picklist_or_404(object_name, field_name)
    flags = selectors.picklist_flags(object_name, field_name)
    form = PicklistValueForm(request.POST, flags=flags)
    if form.is_valid():
        data = form.cleaned_data
        try:
            value = services.picklist_value_create(
                object_name=object_name,
                field_name=field_name,
                label=data["label"],
                api_name=data.get("api_name", ""),
                acting_user=request.user,
                **{flag: data.get(flag) for flag in flags},
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request, _("Value “%(label)s” added to %(label2)s.") % {"label": value.label, "label2": picklist.label}
            )
            return redirect("core:picklist_detail", object_name, field_name)
    context = _picklist_context(picklist)
    context["form"] = form
    return render(request, "core/picklist_detail.html", context, status=400)


def _value_or_404(pk: int) -> tuple[PicklistValue, selectors.PicklistField]:
    value = get_object_or_404(PicklistValue, pk=pk)
    return value, _picklist_or_404(value.object_name, value.field_name)


def _after_row_action(request, picklist: selectors.PicklistField, *, focus: tuple[str, int]):
    """htmx gets the refreshed values table (and the messages); a plain form goes back to the page."""
    if request.htmx:
        return render(request, "core/includes/picklist_values.html", _picklist_context(picklist, focus=focus))
    return redirect("core:picklist_detail", picklist.object_name, picklist.field_name)


@setup_admin_required
@require_http_methods(["GET", "POST"])
def picklist_value_edit(request, pk: int):
    value, picklist = _value_or_404(pk)
    flags = selectors.picklist_flags(value.object_name, value.field_name)
    initial = {"label": value.label, **{flag: getattr(value, flag) for flag in flags}}
    form = PicklistValueForm(request.POST or None, initial=initial, flags=flags, with_api_name=False)
    if request.method == "POST" and form.is_valid():
        try:
            value = services.picklist_value_update(
                value=value,
                acting_user=request.user,
                label=form.cleaned_data["label"],
                **{flag: form.cleaned_data.get(flag) for flag in flags},
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Value saved as “%(label)s”. Records keep the API name %(api_name)s.")
                % {"label": value.label, "api_name": value.api_name},
            )
            return redirect("core:picklist_detail", value.object_name, value.field_name)
    return render(
        request,
        "core/picklist_value_form.html",
        {"form": form, "value": value, "picklist": picklist},
        status=400 if form.errors else 200,
    )


@setup_admin_required
@require_POST
def picklist_value_move(request, pk: int):
    value, picklist = _value_or_404(pk)
    direction = request.POST.get("direction")
    if direction not in ("up", "down"):
        messages.error(request, _("Choose up or down."))
    else:
        try:
            services.picklist_value_move(
                value=value, direction=-1 if direction == "up" else 1, acting_user=request.user
            )
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(
                request, _("“%(label)s” moved %(direction)s.") % {"label": value.label, "direction": direction}
            )
    return _after_row_action(request, picklist, focus=(f"move-{direction}", value.pk))


@setup_admin_required
@require_POST
def picklist_value_default(request, pk: int):
    value, picklist = _value_or_404(pk)
    try:
        if request.POST.get("clear"):
            services.picklist_clear_default(
                object_name=value.object_name, field_name=value.field_name, acting_user=request.user
            )
            messages.success(request, _("%(label)s has no default value now.") % {"label": picklist.label})
        else:
            services.picklist_set_default(value=value, acting_user=request.user)
            messages.success(
                request,
                _("“%(label)s” is now the default %(label2)s.") % {"label": value.label, "label2": picklist.label},
            )
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    return _after_row_action(request, picklist, focus=("default", value.pk))


@setup_admin_required
@require_POST
def picklist_value_active(request, pk: int):
    value, picklist = _value_or_404(pk)
    active = request.POST.get("active") == "1"
    try:
        services.picklist_value_set_active(value=value, active=active, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        if active:
            messages.success(request, _("“%(label)s” is active and offered again.") % {"label": value.label})
        else:
            messages.success(
                request,
                _("“%(label)s” is inactive: records keep it, but it is no longer offered.") % {"label": value.label},
            )
    return _after_row_action(request, picklist, focus=("active", value.pk))


@setup_admin_required
@require_http_methods(["GET", "POST"])
def picklist_value_delete(request, pk: int):
    value, picklist = _value_or_404(pk)
    counts = selectors.picklist_record_counts(object_name=value.object_name, field_name=value.field_name)
    record_count = counts.get(value.api_name, 0)
    usages = services.picklist_value_usages(value)
    choices = [
        (v.pk, v.label)
        for v in selectors.picklist_values(object_name=value.object_name, field_name=value.field_name, active_only=True)
        if v.pk != value.pk
    ]
    form = PicklistReplacementForm(request.POST or None, choices=choices)
    if request.method == "POST" and form.is_valid():
        replacement_pk = form.cleaned_data.get("replacement")
        replacement = PicklistValue.objects.filter(pk=replacement_pk).first() if replacement_pk else None
        try:
            moved = services.picklist_value_delete(value=value, replacement=replacement, acting_user=request.user)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            text = f"Value “{value.label}” deleted."
            if moved:
                text += f" {moved} record{'s' if moved != 1 else ''} now hold{'s' if moved == 1 else ''} “{replacement.label}”."
            messages.success(request, text)
            return redirect("core:picklist_detail", picklist.object_name, picklist.field_name)
    return render(
        request,
        "core/picklist_value_delete.html",
        {
            "form": form,
            "value": value,
            "picklist": picklist,
            "record_count": record_count,
            "usages": usages,
        },
        status=400 if form.errors else 200,
    )


# Fields & help text ------------------------------------------------------------------------------


@setup_admin_required
def field_list(request):
    specs = registry.registered_objects()
    if not specs:
        raise Http404(_("No objects are registered."))
    object_name = request.GET.get("object") or specs[0].name
    spec = _object_spec_or_404(object_name)
    definitions = selectors.field_definitions(object_name=object_name, active_only=False).select_related("created_by")
    return render(
        request,
        "core/field_list.html",
        {"specs": specs, "spec": spec, "definitions": definitions},
    )


def _definition_or_404(object_name: str, api_name: str) -> tuple[registry.ObjectSpec, FieldDefinition]:
    spec = _object_spec_or_404(object_name)
    return spec, get_object_or_404(FieldDefinition, object_name=object_name, api_name=api_name)


def _default_display(definition: FieldDefinition) -> str:
    if definition.field_type == FieldType.PICKLIST:
        api = selectors.picklist_default(object_name=definition.object_name, field_name=definition.api_name)
        return display_value(definition, api) if api else ""
    return display_value(definition, definition.default_value)


@setup_admin_required
def field_detail(request, object_name: str, api_name: str):
    spec, definition = _definition_or_404(object_name, api_name)
    picklist = None
    if definition.field_type == FieldType.PICKLIST:
        picklist = selectors.picklist_field(object_name=object_name, field_name=api_name)
    return render(
        request,
        "core/field_detail.html",
        {
            "spec": spec,
            "definition": definition,
            "default_display": _default_display(definition),
            "picklist": picklist,
            "picklist_values": selectors.picklist_values(object_name=object_name, field_name=api_name)
            if picklist
            else [],
        },
    )


@setup_admin_required
@require_http_methods(["GET", "POST"])
def field_edit(request, object_name: str, api_name: str):
    spec, definition = _definition_or_404(object_name, api_name)
    initial = {
        "label": definition.label,
        "help_text": definition.help_text,
        "description": definition.description,
        "requested_by": definition.requested_by,
        "purpose": definition.purpose,
        "is_required": definition.is_required,
        "default_value": "" if definition.default_value is None else definition.default_value,
        "is_active": definition.is_active,
        "salesforce_id": definition.salesforce_id,
    }
    form = FieldEditForm(request.POST or None, initial=initial, definition=definition)
    if request.method == "POST" and form.is_valid():
        try:
            definition = services.field_definition_update(
                definition=definition, acting_user=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Field “%(label)s” saved.") % {"label": definition.label})
            return redirect("core:field_detail", object_name, api_name)
    return render(
        request,
        "core/field_form.html",
        {"form": form, "spec": spec, "definition": definition},
        status=400 if form.errors else 200,
    )


@setup_admin_required
@require_http_methods(["GET", "POST"])
def field_create(request, object_name: str):
    spec = _object_spec_or_404(object_name)
    form = CustomFieldForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            definition = services.custom_field_create(
                object_name=object_name,
                label=data["label"],
                api_name=data["api_name"],
                field_type=data["field_type"],
                is_required=data["is_required"],
                default_value=data["default_value"],
                help_text=data["help_text"],
                description=data["description"],
                requested_by=data["requested_by"],
                purpose=data["purpose"],
                picklist_values=form.picklist_lines(),
                acting_user=request.user,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request,
                _(
                    "Custom field “%(label)s” (%(api_name)s) created. It is on the %(lower)s form, record page, list columns, filters and API now."
                )
                % {"label": definition.label, "api_name": definition.api_name, "lower": spec.label.lower()},
            )
            return redirect("core:field_detail", object_name, definition.api_name)
    return render(
        request,
        "core/field_form.html",
        {"form": form, "spec": spec, "definition": None},
        status=400 if form.errors else 200,
    )


# Sharing and users -------------------------------------------------------------------------------

SHARING_EXPLANATIONS = {
    OrgSettings.LeadAccess.PRIVATE: (
        "Users see and edit only the leads they own and the leads in queues they belong to. "
        "Marketing and system admins see every lead."
    ),
    OrgSettings.LeadAccess.PUBLIC_READ_ONLY: (
        "Every user can see every lead and find it in list views and search, but only the owner, "
        "the owning queue's members and admins can edit it."
    ),
    OrgSettings.LeadAccess.PUBLIC_READ_WRITE: "Every user can see and edit every lead, whoever owns it.",
}


@system_admin_required
@require_http_methods(["GET", "POST"])
def sharing(request):
    current = selectors.org_settings()
    form = SharingForm(request.POST or None, initial={"lead_access": current.lead_access})
    if request.method == "POST" and form.is_valid():
        try:
            current = services.org_settings_update(
                lead_access=form.cleaned_data["lead_access"], acting_user=request.user
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Leads are now %(get_lead_access_display)s for all users.")
                % {"get_lead_access_display": current.get_lead_access_display()},
            )
            return redirect("core:sharing")
    options = [
        {"value": value, "label": label, "explanation": SHARING_EXPLANATIONS[value]}
        for value, label in OrgSettings.LeadAccess.choices
    ]
    return render(
        request,
        "core/sharing.html",
        {"form": form, "current": current, "options": options, "selected": form["lead_access"].value()},
        status=400 if form.errors else 200,
    )


# Recycle Bin ---------------------------------------------------------------------------------------

RECYCLE_BIN_PAGE = 50


@login_required
def recycle_bin(request):
    """Deleted records the user may restore or delete for good, newest first; ``?object=`` narrows."""
    specs = {spec.name: spec for spec in registry.recyclable_objects()}
    object_name = request.GET.get("object", "")
    if object_name not in specs:
        object_name = ""
    entries = selectors.recycle_bin_entries(user=request.user, object_name=object_name or None)
    query = request.GET.get("q", "").strip()[:100]
    if query:
        entries = entries.filter(Q(name__icontains=query) | Q(detail__icontains=query))
    rows, page, has_next = page_window(entries, request.GET.get("page"), RECYCLE_BIN_PAGE)
    for entry in rows:
        spec = specs.get(entry.object_name)
        entry.spec = spec
        entry.can_restore = spec is not None and request.user.has_perm(spec.delete_permission)
    context = {
        "entries": rows,
        "has_next": has_next,
        "page": page,
        "query": query,
        "object_name": object_name,
        "specs": specs.values(),
        "days": settings.RECYCLE_BIN_DAYS,
        "sees_all": sees_all_records(request.user),
    }
    return render(request, "core/recycle_bin.html", context)


def _bin_entry(request, pk: int):
    entry = selectors.recycle_bin_entries(user=request.user).filter(pk=pk).first()
    if entry is None:
        raise Http404(_("This record is not in your Recycle Bin."))
    return entry


@login_required
@require_POST
def recycle_bin_restore(request, pk: int):
    entry = _bin_entry(request, pk)
    spec = registry.recyclable(entry.object_name)
    if spec is None:
        raise Http404(_("Records of this kind cannot be restored."))
    try:
        record = spec.restore(entry=entry, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("core:recycle_bin")
    except PermissionError as exc:
        raise PermissionDenied(str(exc)) from exc
    messages.success(request, _("%(label)s “%(name)s” was restored.") % {"label": spec.label, "name": entry.name})
    return redirect(spec.detail_url, pk=record.pk)


@login_required
@require_POST
def recycle_bin_purge(request, pk: int):
    entry = _bin_entry(request, pk)
    label = getattr(registry.recyclable(entry.object_name), "label", "Record")
    try:
        recycle_bin_module.recycle_bin_purge(entry=entry, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("%(label)s “%(name)s” was deleted permanently.") % {"label": label, "name": entry.name}
        )
    return redirect("core:recycle_bin")
