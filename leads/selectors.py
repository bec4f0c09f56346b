"""Reads of leads, always scoped to the user asking."""

from dataclasses import dataclass, replace

from django.contrib.auth import get_user_model
from django.db.models import Case, IntegerField, Q, QuerySet, When
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from core.fields import display_value, field_help_text, field_label, localized_amount, localized_datetime
from core.history import history_for
from core.models import FieldDefinition, FieldHistory, FieldType, OrgSettings
from core.registry import ListExtension, list_extensions
from core.roles import VIEW_CONVERTED_LEADS, display_name, sees_all_records
from core.selectors import field_definitions, org_settings, picklist_labels

from .fields import OBJECT_NAME, PICKLIST_FIELDS, SECTIONS, STANDARD_FIELDS
from .models import Lead, LeadNote, Queue, RecentlyViewed
from .ownership import owner_label
from .processes.selectors import layout_sections, lead_process, lead_record_type_of


def queues_of(user) -> QuerySet[Queue]:
    """Queues the user belongs to, directly or through one of their groups."""
    if not user.is_authenticated:
        return Queue.objects.none()
    return Queue.objects.filter(Q(members=user) | Q(member_groups__user=user)).distinct()


def queue_ids_of(user) -> list[int]:
    return list(queues_of(user).values_list("pk", flat=True))


def can_view_converted(user) -> bool:
    return user.is_authenticated and user.has_perm(VIEW_CONVERTED_LEADS)


def _owned_or_queued(user) -> Q:
    return Q(owner_user=user) | Q(owner_queue_id__in=queue_ids_of(user))


def leads_visible_to(user, *, include_converted: bool = False) -> QuerySet[Lead]:
    """Every lead the user may read. List views leave converted leads out; a record page includes
    them for users allowed to view converted leads."""
    if not user.is_authenticated:
        return Lead.objects.none()
    qs = Lead.objects.all()
    if not (include_converted and can_view_converted(user)):
        qs = qs.filter(is_converted=False)
    return _shared_with(qs, user)


def _shared_with(qs: QuerySet[Lead], user) -> QuerySet[Lead]:
    """The leads of ``qs`` that the org-wide default, ownership or queue membership let the user read."""
    if sees_all_records(user) or org_settings().lead_access != OrgSettings.LeadAccess.PRIVATE:
        return qs
    return qs.filter(_owned_or_queued(user))


def converted_leads_shared_with(user) -> QuerySet[Lead]:
    """Converted leads that sharing lets the user read, whether or not they may open converted
    leads: an old link to one of them leads to its conversion summary instead of a 404."""
    if not user.is_authenticated:
        return Lead.objects.none()
    return _shared_with(Lead.objects.filter(is_converted=True), user)


def lead_is_editable_by(lead: Lead, user) -> bool:
    if lead.is_converted and not can_view_converted(user):
        return False
    if sees_all_records(user) or org_settings().lead_access == OrgSettings.LeadAccess.PUBLIC_READ_WRITE:
        return True
    return lead.owner_user_id == user.pk or (
        lead.owner_queue_id is not None and lead.owner_queue_id in queue_ids_of(user)
    )


def lead_is_deletable_by(lead: Lead, user) -> bool:
    """Deleting takes the Delete Leads permission and ownership (or queue membership); admins may
    delete any lead. As in Salesforce, Public Read/Write sharing lets others edit, not delete, and
    converted leads are not deleted (their account, contact and opportunity keep pointing at them)."""
    if lead.is_converted or not user.has_perm("leads.delete_lead"):
        return False
    if sees_all_records(user):
        return True
    return lead.owner_user_id == user.pk or (
        lead.owner_queue_id is not None and lead.owner_queue_id in queue_ids_of(user)
    )


LIST_VIEWS = {
    "my": "My Leads",
    "queues": "My Queues' Leads",
    "all": "All Leads",
    "recent": "Recently Viewed",
    "today": "Today's Leads",
}


def with_list_extensions(qs: QuerySet[Lead]) -> QuerySet[Lead]:
    """The leads with the values of the columns other apps add to the list (score, grade, last
    activity...), each a join or an indexed subquery (``core.registry.register_list_extension``)."""
    for extension in list_extensions(OBJECT_NAME):
        qs = extension.annotate(qs)
    return qs


def lead_list(*, user, view: str = "all") -> QuerySet[Lead]:
    """The named list views: my, queues, all, recent, today (with the columns of other apps)."""
    return with_list_extensions(_lead_list(user=user, view=view))


def _lead_list(*, user, view: str) -> QuerySet[Lead]:
    qs = leads_visible_to(user).select_related("owner_user", "owner_queue")
    if view == "my":
        return qs.filter(owner_user=user)
    if view == "queues":
        return qs.filter(owner_queue_id__in=queue_ids_of(user)).order_by("owner_assigned_at", "id")
    if view == "today":
        start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
        return qs.filter(created_at__gte=start)
    if view == "recent":
        return recently_viewed(user=user)
    return qs


