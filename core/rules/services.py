"""Writes and runs shared by every kind of rule: rules, their entries, activation, compiling.

Every function takes the ``kind`` (a ``RuleKind``); a kind's own services wrap these with its
names (``rule_create``, ``autoresponse_rule_create``, ...) and add its action on top.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Case, Count, F, Max, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from core.criteria import (
    CompiledCriteria,
    compile_criteria,
    criteria_as_dicts,
    field_specs,
    parse_logic,
    validate_criteria,
)
from core.db import unique_as_field_error
from core.models import FieldDefinition
from core.roles import require_setup_admin

from .kinds import RuleKind

NAME_MAX = 120
DESCRIPTION_MAX = 500


def _actor(user):
    return user if getattr(user, "pk", None) else None


def _lock_rule(kind: RuleKind, pk: int):
    return kind.rule_model._default_manager.select_for_update().get(pk=pk)


def rule_touch(kind: RuleKind, rule, acting_user) -> None:
    """Bump the rule's version (the compiled rule is built again) and record who changed it."""
    kind.rule_model._default_manager.filter(pk=rule.pk).update(
        version=F("version") + 1, updated_at=timezone.now(), updated_by=_actor(acting_user)
    )


# Rules -----------------------------------------------------------------------------------------


def _rule_values(kind: RuleKind, *, name: str, description: str, exclude_pk: int | None) -> dict:
    name = " ".join((name or "").split())
    description = (description or "").strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("Enter a name.")]
    elif len(name) > NAME_MAX:
        errors["name"] = [_("Use at most %(max)d characters.") % {"max": NAME_MAX}]
    elif kind.rule_model._default_manager.filter(name__iexact=name).exclude(pk=exclude_pk).exists():
        errors["name"] = [_duplicate_name(name)]
    if len(description) > DESCRIPTION_MAX:
        errors["description"] = [_("Use at most %(max)d characters.") % {"max": DESCRIPTION_MAX}]
    if errors:
        raise ValidationError(errors)
    return {"name": name, "description": description}


def _duplicate_name(name: str) -> str:
    return _("A rule named “%(name)s” already exists.") % {"name": name}


def _unique_name(kind: RuleKind, name: str):
    """A concurrent create or rename to the same name ends in the same field error."""
    message = _duplicate_name(name)
    return unique_as_field_error(dict.fromkeys(kind.name_constraints, ("name", message)))


@transaction.atomic
def rule_create(*, kind: RuleKind, name: str, description: str = "", acting_user):
    """A new, inactive rule without entries."""
    require_setup_admin(acting_user)
    values = _rule_values(kind, name=name, description=description, exclude_pk=None)
    with _unique_name(kind, values["name"]):
        return kind.rule_model._default_manager.create(
            **values, created_by=_actor(acting_user), updated_by=_actor(acting_user)
        )


@transaction.atomic
def rule_update(*, kind: RuleKind, rule, name: str, description: str = "", acting_user):
    require_setup_admin(acting_user)
    locked = _lock_rule(kind, rule.pk)
    for key, value in _rule_values(kind, name=name, description=description, exclude_pk=locked.pk).items():
        setattr(locked, key, value)
    locked.version += 1
    locked.updated_by = _actor(acting_user)
    with _unique_name(kind, locked.name):
        locked.save()
    return locked


@transaction.atomic
def rule_delete(*, kind: RuleKind, rule, acting_user) -> None:
    """Delete an inactive rule and its entries; the active rule must be deactivated first."""
    require_setup_admin(acting_user)
    locked = _lock_rule(kind, rule.pk)
    if locked.is_active:
        raise ValidationError({"__all__": [_("Deactivate the rule before deleting it.")]})
    locked.delete()


def active_rule(kind: RuleKind):
    return kind.rule_model._default_manager.filter(is_active=True).first()


@transaction.atomic
def rule_activate(*, kind: RuleKind, rule, acting_user):
    """Make ``rule`` the active rule of its kind; the one active before is deactivated in the same
    transaction. A rule with entries that cannot act as saved is refused, with the reasons."""
    require_setup_admin(acting_user)
    # Lock every rule of the kind so that two activations at once are ordered; the partial unique
    # constraint refuses a second active rule in any case.
    list(kind.rule_model._default_manager.select_for_update().order_by("pk").values_list("pk", flat=True))
    locked = kind.rule_model._default_manager.get(pk=rule.pk)
    problems = [
        _("Entry %(number)s: %(problem)s") % {"number": entry.sort_order, "problem": message}
        for entry, message in entry_problems(kind=kind, rule=locked)
    ]
    if problems:
        raise ValidationError({"__all__": [_("Fix the rule's entries before activating it:"), *problems]})
    now, actor = timezone.now(), _actor(acting_user)
    kind.rule_model._default_manager.filter(is_active=True).exclude(pk=locked.pk).update(
        is_active=False, version=F("version") + 1, updated_at=now, updated_by=actor
    )
    try:
        with transaction.atomic():
            kind.rule_model._default_manager.filter(pk=locked.pk).update(
                is_active=True, version=F("version") + 1, updated_at=now, updated_by=actor
            )
    except IntegrityError:
        raise ValidationError({"__all__": [_("Another rule was activated at the same moment; try again.")]}) from None
    locked.refresh_from_db()
    return locked


