"""Creating and editing accounts, contacts and opportunities: the edit page and inline edit."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from core.forms import apply_service_errors, errors_as_text

from .. import selectors, services
from ..fields import ACCOUNT, CONTACT, OPPORTUNITY
from ..forms import RecordForm, RecordTypeChoiceForm
from .common import _GETTERS, OBJECTS, _editable_or_403, _int, _url
from .records import _field_row, _inline_editable


def _record_type_from(request, object_name: str, fallback):
    """The record type named in ``?record_type=`` (or the POST), else ``fallback``."""
    raw = request.POST.get("record_type", request.GET.get("record_type"))
    if raw is None:
        return fallback
    if raw == "":
        return None
    if fallback is not None and raw == str(fallback.pk):
        return fallback  # kept even when it was deactivated meanwhile
    return selectors.record_types_for(object_name=object_name).filter(pk=raw if raw.isdigit() else 0).first()


def _form_page(request, object_name: str, *, record=None, link_kwargs: dict | None = None) -> HttpResponse:
    config = OBJECTS[object_name]
    creating = record is None
    if creating:
        fallback = selectors.record_type_default_for(user=request.user, object_name=object_name)
    else:
        fallback = record.record_type
    record_type = _record_type_from(request, object_name, fallback)
    record_type_form = RecordTypeChoiceForm(
        initial={"record_type": record_type.pk if record_type else None},
        object_name=object_name,
        allow_master=fallback is None,
    )
    data = request.POST if request.method == "POST" else None
    initial = {}
    if creating:
        initial["owner"] = request.user.pk
        for key, value in (link_kwargs or {}).items():
            if value is not None:
                initial[key] = value.pk
    form = RecordForm(
        data,
        object_name=object_name,
        model=config["model"],
        instance=record,
        record_type=record_type,
        creating=creating,
        initial=initial,
    )
    has_products = object_name == OPPORTUNITY and record is not None and record.line_items.exists()
    if has_products:
        form.fields["amount"].disabled = True
        form.fields["amount"].help_text = "The sum of the opportunity's products; change the products to change it."
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        if object_name == OPPORTUNITY and not creating and "probability" not in form.changed_data:
            # A new stage brings its own probability unless the user typed one.
            data.pop("probability", None)
        links = {}
        if object_name in (CONTACT, OPPORTUNITY):
            links["account"] = form.cleaned_data.get("account")
        try:
            if creating:
                create = {
                    ACCOUNT: services.account_create,
                    CONTACT: services.contact_create,
                    OPPORTUNITY: services.opportunity_create,
                }[object_name]
                record = create(
                    data=data,
                    acting_user=request.user,
                    owner=form.cleaned_data["owner"],
                    custom_fields=form.custom_data(),
                    record_type=record_type,
                    **links,
                )
                messages.success(
                    request, _("%(config)s “%(record)s” was created.") % {"config": config["label"], "record": record}
                )
            else:
                update = {
                    ACCOUNT: services.account_update,
                    CONTACT: services.contact_update,
                    OPPORTUNITY: services.opportunity_update,
                }[object_name]
                record = update(
                    **{object_name: record},
                    data=data,
                    acting_user=request.user,
                    owner=form.cleaned_data["owner"],
                    custom_fields=form.custom_data(),
                    record_type=record_type,
                    expected_version=_int(request.POST.get("version")),
                    **links,
                )
                messages.success(
                    request, _("%(config)s “%(record)s” was saved.") % {"config": config["label"], "record": record}
                )
            if "save_new" in request.POST:
                return redirect(_url(object_name, "create"))
            return redirect(_url(object_name, "detail", record.pk))
        except ValidationError as exc:
            apply_service_errors(form, exc)
        except services.RecordEditConflict as exc:
            names = ", ".join(sorted({c.field_label for c in exc.changes})) or "some fields"
            form.add_error(
                None,
                f"Someone else saved this {config['label'].lower()} while you were editing it ({names}). "
                "Reload the page to see their changes, then make yours again.",
            )
    cancel = _url(object_name, "detail", record.pk) if record is not None else _url(object_name, "list")
    return render(
        request,
        "sales/record_form.html",
        {
            "object_name": object_name,
            "config": config,
            "record": record,
            "form": form,
            "record_type": record_type,
            "record_type_form": record_type_form,
            "has_record_types": selectors.record_types_for(object_name=object_name).exists(),
            "cancel_url": cancel,
        },
        status=400 if request.method == "POST" else 200,
    )


_UPDATES = {
    ACCOUNT: services.account_update,
    CONTACT: services.contact_update,
    OPPORTUNITY: services.opportunity_update,
}


def _inline_edit(request, object_name: str, pk: int, field: str) -> HttpResponse:
    """Edit one field of the record page in place (htmx); Escape or Cancel puts the value back."""
    config = OBJECTS[object_name]
    record = get_object_or_404(_GETTERS[object_name](request.user), pk=pk)
    _editable_or_403(record, request.user)
    edit_page = _url(object_name, "edit", pk) + f"#id_{field}"
    if not request.htmx and request.method == "GET":
        return redirect(edit_page)
    form = RecordForm(
        request.POST if request.method == "POST" else None,
        object_name=object_name,
        model=config["model"],
        instance=record,
        record_type=record.record_type,
        creating=False,
    )
    if field not in form.fields or not _inline_editable(record, object_name, field):
        raise Http404(_("This field cannot be edited here."))
    if request.method == "GET" and request.GET.get("cancel"):
        row = _field_row(record, object_name, field)
        return render(
            request, "sales/includes/field_row.html", {"row": row, "object_name": object_name, "record": record}
        )
    kept = form.fields[field]
    kept.widget.attrs["autofocus"] = True
    form.fields = {field: kept}
    if request.method == "POST" and form.is_valid():
        value = form.cleaned_data[field]
        kwargs = {"data": {}, "custom_fields": None}
        if field == "owner":
            kwargs["owner"] = value
        elif field == "account":
            kwargs["account"] = value
        elif field in form.custom_names:
            kwargs["custom_fields"] = {field: value}
        else:
            kwargs["data"] = {field: value}
        try:
            _UPDATES[object_name](
                **{object_name: record},
                acting_user=request.user,
                expected_version=_int(request.POST.get("version")),
                **kwargs,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        except services.RecordEditConflict:
            form.add_error(
                None,
                f"Someone else saved this {config['label'].lower()} after you opened it; nothing was saved. "
                "Reload the page to see their changes.",
            )
        else:
            messages.success(
                request, _("%(config)s “%(record)s” was saved.") % {"config": config["label"], "record": record}
            )
            if not request.htmx:
                return redirect(_url(object_name, "detail", pk))
            response = HttpResponse(status=204)
            # The highlights, path and history change too: show the whole page again.
            response["HX-Redirect"] = _url(object_name, "detail", pk)
            return response
    if not request.htmx:
        # Submitted without htmx (no script, or before the page had bound it): say what was wrong
        # and open the full edit form on that field.
        messages.error(request, _("Nothing was saved. %(errors_as_text)s") % {"errors_as_text": errors_as_text(form)})
        return redirect(edit_page)
    return render(
        request,
        "sales/includes/inline_form.html",
        {"form": form, "field": field, "bound": form[field], "record": record, "object_name": object_name},
    )
