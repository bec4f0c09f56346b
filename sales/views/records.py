"""The list, record and delete pages accounts, contacts and opportunities share."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from core.fields import custom_definitions, display_value
from core.history import history_for
from core.paging import page_window
from core.roles import display_name
from core.selectors import field_labels, picklist_labels

from .. import selectors, services
from ..fields import ACCOUNT, CONTACT, OPPORTUNITY, SECTIONS, STANDARD_FIELDS
from .common import _GETTERS, OBJECTS, PAGE_SIZE, _cell, _link_of, _url


def _list_view(request: HttpRequest, object_name: str) -> HttpResponse:
    config = OBJECTS[object_name]
    qs = config["visible"](request.user)
    filterset = config["filter"](request.GET or None, queryset=qs, request=request)
    rows_qs = filterset.qs if filterset.is_bound and filterset.is_valid() else qs
    if not request.GET.get("ordering"):
        default = {"account": "name", "contact": "last_name", "opportunity": "close_date"}[object_name]
        rows_qs = rows_qs.order_by(default, "id")
    records, page, has_next = page_window(rows_qs, request.GET.get("page"), PAGE_SIZE)
    offset = (page - 1) * PAGE_SIZE
    labels = picklist_labels(object_name=object_name)
    rows = [
        (record, [(_cell(record, object_name, name, labels), _link_of(record, name)) for name, _ in config["columns"]])
        for record in records
    ]
    is_filtered = any(v for k, v in request.GET.items() if k not in {"page", "ordering"})
    return render(
        request,
        "sales/record_list.html",
        {
            "object_name": object_name,
            "config": config,
            "filter": filterset,
            "rows": rows,
            "columns": [
                {"key": key, "label": label, "sortable": key in filterset.filters["ordering"].param_map}
                for key, label in config["columns"]
            ],
            "ordering": request.GET.get("ordering", ""),
            "page": page,
            "has_next": has_next,
            "first_index": offset + 1,
            "last_index": offset + len(records),
            "is_filtered": is_filtered,
            "create_url": _url(object_name, "create"),
        },
    )


def _inline_editable(record, object_name: str, name: str) -> bool:
    if name == "record_type":
        return False  # changing it re-decides every picklist: the edit page does that
    # While the opportunity has products its amount is their sum.
    return not (name == "amount" and record.line_items.exists())


def _sections(record, object_name: str, *, editable: bool = False) -> list[tuple[str, list[dict]]]:
    labels = picklist_labels(object_name=object_name)
    field_meta = field_labels(object_name=object_name)
    sections = []
    for key, title in SECTIONS[object_name]:
        rows = []
        for api_name, label, _type, _req, section, help_text in STANDARD_FIELDS[object_name]:
            if section != key:
                continue
            rows.append(
                {
                    "name": api_name,
                    "label": gettext(field_meta.get(api_name, label)),
                    "value": _cell(record, object_name, api_name, labels),
                    "link": _link_of(record, api_name),
                    "help": gettext(help_text) if help_text else "",
                    "inline": editable and _inline_editable(record, object_name, api_name),
                }
            )
        sections.append((gettext(title), rows))
    custom = [
        {
            "name": d.api_name,
            "label": d.label,
            "value": display_value(d, (record.custom_fields or {}).get(d.api_name)),
            "link": None,
            "help": d.help_text,
            "inline": editable,
        }
        for d in custom_definitions(object_name)
    ]
    if custom:
        sections.append(("Custom Fields", custom))
    return sections


def _field_row(record, object_name: str, name: str) -> dict | None:
    for _title, rows in _sections(record, object_name, editable=True):
        for row in rows:
            if row["name"] == name:
                return row
    return None


def _system_info(record) -> list[tuple[str, str]]:
    return [
        ("Created By", f"{display_name(record.created_by)}, {record.created_at:%Y-%m-%d %H:%M}"),
        ("Last Modified By", f"{display_name(record.last_modified_by)}, {record.last_modified_at:%Y-%m-%d %H:%M}"),
    ]


def _detail_context(request, record, object_name: str) -> dict:
    config = OBJECTS[object_name]
    labels = picklist_labels(object_name=object_name)
    field_meta = field_labels(object_name=object_name)
    return {
        "object_name": object_name,
        "config": config,
        "record": record,
        "can_edit": selectors.record_is_editable_by(record, request.user),
        "highlights": [
            {
                "label": field_meta.get(name, name),
                "value": _cell(record, object_name, name, labels),
                "link": _link_of(record, name),
            }
            for name in config["highlights"]
        ],
        "sections": _sections(record, object_name, editable=selectors.record_is_editable_by(record, request.user)),
        "system_info": _system_info(record),
        "history": list(history_for(object_name=object_name, record_id=record.pk)[:50]),
        "edit_url": _url(object_name, "edit", record.pk),
        "can_delete": selectors.record_is_deletable_by(record, request.user),
        "delete_url": _url(object_name, "delete", record.pk),
    }


_DELETES = {
    ACCOUNT: services.account_delete,
    CONTACT: services.contact_delete,
    OPPORTUNITY: services.opportunity_delete,
}


def _delete_page(request, object_name: str, pk: int) -> HttpResponse:
    """Ask, then move the record to the Recycle Bin."""
    config = OBJECTS[object_name]
    record = get_object_or_404(_GETTERS[object_name](request.user), pk=pk)
    if not selectors.record_is_deletable_by(record, request.user):
        raise PermissionDenied(_("You may not delete this %(lower)s.") % {"lower": config["label"].lower()})
    if request.method == "POST":
        try:
            _DELETES[object_name](**{object_name: record}, acting_user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(_url(object_name, "detail", pk))
        messages.success(
            request,
            _("%(config)s “%(record)s” was moved to the Recycle Bin.") % {"config": config["label"], "record": record},
        )
        return redirect(_url(object_name, "list"))
    context = {
        "object_name": object_name,
        "config": config,
        "record": record,
        "days": settings.RECYCLE_BIN_DAYS,
        "blocked_by": record.opportunities.count() if object_name == ACCOUNT else 0,
    }
    return render(request, "sales/record_delete.html", context)
