"""The lead pages: list views, the record page (saved, edit and inline edit), change owner."""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.forms import errors_as_text
from core.roles import may_export

from .fields import WRITABLE_FIELDS
from .filters import LeadFilter
from .forms import ChangeOwnerForm, LeadForm, MassActionForm, NoteForm, RecordTypeChoiceForm, StatusForm, seen_versions
from .intake import DuplicateLeadError, lead_intake
from .listviews.selectors import (
    count_capped,
    list_view_for,
    list_view_is_editable_by,
    list_view_params,
    list_view_picker,
    may_share_list_views,
)
from .ownership import owner_from_key, owner_key, owner_label
from .processes.selectors import lead_record_type_default, lead_record_type_get, lead_record_types_for
from .processes.views import path_context
from .routing.services import lead_assign, leads_assign_many
from .selectors import (
    DEFAULT_COLUMNS,
    LIST_VIEWS,
    converted_leads_shared_with,
    lead_detail,
    lead_history,
    lead_is_deletable_by,
    lead_is_editable_by,
    lead_list,
    lead_list_columns,
    lead_list_rows,
    lead_notes,
    lead_record_sections,
    lead_status_path,
    leads_visible_to,
)
from .services import (
    CONVERTED_NOT_DELETABLE,
    LeadEditConflict,
    lead_change_owner,
    lead_delete,
    lead_mark_viewed,
    lead_mass_change_owner,
    lead_mass_change_status,
    lead_note_create,
    lead_update,
    leads_delete_many,
)

PAGE_SIZES = (25, 50, 100)
SESSION_COLUMNS = "leads.list.columns"
SESSION_PAGE_SIZE = "leads.list.page_size"
SESSION_VIEW = "leads.list.view"


# List views ---------------------------------------------------------------------------------


def _page_number(raw) -> int:
    return int(raw) if str(raw or "").isdigit() and 0 < int(raw) < 100000 else 1


def _saved_list_view(request: HttpRequest):
    """The saved list view asked for by ``?list_view=``, or None (with a message when the user may
    not see it)."""
    raw = request.GET.get("list_view", "")
    if not raw:
        return None
    try:
        return list_view_for(user=request.user, pk=int(raw))
    except (ValueError, Http404):
        messages.error(request, _("That list view does not exist, or it is not shared with you."))
        return None