def recently_viewed(*, user, limit: int = 200) -> QuerySet[Lead]:
    ids = list(
        RecentlyViewed.objects.filter(user=user).order_by("-viewed_at").values_list("lead_id", flat=True)[:limit]
    )
    qs = leads_visible_to(user).select_related("owner_user", "owner_queue").filter(pk__in=ids)
    return qs.order_by(Case(*[When(pk=pk, then=pos) for pos, pk in enumerate(ids)], output_field=IntegerField()))


def lead_notes(*, lead: Lead) -> QuerySet[LeadNote]:
    return lead.notes.select_related("created_by")


def lead_detail(*, user, pk: int) -> Lead:
    """One lead for its record page: 404 unless visible (converted leads only with the permission)."""
    return get_object_or_404(
        leads_visible_to(user, include_converted=True).select_related(
            "owner_user", "owner_queue", "created_by", "last_modified_by"
        ),
        pk=pk,
    )


def lead_history(*, lead: Lead, limit: int = 200) -> list[FieldHistory]:
    """The Field History related list, newest first."""
    return list(history_for(object_name=OBJECT_NAME, record_id=lead.pk)[:limit])


def owner_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Grouped choices for an owner input: active users, then queues (keys of leads.ownership)."""
    users = get_user_model().objects.filter(is_active=True).order_by("first_name", "last_name", "username")
    return [
        ("Users", [(f"user:{u.pk}", display_name(u)) for u in users]),
        ("Queues", [(f"queue:{q.pk}", q.name) for q in Queue.objects.order_by("name")]),
    ]


@dataclass(frozen=True)
class PathStep:
    api_name: str
    label: str
    state: str  # "complete" | "current" | "" (ahead)
    is_converted: bool
    is_closed: bool = False
    guidance: str = ""
    key_fields: tuple[str, ...] = ()
    # The closing step at the end of the path: the statuses that close the lead, to choose from.
    choices: tuple["PathStep", ...] = ()


def lead_status_path(*, lead: Lead) -> list[PathStep]:
    """The lead's process as a path: its open statuses in order, then one closing step ("Closed",
    or the closing status the lead has) offering the statuses that end the path (converted ones,
    reached by converting, and closed ones such as Unqualified). An inactive or out-of-process
    current value keeps its place."""
    process = lead_process(lead_record_type_of(lead), include=lead.status)
    open_steps = [s for s in process if not s.closes]
    closing = [s for s in process if s.closes]
    names = [s.api_name for s in open_steps]
    closed = any(s.api_name == lead.status for s in closing)
    current = len(names) if closed else (names.index(lead.status) if lead.status in names else -1)
    path = [
        PathStep(
            s.api_name,
            s.label,
            "current" if i == current else ("complete" if i < current else ""),
            s.is_converted,
            s.is_closed,
            s.guidance,
            s.key_fields,
        )
        for i, s in enumerate(open_steps)
    ]
    if closing:
        choices = tuple(
            PathStep(s.api_name, s.label, "", s.is_converted, s.is_closed, s.guidance, s.key_fields) for s in closing
        )
        reached = next((c for c in choices if c.api_name == lead.status), None)
        if reached is not None:
            path.append(replace(reached, state="current", choices=choices))
        else:
            path.append(PathStep("", gettext("Closed"), "", False, True, choices=choices))
    return path


def path_guidance_step(*, lead: Lead, api_name: str = "") -> PathStep | None:
    """The step whose guidance and key fields show under the path: the one asked for (a clicked
    step), else the current one."""
    for step in lead_status_path(lead=lead):
        for candidate in (step, *step.choices):
            if candidate.api_name and (
                candidate.api_name == api_name if api_name else candidate.api_name == lead.status
            ):
                return candidate
    return None


def next_open_status(*, lead: Lead) -> PathStep | None:
    """The step "Mark Status as Complete" moves to: the next open step (closing the lead is the
    job of the closing step: converting, or a closed status with its reason)."""
    steps = lead_status_path(lead=lead)
    positions = [i for i, s in enumerate(steps) if s.state == "current"]
    start = positions[0] + 1 if positions else 0
    return next((s for s in steps[start:] if s.api_name and not s.is_converted and not s.is_closed), None)


# List columns -------------------------------------------------------------------------------

# Standard columns of a list view besides the fields of STANDARD_FIELDS.
SYSTEM_COLUMNS = [
    ("created_at", gettext_noop("Created Date")),
    ("last_modified_at", gettext_noop("Last Modified Date")),
]
DEFAULT_COLUMNS = ["name", "company", "status", "email", "phone", "lead_source", "owner", "created_at"]
NOT_LISTABLE = {"description", "salutation", "first_name", "last_name"}


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    field_type: str
    sortable: bool
    definition: FieldDefinition | None = None
    extension: ListExtension | None = None


def lead_list_columns() -> list[Column]:
    """Every column a list view can show: name, the standard fields, dates, active custom fields."""
    from .filters import ORDERING_COLUMNS

    definitions = list(field_definitions(object_name=OBJECT_NAME))
    labels = {d.api_name: field_label(d) for d in definitions}
    columns = [Column("name", gettext("Name"), "text", True)]
    for api, label, ftype, *_ in STANDARD_FIELDS:
        if api not in NOT_LISTABLE:
            columns.append(Column(api, labels.get(api, gettext(label)), ftype, api in ORDERING_COLUMNS))
    columns += [Column(key, gettext(label), "datetime", True) for key, label in SYSTEM_COLUMNS]
    columns += [Column(d.api_name, field_label(d), d.field_type, True, d) for d in definitions if d.is_custom]
    for extension in list_extensions(OBJECT_NAME):
        columns += [
            Column(key, str(label), ftype, key in extension.ordering, extension=extension)
            for key, label, ftype in extension.columns
        ]
    return columns


def _cell(lead: Lead, column: Column, picklists: dict[str, dict[str, str]]) -> str:
    if column.key == "name":
        return lead.name
    if column.key == "owner":
        return lead.owner_name
    if column.extension is not None:
        return column.extension.display(column.key, getattr(lead, column.key, None))
    if column.definition is not None:
        return format_custom_value(column, (lead.custom_fields or {}).get(column.key), picklists)
    value = getattr(lead, column.key)
    if column.field_type == "currency" and value is not None:
        # On the page in the user's locale; the CSV export keeps format_value's plain form.
        return localized_amount(value)
    return format_value(column, value, picklists)


def format_custom_value(column: Column, value, picklists: dict[str, dict[str, str]]) -> str:
    """A custom field's stored value as the list shows it."""
    if column.field_type == FieldType.PICKLIST and value:
        return picklists.get(column.key, {}).get(value, str(value))
    if column.definition is None:
        return "" if value is None else str(value)
    return display_value(column.definition, value)


