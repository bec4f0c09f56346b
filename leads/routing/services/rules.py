"""Assignment rules and their entries: create, change, activate, reorder; the compiled-rule cache."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max, Q
from django.utils import timezone

from core.criteria import (
    CompiledCriteria,
    compile_criteria,
    criteria_as_dicts,
    field_specs,
    parse_logic,
    validate_criteria,
)
from core.models import FieldDefinition
from core.roles import require_setup_admin

from ...fields import OBJECT_NAME
from ...models import Queue
from ..models import AssignmentRule, RuleEntry


def _touch(rule: AssignmentRule, acting_user) -> None:
    AssignmentRule.objects.filter(pk=rule.pk).update(
        version=F("version") + 1, updated_at=timezone.now(), updated_by=acting_user
    )


def _rule_values(*, name: str, description: str, exclude_pk: int | None) -> dict:
    name = (name or "").strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = ["Enter a name."]
    elif len(name) > 120:
        errors["name"] = ["Use at most 120 characters."]
    elif AssignmentRule.objects.filter(name__iexact=name).exclude(pk=exclude_pk).exists():
        errors["name"] = [f"A rule named “{name}” already exists."]
    if len(description or "") > 500:
        errors["description"] = ["Use at most 500 characters."]
    if errors:
        raise ValidationError(errors)
    return {"name": name, "description": (description or "").strip()}


@transaction.atomic
def rule_create(*, name: str, description: str = "", acting_user) -> AssignmentRule:
    require_setup_admin(acting_user)
    return AssignmentRule.objects.create(
        **_rule_values(name=name, description=description, exclude_pk=None),
        created_by=acting_user,
        updated_by=acting_user,
    )


@transaction.atomic
def rule_update(*, rule: AssignmentRule, name: str, description: str = "", acting_user) -> AssignmentRule:
    require_setup_admin(acting_user)
    locked = AssignmentRule.objects.select_for_update().get(pk=rule.pk)
    for key, value in _rule_values(name=name, description=description, exclude_pk=locked.pk).items():
        setattr(locked, key, value)
    locked.version += 1
    locked.updated_by = acting_user
    locked.save()
    return locked


@transaction.atomic
def rule_delete(*, rule: AssignmentRule, acting_user) -> None:
    require_setup_admin(acting_user)
    if rule.is_active:
        raise ValidationError({"__all__": ["Deactivate the rule before deleting it."]})
    rule.delete()


@transaction.atomic
def rule_activate(*, rule: AssignmentRule, acting_user) -> AssignmentRule:
    """Make ``rule`` the active rule; the one active before is deactivated in the same transaction."""
    require_setup_admin(acting_user)
    # Lock every rule row so two activations at once cannot both succeed (the constraint would
    # refuse the second anyway; locking turns that into a clean, ordered outcome).
    list(AssignmentRule.objects.select_for_update().order_by("pk").values_list("pk", flat=True))
    locked = AssignmentRule.objects.get(pk=rule.pk)
    problems = [f"Entry {e.sort_order}: {message}" for e, message in entry_problems(locked)]
    if problems:
        raise ValidationError({"__all__": ["Fix the rule's entries before activating it:", *problems]})
    AssignmentRule.objects.filter(is_active=True).exclude(pk=locked.pk).update(
        is_active=False, updated_at=timezone.now(), updated_by=acting_user
    )
    locked.is_active = True
    locked.version += 1
    locked.updated_by = acting_user
    try:
        with transaction.atomic():
            locked.save()
    except IntegrityError:
        raise ValidationError({"__all__": ["Another rule was activated at the same moment; try again."]}) from None
    return locked


@transaction.atomic
def rule_deactivate(*, rule: AssignmentRule, acting_user) -> AssignmentRule:
    require_setup_admin(acting_user)
    AssignmentRule.objects.filter(pk=rule.pk).update(
        is_active=False, version=F("version") + 1, updated_at=timezone.now(), updated_by=acting_user
    )
    rule.refresh_from_db()
    return rule


def entry_problems(rule: AssignmentRule) -> list[tuple[RuleEntry, str]]:
    """Entries that cannot run as saved now (a field deleted since, an inactive assignee)."""
    specs = field_specs(OBJECT_NAME)
    problems = []
    for entry in rule.entries.select_related("assign_user"):
        try:
            validate_criteria(object_name=OBJECT_NAME, criteria=entry.criteria, logic=entry.filter_logic, specs=specs)
        except ValidationError as exc:
            problems.extend((entry, m) for m in exc.messages)
        if entry.assign_to == RuleEntry.AssignTo.USER and entry.assign_user and not entry.assign_user.is_active:
            problems.append((entry, f"the user {entry.assign_user} is inactive."))
    return problems


@dataclass
class EntryInput:
    """What an entry form or the API hands to ``entry_save``."""

    criteria: list = field(default_factory=list)
    filter_logic: str = ""
    assign_to: str = RuleEntry.AssignTo.USER
    assign_user: object = None
    assign_queue: Queue | None = None
    assign_group: Group | None = None
    weighted: bool = False
    do_not_reassign: bool = False
    notification_template: object = None


def _clean_entry(data: EntryInput) -> dict:
    errors: dict[str, list[str]] = {}
    criteria = [c for c in (data.criteria or []) if not (isinstance(c, dict) and not c.get("field"))]
    logic = (data.filter_logic or "").strip()
    try:
        cleaned = criteria_as_dicts(validate_criteria(object_name=OBJECT_NAME, criteria=criteria, logic=logic))
    except ValidationError as exc:
        errors.update(exc.message_dict)
        cleaned = []
    if logic and not errors.get("filter_logic"):
        logic = str(parse_logic(logic, len(criteria)))
    assign_to = data.assign_to
    values = {
        "criteria": cleaned,
        "filter_logic": logic,
        "assign_to": assign_to,
        "assign_user": None,
        "assign_queue": None,
        "assign_group": None,
        "weighted": bool(data.weighted) and assign_to in {"rr_queue", "rr_group"},
        "do_not_reassign": bool(data.do_not_reassign),
        "notification_template": data.notification_template,
    }
    if assign_to not in RuleEntry.AssignTo.values:
        errors["assign_to"] = ["Choose how to assign the lead."]
    elif data.do_not_reassign and not (data.assign_user or data.assign_queue or data.assign_group):
        pass  # the entry only keeps the owner: nobody to assign to
    elif assign_to == RuleEntry.AssignTo.USER:
        if data.assign_user is None:
            errors["assign_user"] = ["Choose the user who gets the lead."]
        elif not data.assign_user.is_active:
            errors["assign_user"] = ["An inactive user cannot own leads."]
        values["assign_user"] = data.assign_user
    elif assign_to in {RuleEntry.AssignTo.QUEUE, RuleEntry.AssignTo.ROUND_ROBIN_QUEUE}:
        if data.assign_queue is None:
            errors["assign_queue"] = ["Choose a queue."]
        values["assign_queue"] = data.assign_queue
    else:
        if data.assign_group is None:
            errors["assign_group"] = ["Choose a group."]
        values["assign_group"] = data.assign_group
    template = data.notification_template
    if template is not None and not getattr(template, "is_active", True):
        errors["notification_template"] = ["Choose an active email template."]
    if errors:
        raise ValidationError(errors)
    return values


@transaction.atomic
def entry_save(*, rule: AssignmentRule, data: EntryInput, acting_user, entry: RuleEntry | None = None) -> RuleEntry:
    """Create (``entry`` is None, appended last) or change an entry; criteria that cannot be
    evaluated are refused here, with a message per criterion."""
    require_setup_admin(acting_user)
    AssignmentRule.objects.select_for_update().get(pk=rule.pk)
    values = _clean_entry(data)
    if entry is None:
        last = rule.entries.aggregate(m=Max("sort_order"))["m"] or 0
        entry = RuleEntry(rule=rule, sort_order=last + 1)
    elif entry.rule_id != rule.pk:
        raise PermissionError("The entry belongs to another rule.")
    for key, value in values.items():
        setattr(entry, key, value)
    entry.save()
    _touch(rule, acting_user)
    return entry


def _renumber(rule: AssignmentRule) -> None:
    for position, entry in enumerate(rule.entries.order_by("sort_order", "id"), start=1):
        if entry.sort_order != position:
            RuleEntry.objects.filter(pk=entry.pk).update(sort_order=position)


@transaction.atomic
def entry_delete(*, entry: RuleEntry, acting_user) -> None:
    require_setup_admin(acting_user)
    rule = AssignmentRule.objects.select_for_update().get(pk=entry.rule_id)
    entry.delete()
    _renumber(rule)
    _touch(rule, acting_user)


@transaction.atomic
def entry_move(*, entry: RuleEntry, direction: int, acting_user) -> None:
    """Move an entry up (-1) or down (+1); the unique order is checked at commit (deferred)."""
    require_setup_admin(acting_user)
    rule = AssignmentRule.objects.select_for_update().get(pk=entry.rule_id)
    entries = list(rule.entries.order_by("sort_order", "id"))
    index = next(i for i, e in enumerate(entries) if e.pk == entry.pk)
    target = index + (1 if direction > 0 else -1)
    if not 0 <= target < len(entries):
        return
    entries[index], entries[target] = entries[target], entries[index]
    for position, item in enumerate(entries, start=1):
        RuleEntry.objects.filter(pk=item.pk).update(sort_order=position)
    _touch(rule, acting_user)


@dataclass(frozen=True)
class CompiledEntry:
    entry: RuleEntry
    number: int
    criteria: CompiledCriteria


@dataclass(frozen=True)
class CompiledRule:
    rule: AssignmentRule
    entries: tuple[CompiledEntry, ...]

    def first_match(self, lead) -> CompiledEntry | None:
        memo: dict = {}  # each field of the lead is read and converted once for all entries
        for compiled in self.entries:
            if compiled.criteria.matches(lead, memo):
                return compiled
        return None


_cache: dict[int, tuple[tuple, CompiledRule]] = {}
_cache_lock = threading.Lock()


def _fields_stamp() -> tuple:
    stamp = FieldDefinition.objects.filter(object_name=OBJECT_NAME).aggregate(
        n=Count("id"), active=Count("id", filter=Q(is_active=True)), changed=Max("updated_at")
    )
    return (stamp["n"], stamp["active"], stamp["changed"])


def compiled_rule(rule: AssignmentRule) -> CompiledRule:
    """The rule with every entry's criteria parsed and compiled, cached per rule version (and
    per state of the field metadata, so a deleted field is noticed)."""
    key = (rule.version, _fields_stamp())
    with _cache_lock:
        hit = _cache.get(rule.pk)
    if hit is not None and hit[0] == key:
        return hit[1]
    specs = field_specs(OBJECT_NAME)
    entries = tuple(
        CompiledEntry(
            entry=entry,
            number=number,
            criteria=compile_criteria(
                object_name=OBJECT_NAME, criteria=entry.criteria, logic=entry.filter_logic, specs=specs
            ),
        )
        for number, entry in enumerate(
            rule.entries.select_related(
                "assign_user", "assign_queue", "assign_group", "notification_template"
            ).order_by("sort_order", "id"),
            start=1,
        )
    )
    result = CompiledRule(rule=rule, entries=entries)
    with _cache_lock:
        _cache[rule.pk] = (key, result)
    return result


def active_rule() -> AssignmentRule | None:
    return AssignmentRule.objects.filter(is_active=True).first()