@login_required
def lead_list_view(request: HttpRequest) -> HttpResponse:
    saved = _saved_list_view(request)
    view = request.GET.get("view") or request.session.get(SESSION_VIEW) or "my"
    if saved is not None:
        view = saved.scope
    if view not in LIST_VIEWS:
        view = "my"
    page_size = request.GET.get("page_size") or request.session.get(SESSION_PAGE_SIZE) or PAGE_SIZES[0]
    page_size = int(page_size) if str(page_size).isdigit() and int(page_size) in PAGE_SIZES else PAGE_SIZES[0]
    # The session is written only when the choice changes (a write costs a transaction per page).
    for key, value in ((SESSION_VIEW, view), (SESSION_PAGE_SIZE, page_size)):
        if request.session.get(key) != value:
            request.session[key] = value
    page = _page_number(request.GET.get("page"))

    # A saved view brings its filters and sort; once the filter panel is applied (``apply``) the
    # panel's values replace the view's filters, and a clicked header replaces its sort.
    data = list_view_params(saved, request.GET, replace_filters="apply" in request.GET) if saved else request.GET
    filterset = LeadFilter(data, queryset=lead_list(user=request.user, view=view), request=request)
    all_columns = lead_list_columns()
    by_key = {c.key: c for c in all_columns}
    stored = saved.columns if saved else request.session.get(SESSION_COLUMNS, DEFAULT_COLUMNS)
    chosen = [k for k in stored if k in by_key] or DEFAULT_COLUMNS
    columns = [by_key[k] for k in chosen if k in by_key]

    # No COUNT(*): one row more than the page tells whether there is a next page.
    offset = (page - 1) * page_size
    window = list(filterset.qs[offset : offset + page_size + 1])
    labels: dict[str, dict[str, str]] = {}
    for value in filterset.picklist_values:
        labels.setdefault(value.field_name, {})[value.api_name] = value.display_label
    rows = lead_list_rows(leads=window[:page_size], columns=columns, picklists=labels)
    count, more = count_capped(filterset.qs) if filterset.is_valid() else (0, False)
    context = {
        "view": view,
        "view_label": saved.name if saved else LIST_VIEWS[view],
        "list_views": LIST_VIEWS,
        "saved_view": saved,
        "picker": list_view_picker(user=request.user),
        "may_edit_saved": saved is not None and list_view_is_editable_by(saved, request.user),
        "may_share": may_share_list_views(request.user),
        "may_export": may_export(request.user),
        "roles": Group.objects.order_by("name") if may_share_list_views(request.user) else [],
        "sortable_columns": [c for c in all_columns if c.sortable],
        "count": count,
        "count_more": more,
        "list_query": data.urlencode(),
        "reset_url": f"?list_view={saved.pk}" if saved else f"?view={view}",
        # The save and edit dialogs list the columns shown first, in order, then the others.
        "column_choices": [(c, True) for c in columns] + [(c, False) for c in all_columns if c.key not in chosen],
        "sort_key": data.get("ordering", "").split(",")[0].lstrip("-"),
        "sort_desc": data.get("ordering", "").startswith("-"),
        "filter": filterset,
        "columns": columns,
        "all_columns": all_columns,
        "chosen_columns": chosen,
        "rows": rows,
        "page": page,
        "page_size": page_size,
        "page_sizes": PAGE_SIZES,
        "has_next": len(window) > page_size,
        "has_previous": page > 1,
        "first_index": offset + 1,
        "last_index": offset + len(rows),
        "ordering": data.get("ordering", ""),
        "mass_actions": MASS_ACTIONS,
        "owner_choices": filterset.owner_choices,
        "filter_inputs": filter_inputs(filterset),
        # A converted status is reached by converting, so the mass action does not offer it.
        "status_choices": [
            v for v in filterset.picklist_values if v.field_name == "status" and v.is_active and not v.is_converted
        ],
        # A closed status (Unqualified) needs its reason: the mass change asks for it.
        "unqualified_reasons": [
            v for v in filterset.picklist_values if v.field_name == "unqualified_reason" and v.is_active
        ],
        "is_filtered": bool(data.get("q")) or filterset.active_filter_count() > 0,
    }
    return render(request, "leads/lead_list.html", context)


def filter_inputs(filterset: LeadFilter) -> list[dict]:
    """The filter panel's inputs, rendered by a plain template loop: widget templates for a
    few hundred options cost more than the page's queries."""
    inputs = []
    for field in filterset.form:
        if field.name in {"q", "ordering"}:
            continue
        widget = field.field.widget
        raw = field.value()
        if isinstance(widget, forms.CheckboxSelectMultiple):
            kind = "checkboxes"
        elif isinstance(widget, forms.Select):
            kind = "select"
        elif isinstance(widget, forms.DateInput):
            kind = "date"
        elif isinstance(widget, forms.NumberInput):
            kind = "number"
        else:
            kind = "text"
        selected = {str(v) for v in raw} if isinstance(raw, list | tuple) else {str(raw or "")}
        choices = []
        if kind in {"checkboxes", "select"}:
            for value, label in widget.choices:
                if isinstance(label, list | tuple):
                    choices.append({"group": value, "options": [(v, lbl, str(v) in selected) for v, lbl in label]})
                else:
                    choices.append({"group": None, "options": [(value, label, str(value) in selected)]})
        inputs.append(
            {
                "name": field.html_name,
                "id": field.auto_id,
                "label": field.label,
                "kind": kind,
                "value": "" if isinstance(raw, list | tuple) else (raw or ""),
                "choices": choices,
                "errors": field.errors,
            }
        )
    return inputs