@transaction.atomic
def rule_deactivate(*, kind: RuleKind, rule, acting_user):
    """No rule of the kind runs until one is activated again."""
    require_setup_admin(acting_user)
    kind.rule_model._default_manager.filter(pk=rule.pk).update(
        is_active=False, version=F("version") + 1, updated_at=timezone.now(), updated_by=_actor(acting_user)
    )
    rule.refresh_from_db()
    return rule


# Entries ---------------------------------------------------------------------------------------


def clean_criteria(kind: RuleKind, criteria, filter_logic: str) -> dict:
    """Validated criteria and normalised filter logic, or ``ValidationError`` with a message per
    criterion (``criteria``) and for the logic (``filter_logic``). Blank rows are left out."""
    rows = [c for c in (criteria or []) if not (isinstance(c, dict) and not c.get("field"))]
    logic = (filter_logic or "").strip()
    cleaned = validate_criteria(object_name=kind.object_name, criteria=rows, logic=logic)
    if logic and rows:
        logic = str(parse_logic(logic, len(rows)))
    return {"criteria": criteria_as_dicts(cleaned), "filter_logic": logic if rows else ""}


def clean_entry(kind: RuleKind, data: dict) -> dict:
    """The entry's field values from its input: the criteria and the kind's action, every error at
    once."""
    errors: dict[str, list[str]] = {}
    values: dict = {}
    for clean in (
        lambda: clean_criteria(kind, data.get("criteria"), data.get("filter_logic")),
        lambda: kind.clean_action(data),
    ):
        try:
            values.update(clean())
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    return values


def related_record(value, model: type[models.Model]):
    """The record an entry's action names (a sequence, a matching rule...): ``value`` itself when it
    is one, else the ``model`` row whose id it is (a whole number or its digits), else ``None``."""
    if isinstance(value, model):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return model._default_manager.filter(pk=value).first()
    if isinstance(value, str) and value.isdigit():
        return model._default_manager.filter(pk=int(value)).first()
    return None


# ``entry_create``'s position when none is given: where the entry input's ``sort_order`` says.
FROM_INPUT = object()


@transaction.atomic
def entry_create(*, kind: RuleKind, rule, data: dict, acting_user, position=FROM_INPUT):
    """Add an entry at ``position`` (the entries from there move down), by default where the input's
    ``sort_order`` says; at the end of the rule without one."""
    if position is FROM_INPUT:
        position = data.get("sort_order")
    require_setup_admin(acting_user)
    locked = _lock_rule(kind, rule.pk)
    values = clean_entry(kind, data)
    entries = kind.entry_model._default_manager.filter(rule=locked)
    last = entries.aggregate(m=Max("sort_order"))["m"] or 0
    if not position or int(position) > last:
        position = last + 1
    else:
        position = max(int(position), 1)
        entries.filter(sort_order__gte=position).update(sort_order=F("sort_order") + 1)
    entry = kind.entry_model._default_manager.create(rule=locked, sort_order=position, **values)
    rule_touch(kind, locked, acting_user)
    return entry


@transaction.atomic
def entry_update(*, kind: RuleKind, entry, data: dict, acting_user):
    require_setup_admin(acting_user)
    locked_rule = _lock_rule(kind, entry.rule_id)
    locked = kind.entry_model._default_manager.get(pk=entry.pk, rule=locked_rule)
    for key, value in clean_entry(kind, data).items():
        setattr(locked, key, value)
    locked.save()
    rule_touch(kind, locked_rule, acting_user)
    return locked


def _renumber(kind: RuleKind, ordered: list) -> None:
    """Number ``ordered`` 1, 2, 3... in one statement (the unique order is checked at commit)."""
    changed = [(item.pk, position) for position, item in enumerate(ordered, start=1) if item.sort_order != position]
    if changed:
        kind.entry_model._default_manager.filter(pk__in=[pk for pk, _position in changed]).update(
            sort_order=Case(
                *(When(pk=pk, then=Value(position)) for pk, position in changed),
                output_field=models.PositiveIntegerField(),
            )
        )


def _ordered_entries(kind: RuleKind, rule) -> list:
    return list(
        kind.entry_model._default_manager.filter(rule=rule).order_by("sort_order", "id").only("pk", "sort_order")
    )


