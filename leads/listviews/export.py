"""CSV export of a lead list (a saved list view, or the standard list with filters): its filters,
columns and sort, streamed from a server-side cursor so that memory stays flat at any size."""

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from operator import itemgetter

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.db.models.fields.json import KeyTransform
from django.http import QueryDict, StreamingHttpResponse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from core.csv_export import csv_cell, csv_lines
from core.fields import plain_formats
from core.roles import display_name
from core.selectors import picklist_labels

from ..fields import OBJECT_NAME, PICKLIST_FIELDS
from ..filters import LeadFilter
from ..models import Queue
from ..selectors import DEFAULT_COLUMNS, Column, format_custom_value, format_value, lead_list, lead_list_columns
from .models import ListView
from .selectors import NOT_FILTERS, list_view_params
from .services import SCOPES

# Rows fetched from the server-side cursor at a time.
CHUNK = 2000


@dataclass(frozen=True)
class ExportSpec:
    """What one export writes: the leads (filtered and sorted) and the columns, in order."""

    queryset: QuerySet
    columns: list[Column]
    filename: str


def export_spec(*, user, params: QueryDict, list_view: ListView | None = None) -> ExportSpec:
    """The leads and columns of an export. ``params`` are the request's: filters, ``ordering``,
    ``view`` and ``columns`` (comma-separated keys), which override the list view's own. Invalid
    ones raise ``ValidationError`` with field errors."""
    all_columns = {c.key: c for c in lead_list_columns()}
    if list_view is not None:
        data = list_view_params(list_view, params, replace_filters="apply" in params)
        # A column whose custom field was deactivated since is left out, as on the page.
        scope, keys = list_view.scope, [k for k in list_view.columns if k in all_columns] or DEFAULT_COLUMNS
        filename = slugify(list_view.name) or "leads"
    else:
        data = QueryDict(mutable=True)
        for name in params:
            if name not in NOT_FILTERS:
                data.setlist(name, params.getlist(name))
        scope, keys, filename = params.get("view") or "all", DEFAULT_COLUMNS, "leads"
    if params.get("view") and list_view is not None:
        scope = params["view"]
    if scope not in SCOPES:
        raise ValidationError({"view": _("Choose one of: %(join)s.") % {"join": ", ".join(SCOPES)}})
    if params.get("columns"):
        keys = [k.strip() for k in params["columns"].split(",") if k.strip()]
    unknown = [k for k in keys if k not in all_columns]
    if unknown:
        raise ValidationError({"columns": _("Unknown column: %(keys)s.") % {"keys": ", ".join(unknown)}})
    if not keys:
        raise ValidationError({"columns": _("Choose at least one column.")})
    filterset = LeadFilter(data, queryset=lead_list(user=user, view=scope))
    if not filterset.is_valid():
        raise ValidationError({name: list(errors) for name, errors in filterset.errors.items()})
    return ExportSpec(filterset.qs, [all_columns[k] for k in dict.fromkeys(keys)], f"{filename}.csv")


def _reader(column: Column, position: int, picklists, owners_users, owners_queues, zone):
    """A function of a fetched row answering the column's cell text (what ``format_value`` and
    the list page show), with what every row shares (labels, the time zone) looked up once."""
    if column.key == "name":

        def name(row):
            return " ".join(p for p in row[position : position + 3] if p)

        return name, ["salutation", "first_name", "last_name"]
    if column.key == "owner":

        def owner(row):
            user_id, queue_id = row[position], row[position + 1]
            return owners_users.get(user_id, "") if user_id else owners_queues.get(queue_id, "")

        return owner, ["owner_user_id", "owner_queue_id"]
    if column.extension is not None:
        display = column.extension.display
        return (lambda row: display(column.key, row[position])), [column.key]
    if column.definition is not None:
        return (lambda row: format_custom_value(column, row[position], picklists)), [f"_export_{position}"]
    if column.key in {"created_at", "last_modified_at"}:

        def moment(row):
            value = row[position]
            return value.astimezone(zone).strftime("%Y-%m-%d %H:%M") if value is not None else ""

        return moment, [column.key]
    if column.key in PICKLIST_FIELDS and column.key in picklists and column.field_type not in {"currency", "checkbox"}:
        labels = picklists[column.key]

        def label(row):
            value = row[position]
            return labels.get(value, value) if value else ""

        return label, [column.key]
    if column.field_type in {"currency", "checkbox"}:
        return (lambda row: format_value(column, row[position], picklists)), [column.key]
    return itemgetter(position), [column.key]


def export_rows(spec: ExportSpec, *, zone=None) -> Iterator[list[str]]:
    """The header and one row per lead, each cell guarded against formulas. The leads are read
    through a server-side cursor inside a read transaction, CHUNK rows at a time."""
    picklists = picklist_labels(object_name=OBJECT_NAME)
    users = {u.pk: display_name(u) for u in get_user_model().objects.only("username", "first_name", "last_name")}
    queues = dict(Queue.objects.values_list("pk", "name"))
    # The reader's time zone, given by the view: rows are written after it returned.
    zone = zone or timezone.get_current_timezone()
    readers, fields, customs = [], [], {}
    for column in spec.columns:
        reader, names = _reader(column, len(fields), picklists, users, queues, zone)
        if column.definition is not None:
            customs[names[0]] = KeyTransform(column.key, "custom_fields")
        readers.append(reader)
        fields += names
    yield [csv_cell(c.label) for c in spec.columns]
    queryset = spec.queryset.annotate(**customs) if customs else spec.queryset
    rows = queryset.values_list(*fields)
    with transaction.atomic():
        leads = rows.iterator(chunk_size=CHUNK)
        while True:
            # Dates and times in one fixed form whatever the reader's locale, in their time zone;
            # set per chunk, as a generator must not leave them set for its caller.
            with plain_formats(), timezone.override(zone):
                chunk = [[csv_cell(read(row)) for read in readers] for row in islice(leads, CHUNK)]
            if not chunk:
                return
            yield from chunk


def export_response(spec: ExportSpec) -> StreamingHttpResponse:
    # The rows are written after the view returns, when the request's time zone is no longer
    # active: they take the reader's, as the request had it.
    rows = export_rows(spec, zone=timezone.get_current_timezone())
    response = StreamingHttpResponse(csv_lines(rows, bom=True), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{spec.filename}"'
    response["Cache-Control"] = "no-store"
    return response