@login_required
@require_POST
def lead_list_columns_view(request: HttpRequest) -> HttpResponse:
    valid = {c.key for c in lead_list_columns()}
    chosen = [key for key in request.POST.getlist("columns") if key in valid]
    if chosen:
        request.session[SESSION_COLUMNS] = list(dict.fromkeys(chosen))
        messages.success(request, _("Columns updated."))
    else:
        messages.error(request, _("Choose at least one column."))
    return redirect(_safe_next(request, reverse("leads:list")))


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


# Mass actions -------------------------------------------------------------------------------


@dataclass(frozen=True)
class MassAction:
    """One button of the list view's mass-action bar.

    ``run(request, lead_ids)`` performs the action through a service and answers the success
    message; it raises ``ValidationError`` for bad input. ``modal`` is the template of the
    dialog that asks for the action's extra inputs (or "" to run straight away).
    """

    label: str
    icon: str
    run: Callable[[HttpRequest, list[int]], str]
    modal: str = ""


def _summary(verb: str, result) -> str:
    text = f"{verb} {result.updated} lead{'s' if result.updated != 1 else ''}."
    others = result.skipped - result.changed_since
    if others:
        text += f" {others} skipped (no access or nothing to change)."
    if result.changed_since:
        text += (
            f" {result.changed_since} skipped because someone else changed "
            f"{'them' if result.changed_since != 1 else 'it'} after you opened the list: reload and try again."
        )
    return text


def _mass_change_owner(request: HttpRequest, lead_ids: list[int]) -> str:
    owner = owner_from_key(request.POST.get("owner", ""))
    if owner is None:
        raise ValidationError({"owner": _("Choose a user or a queue.")})
    result = lead_mass_change_owner(
        lead_ids=lead_ids, owner=owner, acting_user=request.user, versions=seen_versions(request.POST)
    )
    return _summary("Changed the owner of", result)


def _mass_run_assignment(request: HttpRequest, lead_ids: list[int]) -> str:
    result = leads_assign_many(lead_ids=lead_ids, acting_user=request.user)
    return _summary("Assignment rules reassigned", result)


def _mass_change_status(request: HttpRequest, lead_ids: list[int]) -> str:
    result = lead_mass_change_status(
        lead_ids=lead_ids,
        status=request.POST.get("status", ""),
        unqualified_reason=request.POST.get("unqualified_reason", ""),
        acting_user=request.user,
        versions=seen_versions(request.POST),
    )
    return _summary("Changed the status of", result)


def _mass_delete(request: HttpRequest, lead_ids: list[int]) -> str:
    result = leads_delete_many(lead_ids=lead_ids, acting_user=request.user)
    text = f"Moved {result.updated} lead{'s' if result.updated != 1 else ''} to the Recycle Bin."
    if result.skipped:
        text += f" {result.skipped} skipped (converted, or not yours to delete)."
    return text


# Other areas add their actions here (key -> MassAction); the bar shows them in this order.
MASS_ACTIONS: dict[str, MassAction] = {
    "change_owner": MassAction("Change Owner", "person-gear", _mass_change_owner, "leads/mass/change_owner.html"),
    "change_status": MassAction("Change Status", "flag", _mass_change_status, "leads/mass/change_status.html"),
    "run_assignment": MassAction("Run Assignment Rules", "signpost-split", _mass_run_assignment),
    "delete": MassAction("Delete", "trash", _mass_delete, "leads/mass/delete.html"),
}


@login_required
@require_POST
def lead_mass_action(request: HttpRequest) -> HttpResponse:
    back = _safe_next(request, reverse("leads:list"))
    form = MassActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(m for errors in form.errors.values() for m in errors))
        return redirect(back)
    action = MASS_ACTIONS.get(form.cleaned_data["action"])
    if action is None:
        messages.error(request, _("Unknown action."))
        return redirect(back)
    # Only leads the user can see are acted on; the services check edit access for each.
    ids = list(leads_visible_to(request.user).filter(pk__in=form.cleaned_data["ids"]).values_list("pk", flat=True))
    if not ids:
        messages.error(request, _("None of the selected leads can be changed."))
        return redirect(back)
    try:
        message = action.run(request, ids)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, message)
    return redirect(back)


# Record page --------------------------------------------------------------------------------


