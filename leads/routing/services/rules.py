"""Assignment rules and their entries: a kind of ``core.rules``. The rules mechanism creates,
activates, reorders and compiles them; this module adds whom an entry assigns the lead to."""

from __future__ import annotations

from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import rules
from core.rules import CompiledEntry, CompiledRule, RuleKind

from ...fields import OBJECT_NAME
from ...models import Queue
from ..models import AssignmentRule, RuleEntry

ROUND_ROBIN = {RuleEntry.AssignTo.ROUND_ROBIN_QUEUE, RuleEntry.AssignTo.ROUND_ROBIN_GROUP}


def _clean_assignee(data: dict) -> dict:
    """Whom the entry assigns the lead to (a user, a queue, round-robin) and whom it notifies."""
    errors: dict[str, list[str]] = {}
    assign_to = data.get("assign_to")
    user, queue, group = data.get("assign_user"), data.get("assign_queue"), data.get("assign_group")
    do_not_reassign = bool(data.get("do_not_reassign"))
    values = {
        "assign_to": assign_to,
        "assign_user": None,
        "assign_queue": None,
        "assign_group": None,
        "weighted": bool(data.get("weighted")) and assign_to in ROUND_ROBIN,
        "do_not_reassign": do_not_reassign,
        "notification_template": data.get("notification_template"),
    }
    if assign_to not in RuleEntry.AssignTo.values:
        errors["assign_to"] = [_("Choose how to assign the lead.")]
    elif do_not_reassign and not (user or queue or group):
        pass  # the entry only keeps the owner: nobody to assign to
    elif assign_to == RuleEntry.AssignTo.USER:
        if user is None:
            errors["assign_user"] = [_("Choose the user who gets the lead.")]
        elif not user.is_active:
            errors["assign_user"] = [_("An inactive user cannot own leads.")]
        values["assign_user"] = user
    elif assign_to in {RuleEntry.AssignTo.QUEUE, RuleEntry.AssignTo.ROUND_ROBIN_QUEUE}:
        if queue is None:
            errors["assign_queue"] = [_("Choose a queue.")]
        values["assign_queue"] = queue
    else:
        if group is None:
            errors["assign_group"] = [_("Choose a group.")]
        values["assign_group"] = group
    template = values["notification_template"]
    if template is not None and not getattr(template, "is_active", True):
        errors["notification_template"] = [_("Choose an active email template.")]
    if errors:
        raise ValidationError(errors)
    return values


def _assignee_problems(entry: RuleEntry) -> list[str]:
    if entry.assign_to == RuleEntry.AssignTo.USER and entry.assign_user and not entry.assign_user.is_active:
        return [_("the user %(user)s is inactive.") % {"user": entry.assign_user}]
    return []


ASSIGNMENT = rules.register_kind(
    RuleKind(
        key="assignment",
        label=gettext_lazy("Assignment rule"),
        rule_model=AssignmentRule,
        entry_model=RuleEntry,
        object_name=OBJECT_NAME,
        name_constraint="leads_assignmentrule_name_ci",
        clean_action=_clean_assignee,
        action_problems=_assignee_problems,
        entry_related=("assign_user", "assign_queue", "assign_group", "notification_template"),
    )
)


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

    def as_dict(self) -> dict:
        # Not dataclasses.asdict: that deep-copies the model instances.
        return {f.name: getattr(self, f.name) for f in dataclass_fields(self)}


def rule_create(*, name: str, description: str = "", acting_user) -> AssignmentRule:
    return rules.rule_create(kind=ASSIGNMENT, name=name, description=description, acting_user=acting_user)


def rule_update(*, rule: AssignmentRule, name: str, description: str = "", acting_user) -> AssignmentRule:
    return rules.rule_update(kind=ASSIGNMENT, rule=rule, name=name, description=description, acting_user=acting_user)


def rule_delete(*, rule: AssignmentRule, acting_user) -> None:
    rules.rule_delete(kind=ASSIGNMENT, rule=rule, acting_user=acting_user)


def rule_activate(*, rule: AssignmentRule, acting_user) -> AssignmentRule:
    """Make ``rule`` the active rule; the one active before is deactivated in the same transaction."""
    return rules.rule_activate(kind=ASSIGNMENT, rule=rule, acting_user=acting_user)


def rule_deactivate(*, rule: AssignmentRule, acting_user) -> AssignmentRule:
    return rules.rule_deactivate(kind=ASSIGNMENT, rule=rule, acting_user=acting_user)


def entry_problems(rule: AssignmentRule) -> list[tuple[RuleEntry, str]]:
    """Entries that cannot run as saved now (a field deleted since, an inactive assignee)."""
    return rules.entry_problems(kind=ASSIGNMENT, rule=rule)


@transaction.atomic
def entry_save(*, rule: AssignmentRule, data: EntryInput, acting_user, entry: RuleEntry | None = None) -> RuleEntry:
    """Create (``entry`` is None, appended last) or change an entry; criteria that cannot be
    evaluated are refused here, with a message per criterion."""
    if entry is None:
        return rules.entry_create(kind=ASSIGNMENT, rule=rule, data=data.as_dict(), acting_user=acting_user)
    if entry.rule_id != rule.pk:
        raise PermissionError("The entry belongs to another rule.")
    return rules.entry_update(kind=ASSIGNMENT, entry=entry, data=data.as_dict(), acting_user=acting_user)


def entry_delete(*, entry: RuleEntry, acting_user) -> None:
    rules.entry_delete(kind=ASSIGNMENT, entry=entry, acting_user=acting_user)


def entry_move(*, entry: RuleEntry, direction: int, acting_user) -> None:
    """Move an entry up (-1) or down (+1)."""
    rules.entry_move(kind=ASSIGNMENT, entry=entry, direction=direction, acting_user=acting_user)


def compiled_rule(rule: AssignmentRule) -> CompiledRule:
    """The rule with every entry's criteria compiled, cached per rule version."""
    return rules.compiled_rule(kind=ASSIGNMENT, rule=rule)


def active_rule() -> AssignmentRule | None:
    return rules.active_rule(ASSIGNMENT)


__all__ = [
    "ASSIGNMENT",
    "CompiledEntry",
    "CompiledRule",
    "EntryInput",
    "active_rule",
    "compiled_rule",
    "entry_delete",
    "entry_move",
    "entry_problems",
    "entry_save",
    "rule_activate",
    "rule_create",
    "rule_deactivate",
    "rule_delete",
    "rule_update",
]
