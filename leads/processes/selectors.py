"""Reads of lead record types, their processes (the statuses offered, in order) and path guidance."""

from dataclasses import dataclass, field

from django.contrib.auth.models import Group
from django.db.models import QuerySet

from core.memo import memoized
from core.models import PicklistValue, RecordType, RecordTypeDefault
from core.record_types import (
    record_type_default_for,
    record_type_org_default,
    record_types_available_to,
    record_types_for,
    record_types_of_role,
)
from core.roles import ROLES

from ..fields import OBJECT_NAME, SECTIONS
from .models import LeadPathStep

# Most key fields one step of a path shows.
MAX_KEY_FIELDS = 5

# Fields every layout keeps: a lead cannot be saved without them.
ALWAYS_SHOWN = frozenset({"last_name", "company", "status"})


@dataclass(frozen=True)
class ProcessStep:
    """A Lead Status value of a process with what the path shows at that step."""

    api_name: str
    label: str
    is_converted: bool
    is_closed: bool
    guidance: str = ""
    key_fields: tuple[str, ...] = field(default_factory=tuple)

    @property
    def closes(self) -> bool:
        """Whether the lead's path ends at this status (converted, or closed without converting)."""
        return self.is_converted or self.is_closed


def lead_record_types(*, active_only: bool = True) -> QuerySet[RecordType]:
    return record_types_for(object_name=OBJECT_NAME, active_only=active_only)


def lead_record_types_for(*, user) -> QuerySet[RecordType]:
    """The active lead record types the user may give a lead (their roles'; admins: all)."""
    allowed = [r.pk for r in record_types_available_to(user=user, object_name=OBJECT_NAME)]
    return lead_record_types().filter(pk__in=allowed)


def lead_record_type_get(pk, *, user=None) -> RecordType | None:
    """An active lead record type by id, given ``user`` one they may use (``None`` when there is
    none such)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return (lead_record_types_for(user=user) if user is not None else lead_record_types()).filter(pk=pk).first()


def lead_record_type_default(*, user) -> RecordType | None:
    """The record type a user's new leads get: theirs, their role's, else the organisation's."""
    return record_type_default_for(user=user, object_name=OBJECT_NAME)


def lead_record_type_of(lead) -> RecordType | None:
    """The record type a lead follows: its own, else the organisation's default."""
    if lead.record_type_id:
        return lead.record_type
    return record_type_org_default(OBJECT_NAME)


def lead_process(record_type: RecordType | None, *, include: str = "") -> list[ProcessStep]:
    """The statuses the record type's process offers, in its order, with their guidance and key
    fields: the active values chosen for the process (none chosen: every active status in
    picklist order). ``include`` keeps a value a lead has though the process no longer offers it."""
    steps = memoized(
        ("lead_process", record_type.pk if record_type is not None else None),
        lambda: _lead_process(record_type),
    )
    if include and include not in {s.api_name for s in steps}:
        value = PicklistValue.objects.filter(object_name=OBJECT_NAME, field_name="status", api_name=include).first()
        if value is not None:
            extra = ProcessStep(value.api_name, value.display_label, value.is_converted, value.is_closed)
            # An inactive value keeps its picklist place on the default process; on a chosen
            # process, a value it no longer offers shows last.
            orders = dict(
                PicklistValue.objects.filter(object_name=OBJECT_NAME, field_name="status").values_list(
                    "api_name", "sort_order"
                )
            )
            by_picklist = not _has_steps(record_type)
            at = len(steps)
            if by_picklist:
                at = next((i for i, s in enumerate(steps) if orders.get(s.api_name, 0) > value.sort_order), len(steps))
            steps = (*steps[:at], extra, *steps[at:])
    return list(steps)


def _has_steps(record_type: RecordType | None) -> bool:
    return record_type is not None and LeadPathStep.objects.filter(record_type=record_type).exists()


def _lead_process(record_type: RecordType | None) -> tuple[ProcessStep, ...]:
    chosen = []
    if record_type is not None:
        chosen = list(
            LeadPathStep.objects.filter(record_type=record_type, status__is_active=True)
            .select_related("status")
            .order_by("position", "status__sort_order", "id")
        )
    if chosen:
        return tuple(
            ProcessStep(
                s.status.api_name,
                s.status.display_label,
                s.status.is_converted,
                s.status.is_closed,
                s.guidance,
                tuple(s.key_fields or ()),
            )
            for s in chosen
        )
    values = PicklistValue.objects.filter(object_name=OBJECT_NAME, field_name="status", is_active=True).order_by(
        "sort_order", "id"
    )
    return tuple(ProcessStep(v.api_name, v.display_label, v.is_converted, v.is_closed) for v in values)


def lead_process_statuses(record_type: RecordType | None) -> list[str]:
    """The API names of the statuses the process offers, in order."""
    return [s.api_name for s in lead_process(record_type)]


def lead_record_type_list() -> QuerySet[RecordType]:
    """Lead record types with their process steps, for setup pages and the API."""
    return lead_record_types(active_only=False).prefetch_related("lead_path_steps__status")


def layout_sections(record_type: RecordType | None) -> list[str]:
    """The keys of the sections the record type's page layout shows, in order (``custom``: the
    custom fields); a record type with no layout shows every section."""
    every = [key for key, _title in SECTIONS] + ["custom"]
    chosen = [key for key in (record_type.layout_sections if record_type is not None else []) or [] if key in every]
    return chosen or every


@dataclass(frozen=True)
class RoleRecordTypes:
    """The lead record types a role may use (empty: every one) and its default."""

    role: Group
    record_types: list[RecordType]
    default: RecordType | None


def lead_record_types_by_role() -> list[RoleRecordTypes]:
    """Each role with the lead record types it may use and its default, for Setup and the API."""
    defaults = {
        d.group_id: d.record_type
        for d in RecordTypeDefault.objects.filter(object_name=OBJECT_NAME, group__isnull=False).select_related(
            "record_type"
        )
    }
    return [
        RoleRecordTypes(group, record_types_of_role(group=group, object_name=OBJECT_NAME), defaults.get(group.pk))
        for group in Group.objects.filter(name__in=ROLES).order_by("name")
    ]