def _editable(request: HttpRequest, pk: int):
    """The lead to change: 404 when the user may not see it, 403 when they may only read it."""
    lead = lead_detail(user=request.user, pk=pk)
    # Converted leads are editable only with "View and Edit Converted Leads" (checked by the selector).
    if not lead_is_editable_by(lead, request.user):
        raise PermissionDenied(_("You may not edit this lead."))
    return lead


def _detail_context(request: HttpRequest, lead) -> dict:
    editable = lead_is_editable_by(lead, request.user)
    return {
        **path_context(request, lead, step=request.GET.get("step", "")),
        "lead": lead,
        "editable": editable,
        "sections": lead_record_sections(lead=lead),
        "notes": lead_notes(lead=lead),
        "history": lead_history(lead=lead),
        "note_form": NoteForm(),
        "deletable": lead_is_deletable_by(lead, request.user),
    }


@login_required
def lead_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        lead = lead_detail(user=request.user, pk=pk)
    except Http404:
        # An old link (a bookmark, an email) to a lead converted since: its conversion summary
        # says what it became, for those whom sharing let read the lead.
        if converted_leads_shared_with(request.user).filter(pk=pk).exists():
            return redirect("conversion:converted", pk=pk)
        raise
    lead_mark_viewed(lead=lead, user=request.user)
    return render(request, "leads/lead_detail.html", _detail_context(request, lead))


def _conflict_changes(exc: LeadEditConflict) -> list:
    return [c for c in exc.changes if c.field_name != "created"]


@login_required
@require_http_methods(["GET", "POST"])
def lead_create_view(request: HttpRequest) -> HttpResponse:
    available = lead_record_types_for(user=request.user)
    chosen = request.POST.get("record_type") or request.GET.get("record_type")
    record_type = lead_record_type_get(chosen, user=request.user) if chosen else None
    if record_type is None and (available.count() > 1 or chosen):
        # Several record types their roles may use: the user chooses one first (their default
        # preselected); one they may not use is refused here with the choices they have.
        default = lead_record_type_default(user=request.user)
        choice = RecordTypeChoiceForm(
            request.GET if chosen else None,
            record_types=available,
            initial={"record_type": default.pk if default else None},
        )
        return render(request, "leads/lead_record_type_choice.html", {"form": choice}, status=400 if chosen else 200)
    form = LeadForm(request.POST or None, user=request.user, record_type=record_type)
    duplicates = None
    if request.method == "POST" and form.is_valid():
        owner = owner_from_key(form.cleaned_data["owner"])
        if owner is None:
            form.add_error("owner", "Choose an active user or a queue.")
        else:
            try:
                lead = lead_intake(
                    data=form.standard_data(),
                    custom_fields=form.custom_data(),
                    owner=owner,
                    acting_user=request.user,
                    source="page",
                    assign=bool(form.cleaned_data.get("use_assignment_rule")),
                    auto_respond=bool(form.cleaned_data.get("send_autoresponse")),
                    allow_duplicates=bool(request.POST.get("allow_duplicates")),
                    record_type=form.record_type,
                ).lead
                owner = lead.owner
            except DuplicateLeadError as exc:
                duplicates = exc
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("Lead “%(name)s” was created.") % {"name": lead.name})
                if "save_new" in request.POST:
                    again = reverse("leads:create")
                    if available.count() > 1 and lead.record_type_id:
                        again += f"?record_type={lead.record_type_id}"
                    return redirect(again)
                if not leads_visible_to(request.user).filter(pk=lead.pk).exists():
                    # Given to a queue or user whose leads this user cannot see.
                    messages.info(request, _("It is owned by %(owner_label)s.") % {"owner_label": owner_label(owner)})
                    return redirect("leads:list")
                return redirect("leads:detail", pk=lead.pk)
    return render(
        request,
        "leads/lead_form.html",
        {"form": form, "lead": None, "duplicates": duplicates, "record_type": form.record_type},
    )