def format_value(column: Column, value, picklists: dict[str, dict[str, str]]) -> str:
    """A standard field's value as the list shows it (and its CSV export writes it)."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if column.key in PICKLIST_FIELDS:
        return picklists.get(column.key, {}).get(value, value)
    if column.key in {"created_at", "last_modified_at"}:
        return localized_datetime(value)
    if column.field_type == "currency":
        return f"{value:,.2f}"
    return str(value)


def lead_list_rows(
    *, leads, columns: list[Column], picklists: dict[str, dict[str, str]] | None = None
) -> list[tuple[Lead, list[str]]]:
    """The cells of a list page, formatted with one query for every picklist label (none when the
    caller already has the labels)."""
    if picklists is None:
        picklists = picklist_labels(object_name=OBJECT_NAME)
    return [(lead, [_cell(lead, column, picklists) for column in columns]) for lead in leads]


# Record page --------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldRow:
    key: str
    label: str
    value: str
    help_text: str
    field_type: str
    inline_editable: bool
    href: str = ""


@dataclass(frozen=True)
class RecordSection:
    key: str
    title: str
    rows: list[FieldRow]


def _href(field_type: str, value: str) -> str:
    """A link for email, phone and website values; other schemes (javascript:...) get none."""
    if not value:
        return ""
    if field_type == "email":
        return f"mailto:{value}"
    if field_type == "phone":
        return f"tel:{value}"
    if field_type == "url":
        lowered = value.lower()
        if lowered.startswith(("http://", "https://")):
            return value
        if ":" not in value:
            return f"https://{value}"
    return ""


def lead_record_sections(*, lead: Lead) -> list[RecordSection]:
    """The record page's sections with their fields, labels, help text and display values."""
    definitions = list(field_definitions(object_name=OBJECT_NAME))
    by_name = {d.api_name: d for d in definitions}
    picklists = picklist_labels(object_name=OBJECT_NAME)
    shown = layout_sections(lead_record_type_of(lead))
    sections = []
    titles = dict(SECTIONS)
    for key in shown:
        if key not in titles:
            continue
        title = titles[key]
        rows = []
        for api, label, ftype, *_rest in STANDARD_FIELDS:
            if _rest[1] != key:
                continue
            definition = by_name.get(api)
            if api == "owner":
                value = owner_label(lead.owner)
            else:
                column = Column(api, label, ftype, False)
                value = _cell(lead, column, picklists)
            rows.append(
                FieldRow(
                    api,
                    field_label(definition) if definition else gettext(label),
                    value,
                    field_help_text(definition) if definition else "",
                    ftype,
                    api != "owner",
                    _href(ftype, value),
                )
            )
        sections.append(RecordSection(key, gettext(title), rows))
    custom_rows = []
    for definition in definitions:
        if not definition.is_custom:
            continue
        stored = (lead.custom_fields or {}).get(definition.api_name)
        if definition.field_type == FieldType.PICKLIST and stored:
            text = picklists.get(definition.api_name, {}).get(stored, str(stored))
        else:
            text = display_value(definition, stored)
        custom_rows.append(
            FieldRow(
                definition.api_name,
                field_label(definition),
                text,
                field_help_text(definition),
                definition.field_type,
                True,
                _href(definition.field_type, text),
            )
        )
    if custom_rows and "custom" in shown:
        # In the layout's place of the custom fields.
        at = sum(1 for key in shown[: shown.index("custom")] if key in titles)
        sections.insert(at, RecordSection("custom", gettext("Custom Fields"), custom_rows))
    return sections