@transaction.atomic
def entry_delete(*, kind: RuleKind, entry, acting_user) -> None:
    """Delete an entry; the ones after it move up."""
    require_setup_admin(acting_user)
    rule = _lock_rule(kind, entry.rule_id)
    kind.entry_model._default_manager.filter(pk=entry.pk).delete()
    _renumber(kind, _ordered_entries(kind, rule))
    rule_touch(kind, rule, acting_user)


@transaction.atomic
def entry_move(*, kind: RuleKind, entry, direction: int, acting_user) -> None:
    """Move an entry one place up (-1) or down (+1)."""
    require_setup_admin(acting_user)
    rule = _lock_rule(kind, entry.rule_id)
    ordered = _ordered_entries(kind, rule)
    index = next(i for i, item in enumerate(ordered) if item.pk == entry.pk)
    target = index + (1 if direction > 0 else -1)
    if not 0 <= target < len(ordered):
        return
    ordered[index], ordered[target] = ordered[target], ordered[index]
    _renumber(kind, ordered)
    rule_touch(kind, rule, acting_user)


def entry_problems(*, kind: RuleKind, rule) -> list[tuple[object, str]]:
    """Entries that cannot act as saved now: criteria on a field deleted since, or what the kind
    reports about its action (an inactive user, a deactivated template)."""
    specs = field_specs(kind.object_name)
    problems = []
    entries = kind.entry_model._default_manager.filter(rule=rule).select_related(*kind.entry_related)
    for entry in entries.order_by("sort_order", "id"):
        try:
            validate_criteria(
                object_name=kind.object_name, criteria=entry.criteria, logic=entry.filter_logic, specs=specs
            )
        except ValidationError as exc:
            problems.extend((entry, message) for message in exc.messages)
        problems.extend((entry, message) for message in kind.action_problems(entry))
    return problems


# Running a rule --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CompiledEntry:
    entry: models.Model
    number: int
    criteria: CompiledCriteria


@dataclass(frozen=True)
class CompiledRule:
    rule: models.Model
    entries: tuple[CompiledEntry, ...]

    def first_match(self, record, usable: Callable[[object], bool] | None = None) -> CompiledEntry | None:
        """The first entry whose criteria the record meets (of those ``usable`` accepts)."""
        memo: dict = {}  # each field of the record is read and converted once for all entries
        for compiled in self.entries:
            if usable is not None and not usable(compiled.entry):
                continue
            if compiled.criteria.matches(record, memo):
                return compiled
        return None


_cache: dict[tuple[str, int], tuple[tuple, CompiledRule]] = {}
_cache_lock = threading.Lock()


def _fields_stamp(object_name: str) -> tuple:
    stamp = FieldDefinition.objects.filter(object_name=object_name).aggregate(
        n=Count("id"), active=Count("id", filter=Q(is_active=True)), changed=Max("updated_at")
    )
    return (stamp["n"], stamp["active"], stamp["changed"])


def compiled_rule(*, kind: RuleKind, rule) -> CompiledRule:
    """The rule with every entry's criteria parsed and compiled, cached per rule version (and per
    state of the field metadata, so that a deleted field is noticed)."""
    key = (rule.version, _fields_stamp(kind.object_name))
    with _cache_lock:
        hit = _cache.get((kind.key, rule.pk))
    if hit is not None and hit[0] == key:
        return hit[1]
    specs = field_specs(kind.object_name)
    entries = kind.entry_model._default_manager.filter(rule=rule).select_related(*kind.entry_related)
    result = CompiledRule(
        rule=rule,
        entries=tuple(
            CompiledEntry(
                entry=entry,
                number=number,
                criteria=compile_criteria(
                    object_name=kind.object_name, criteria=entry.criteria, logic=entry.filter_logic, specs=specs
                ),
            )
            for number, entry in enumerate(entries.order_by("sort_order", "id"), start=1)
        ),
    )
    with _cache_lock:
        _cache[(kind.key, rule.pk)] = (key, result)
    return result


# Usage -----------------------------------------------------------------------------------------


def _uses(criterion, field_name: str, api_name: str) -> bool:
    if not isinstance(criterion, dict) or criterion.get("field") != field_name:
        return False
    value = criterion.get("value")
    values = value if isinstance(value, list) else [value]
    return api_name in [str(v) for v in values if v is not None]


def picklist_usage(*, kind: RuleKind, value) -> list[str]:
    """Entries of the kind whose criteria use a picklist value (so the value cannot be deleted)."""
    if value.object_name != kind.object_name:
        return []
    entries = kind.entry_model._default_manager.select_related("rule").order_by("rule__name", "sort_order")
    return [
        _("%(kind)s “%(rule)s”, entry %(number)s uses it in its criteria.")
        % {"kind": kind.label, "rule": entry.rule.name, "number": entry.sort_order}
        for entry in entries
        if any(_uses(c, value.field_name, value.api_name) for c in entry.criteria or [])
    ]