@login_required
@require_http_methods(["GET", "POST"])
def lead_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    lead = _editable(request, pk)
    form = LeadForm(request.POST or None, lead=lead, user=request.user)
    conflict = duplicates = None
    if request.method == "POST" and form.is_valid():
        try:
            lead = lead_update(
                lead=lead,
                data=form.standard_data(),
                custom_fields=form.custom_data(),
                expected_version=form.cleaned_data["version"],
                acting_user=request.user,
                duplicates="page",
                allow_duplicates=bool(request.POST.get("allow_duplicates")),
                **form.record_type_change(),
            )
        except LeadEditConflict as exc:
            conflict = _conflict_changes(exc)
            # The user's input stays; saving again is a deliberate decision on the latest version.
            data = request.POST.copy()
            data["version"] = exc.lead.version
            form = LeadForm(data, lead=exc.lead, user=request.user)
            form.is_valid()
        except DuplicateLeadError as exc:
            duplicates = exc
        except ValidationError as exc:
            form.add_service_errors(exc)
        except PermissionError as exc:
            raise PermissionDenied(str(exc)) from exc
        else:
            if form.cleaned_data.get("use_assignment_rule"):
                lead = lead_assign(lead=lead, acting_user=request.user).lead
            messages.success(request, _("Lead “%(name)s” was saved.") % {"name": lead.name})
            if "save_new" in request.POST:
                return redirect("leads:create")
            if not leads_visible_to(request.user).filter(pk=lead.pk).exists():
                messages.info(request, _("It is owned by %(owner_label)s.") % {"owner_label": owner_label(lead.owner)})
                return redirect("leads:list")
            return redirect("leads:detail", pk=lead.pk)
    return render(
        request,
        "leads/lead_form.html",
        {"form": form, "lead": lead, "conflict": conflict, "duplicates": duplicates, "record_type": form.record_type},
    )


# Inline edit --------------------------------------------------------------------------------


def _inline_fields(lead) -> set[str]:
    form = LeadForm(lead=lead, only=[])
    return set(WRITABLE_FIELDS) | {d.api_name for d in form.custom_definitions}


def _field_row(lead, field: str):
    for section in lead_record_sections(lead=lead):
        for row in section.rows:
            if row.key == field:
                return row
    return None


@login_required
@require_http_methods(["GET", "POST"])
def lead_inline_edit(request: HttpRequest, pk: int, field: str) -> HttpResponse:
    lead = _editable(request, pk)
    if field not in _inline_fields(lead):
        raise PermissionDenied(_("This field cannot be edited inline."))
    edit_page = reverse("leads:edit", args=[lead.pk]) + f"#id_{field}"
    if not request.htmx and request.method == "GET":
        return redirect(edit_page)
    if request.method == "GET" and request.GET.get("cancel"):
        return render(
            request, "leads/partials/field_row.html", {"lead": lead, "row": _field_row(lead, field), "editable": True}
        )
    form = LeadForm(request.POST or None, lead=lead, only=[field])
    conflict = duplicates = None
    if request.method == "POST" and form.is_valid():
        is_custom = field not in WRITABLE_FIELDS
        try:
            lead = lead_update(
                lead=lead,
                data={} if is_custom else {field: form.cleaned_data[field]},
                custom_fields={field: form.cleaned_data[field]} if is_custom else None,
                expected_version=form.cleaned_data["version"],
                acting_user=request.user,
                duplicates="page",
                allow_duplicates=bool(request.POST.get("allow_duplicates")),
            )
        except LeadEditConflict as exc:
            conflict = _conflict_changes(exc)
            data = request.POST.copy()
            data["version"] = exc.lead.version
            form = LeadForm(data, lead=exc.lead, only=[field])
            form.is_valid()
        except DuplicateLeadError as exc:
            duplicates = exc
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            if not request.htmx:
                messages.success(request, _("Lead “%(name)s” was saved.") % {"name": lead.name})
                return redirect("leads:detail", pk=lead.pk)
            lead = lead_detail(user=request.user, pk=lead.pk)
            context = _detail_context(request, lead)
            context["row"] = _field_row(lead, field)
            response = render(request, "leads/partials/inline_saved.html", context)
            response["HX-Trigger"] = "leadSaved"
            return response
    if not request.htmx:
        # Submitted without htmx (no script, or before the page had bound it): say what was wrong
        # and open the full edit form on that field.
        if conflict:
            problem = "Someone else changed this lead meanwhile."
        elif duplicates:
            problem = " ".join(duplicates.messages)
        else:
            problem = errors_as_text(form)
        messages.error(request, _("Nothing was saved. %(problem)s") % {"problem": problem})
        return redirect(edit_page)
    context = {"lead": lead, "form": form, "field": field, "conflict": conflict, "duplicates": duplicates}
    return render(request, "leads/partials/inline_form.html", {**context, "row": _field_row(lead, field)})


