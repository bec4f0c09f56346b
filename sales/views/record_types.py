"""Setup: record types and the default record type of each role and user."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.forms import apply_service_errors
from core.roles import display_name, setup_admin_required
from core.selectors import field_labels

from .. import selectors, services
from ..fields import OPPORTUNITY
from ..forms import RecordTypeDefaultForm, RecordTypeForm
from ..models import RecordType, RecordTypeDefault
from .common import OBJECTS, _errors_message


@setup_admin_required
def recordtype_list(request):
    record_types = list(selectors.record_type_list())
    defaults = list(
        RecordTypeDefault.objects.filter(object_name__in=OBJECTS)
        .select_related("record_type", "user", "group")
        .order_by("object_name", "group__name", "user__username")
    )
    groups = {key: [] for key in OBJECTS}
    for record_type in record_types:
        groups[record_type.object_name].append(record_type)
    return render(
        request,
        "sales/recordtype_list.html",
        {
            "groups": [(OBJECTS[key]["label"], key, groups[key]) for key in OBJECTS],
            "defaults": defaults,
            "default_form": RecordTypeDefaultForm(),
        },
    )


@setup_admin_required
def recordtype_detail(request, pk: int):
    record_type = get_object_or_404(selectors.record_type_list(), pk=pk)
    field_names = field_labels(object_name=record_type.object_name)
    offered = []
    for field_name in selectors.record_type_picklist_fields(record_type.object_name):
        values = selectors.allowed_picklist_values(
            object_name=record_type.object_name, field_name=field_name, record_type=record_type
        )
        restricted = record_type.picklist_values.filter(field_name=field_name).exists()
        offered.append((field_names.get(field_name, field_name), values, restricted))
    return render(
        request,
        "sales/recordtype_detail.html",
        {"record_type": record_type, "offered": offered, "object_label": OBJECTS[record_type.object_name]["label"]},
    )


@setup_admin_required
@require_http_methods(["GET", "POST"])
def recordtype_create(request):
    object_name = request.POST.get("object_name", request.GET.get("object", OPPORTUNITY))
    if object_name not in OBJECTS:
        object_name = OPPORTUNITY
    form = RecordTypeForm(request.POST or None, object_name=object_name)
    if request.method == "POST" and form.is_valid():
        try:
            record_type = services.record_type_create(
                object_name=object_name,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                is_active=form.cleaned_data["is_active"],
                picklist_values=form.picklist_values(),
                acting_user=request.user,
            )
            messages.success(request, _("Record type “%(name)s” was created.") % {"name": record_type.name})
            return redirect("sales:recordtype_detail", record_type.pk)
        except ValidationError as exc:
            apply_service_errors(form, exc)
    return render(
        request,
        "sales/recordtype_form.html",
        {"form": form, "object_name": object_name, "object_label": OBJECTS[object_name]["label"], "objects": OBJECTS},
        status=400 if request.method == "POST" else 200,
    )


@setup_admin_required
@require_http_methods(["GET", "POST"])
def recordtype_edit(request, pk: int):
    record_type = get_object_or_404(RecordType, pk=pk)
    form = RecordTypeForm(request.POST or None, object_name=record_type.object_name, record_type=record_type)
    if request.method == "POST" and form.is_valid():
        try:
            record_type = services.record_type_update(
                record_type=record_type,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                is_active=form.cleaned_data["is_active"],
                picklist_values=form.picklist_values(),
                acting_user=request.user,
            )
            messages.success(request, _("Record type “%(name)s” was saved.") % {"name": record_type.name})
            return redirect("sales:recordtype_detail", record_type.pk)
        except ValidationError as exc:
            apply_service_errors(form, exc)
    return render(
        request,
        "sales/recordtype_form.html",
        {
            "form": form,
            "record_type": record_type,
            "object_name": record_type.object_name,
            "object_label": OBJECTS[record_type.object_name]["label"],
        },
        status=400 if request.method == "POST" else 200,
    )


@setup_admin_required
@require_POST
def recordtype_default_set(request):
    form = RecordTypeDefaultForm(request.POST)
    if form.is_valid():
        record_type = form.cleaned_data["record_type"]
        try:
            services.record_type_default_set(
                object_name=form.cleaned_data["object_name"],
                record_type=record_type,
                user=form.cleaned_data["user"],
                group=form.cleaned_data["role"],
                acting_user=request.user,
            )
            who = form.cleaned_data["user"] or form.cleaned_data["role"]
            who = display_name(who) if isinstance(who, get_user_model()) else who.name
            if record_type is None:
                messages.success(request, _("The default record type of %(who)s was cleared.") % {"who": who})
            else:
                messages.success(
                    request,
                    _("%(name)s is now the default record type of %(who)s.") % {"name": record_type.name, "who": who},
                )
        except ValidationError as exc:
            _errors_message(request, exc)
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect(reverse("sales:recordtype_list") + "#defaults")