# Status path, notes, owner ----------------------------------------------------------------


@login_required
@require_POST
def lead_set_status(request: HttpRequest, pk: int) -> HttpResponse:
    lead = _editable(request, pk)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a status."))
        return redirect("leads:detail", pk=lead.pk)
    try:
        data = {"status": form.cleaned_data["status"]}
        if form.cleaned_data["unqualified_reason"]:
            data["unqualified_reason"] = form.cleaned_data["unqualified_reason"]
        lead = lead_update(
            lead=lead, data=data, expected_version=form.cleaned_data["version"], acting_user=request.user
        )
    except LeadEditConflict:
        messages.error(request, _("Someone changed this lead meanwhile; review it and try again."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        labels = {p.api_name: p.label for p in lead_status_path(lead=lead)}
        messages.success(request, _("Status changed to %(get)s.") % {"get": labels.get(lead.status, lead.status)})
    return redirect("leads:detail", pk=lead.pk)


@login_required
@require_POST
def lead_note_create_view(request: HttpRequest, pk: int) -> HttpResponse:
    lead = _editable(request, pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            lead_note_create(
                lead=lead, title=form.cleaned_data["title"], body=form.cleaned_data["body"], acting_user=request.user
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form = NoteForm()
            if not request.htmx:
                messages.success(request, _("Note added."))
                return redirect("leads:detail", pk=lead.pk)
    if not request.htmx:
        messages.error(request, " ".join(m for errors in form.errors.values() for m in errors))
        return redirect("leads:detail", pk=lead.pk)
    return render(
        request,
        "leads/partials/activity.html",
        {"lead": lead, "notes": lead_notes(lead=lead), "note_form": form, "editable": True},
    )


@login_required
@require_http_methods(["GET", "POST"])
def lead_change_owner_view(request: HttpRequest, pk: int) -> HttpResponse:
    lead = _editable(request, pk)
    form = ChangeOwnerForm(request.POST or None, initial={"owner": owner_key(lead.owner)})
    if request.method == "POST" and form.is_valid():
        owner = owner_from_key(form.cleaned_data["owner"])
        try:
            if owner is None:
                raise ValidationError({"owner": _("Choose an active user or a queue.")})
            lead_change_owner(lead=lead, owner=owner, acting_user=request.user)
        except ValidationError as exc:
            form.add_error("owner", exc.message_dict.get("owner", exc.messages))
        else:
            messages.success(request, _("Lead owner changed to %(owner_label)s.") % {"owner_label": owner_label(owner)})
            return redirect("leads:detail", pk=lead.pk)
    return render(request, "leads/lead_change_owner.html", {"lead": lead, "form": form})


# Delete and the Recycle Bin ---------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def lead_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask, then move the lead to the Recycle Bin."""
    lead = lead_detail(user=request.user, pk=pk)
    if not lead_is_deletable_by(lead, request.user):
        raise PermissionDenied(CONVERTED_NOT_DELETABLE if lead.is_converted else _("You may not delete this lead."))
    if request.method == "POST":
        try:
            lead_delete(lead=lead, acting_user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("leads:detail", pk=lead.pk)
        messages.success(request, _("Lead “%(name)s” was moved to the Recycle Bin.") % {"name": lead.name})
        return redirect("leads:list")
    context = {"lead": lead, "notes": lead_notes(lead=lead).count(), "days": settings.RECYCLE_BIN_DAYS}
    return render(request, "leads/lead_delete.html", context)
