"""Writes of lead routing: queues, accepting leads, assignment rules and running them.

Every entry point (web-to-lead, import, the API, the lead form, the mass action) assigns through
``lead_assign``; the rule's criteria are compiled once per rule version and reused for every lead.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max, Q
from django.utils import timezone

from core.criteria import (
    CompiledCriteria,
    CriteriaError,
    Evaluation,
    compile_criteria,
    criteria_as_dicts,
    field_specs,
    parse_logic,
    validate_criteria,
)
from core.models import FieldDefinition
from core.roles import is_marketing_admin

from ..fields import OBJECT_NAME
from ..models import Lead, Queue
from ..ownership import owner_label
from ..selectors import lead_is_editable_by, queue_ids_of
from ..services import MassResult, _owner_change, lead_change_owner
from .models import AssignmentRule, LeadSettings, RoutingAvailability, RuleEntry

logger = logging.getLogger(__name__)
User = get_user_model()


def _require_admin(user) -> None:
    if not is_marketing_admin(user):
        raise PermissionError("Only marketing admins may change lead routing.")


# Lead settings ---------------------------------------------------------------------------------


@transaction.atomic
def lead_settings_update(*, acting_user, default_owner=None, opportunity_required_on_convert: bool) -> LeadSettings:
    """Set the default lead owner (a user or a queue, or nobody) and the conversion requirement."""
    _require_admin(acting_user)
    row, _ = LeadSettings.objects.select_for_update().get_or_create(singleton=1)
    if default_owner is not None and not isinstance(default_owner, Queue) and not default_owner.is_active:
        raise ValidationError({"default_owner": "An inactive user cannot be the default lead owner."})
    row.default_owner_queue = default_owner if isinstance(default_owner, Queue) else None
    row.default_owner_user = None if isinstance(default_owner, Queue) or default_owner is None else default_owner
    row.opportunity_required_on_convert = bool(opportunity_required_on_convert)
    row.updated_by = acting_user
    row.save()
    return row


# Queues ----------------------------------------------------------------------------------------


def _queue_values(*, name: str, email: str, exclude_pk: int | None) -> dict:
    name = (name or "").strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = ["Enter a name."]
    elif len(name) > 120:
        errors["name"] = ["Use at most 120 characters."]
    elif Queue.objects.filter(name__iexact=name).exclude(pk=exclude_pk).exists():
        errors["name"] = [f"A queue named “{name}” already exists."]
    email = (email or "").strip()
    if email:
        from django.core.validators import validate_email

        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = ["Enter a valid email address."]
    if errors:
        raise ValidationError(errors)
    return {"name": name, "email": email}


@transaction.atomic
def queue_create(*, name: str, email: str = "", members=(), member_groups=(), acting_user) -> Queue:
    _require_admin(acting_user)
    queue = Queue.objects.create(**_queue_values(name=name, email=email, exclude_pk=None))
    queue.members.set(members)
    queue.member_groups.set(member_groups)
    return queue


@transaction.atomic
def queue_update(*, queue: Queue, name: str, email: str = "", members=(), member_groups=(), acting_user) -> Queue:
    """Rename a queue and set its members; membership changes apply to visibility at once."""
    _require_admin(acting_user)
    locked = Queue.objects.select_for_update().get(pk=queue.pk)
    for key, value in _queue_values(name=name, email=email, exclude_pk=locked.pk).items():
        setattr(locked, key, value)
    locked.save()
    locked.members.set(members)
    locked.member_groups.set(member_groups)
    return locked


@transaction.atomic
def queue_delete(*, queue: Queue, acting_user) -> None:
    _require_admin(acting_user)
    problems = []
    waiting = Lead.objects.filter(owner_queue=queue).count()
    if waiting:
        problems.append(f"It owns {waiting} lead{'s' if waiting != 1 else ''}: move them to another owner first.")
    for entry in RuleEntry.objects.filter(assign_queue=queue).select_related("rule"):
        problems.append(f"Assignment rule “{entry.rule.name}”, entry {entry.sort_order} assigns to it.")
    if LeadSettings.objects.filter(default_owner_queue=queue).exists():
        problems.append("It is the default lead owner in Lead Settings.")
    if problems:
        raise ValidationError({"__all__": problems})
    queue.delete()


def is_queue_member(queue: Queue, user) -> bool:
    return queue.pk in queue_ids_of(user)


@transaction.atomic
def lead_accept(*, lead: Lead, acting_user) -> Lead:
    """A queue member takes a lead owned by the queue: they become its owner."""
    locked = Lead.objects.select_for_update(of=("self",)).select_related("owner_queue").get(pk=lead.pk)
    if locked.owner_queue_id is None:
        raise ValidationError({"__all__": ["This lead is not in a queue any more: someone may have accepted it."]})
    if not is_queue_member(locked.owner_queue, acting_user):
        raise PermissionError("Only members of the queue may accept its leads.")
    if locked.is_converted:
        raise ValidationError({"__all__": ["A converted lead cannot be accepted."]})
    return lead_change_owner(
        lead=locked,
        owner=acting_user,
        acting_user=acting_user,
        note=f"Accepted from queue “{locked.owner_queue.name}”",
        check_access=False,
    )


@transaction.atomic
def queue_accept_next(*, queue: Queue, acting_user) -> Lead | None:
    """Give the member the queue's oldest waiting lead, or ``None`` when the queue is empty.

    Rows another member is accepting at this moment are locked; ``SKIP LOCKED`` moves on to the
    next one, so two members never get the same lead and no lead is passed over for good.
    """
    if not is_queue_member(queue, acting_user):
        raise PermissionError("Only members of the queue may accept its leads.")
    lead = (
        Lead.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(owner_queue=queue, is_converted=False)
        .order_by("owner_assigned_at", "id")
        .first()
    )
    if lead is None:
        return None
    return lead_change_owner(
        lead=lead,
        owner=acting_user,
        acting_user=acting_user,
        note=f"Accepted from queue “{queue.name}”",
        check_access=False,
    )


@transaction.atomic
def lead_send_to_queue(*, lead: Lead, queue: Queue, acting_user) -> Lead:
    """Send a lead (back) to a queue: it waits there for a member to accept it."""
    locked = Lead.objects.select_for_update().get(pk=lead.pk)
    if not lead_is_editable_by(locked, acting_user):
        raise PermissionError("You may not change the owner of this lead.")
    if locked.owner_queue_id == queue.pk:
        raise ValidationError({"queue": [f"The lead is already in the queue “{queue.name}”."]})
    return lead_change_owner(
        lead=locked, owner=queue, acting_user=acting_user, note=f"Sent to queue “{queue.name}”", check_access=False
    )


# Availability ----------------------------------------------------------------------------------


@transaction.atomic
def availability_set(*, user, is_available: bool, acting_user) -> RoutingAvailability:
    """Users mark themselves (admins mark anyone) available or not for round-robin assignment."""
    if acting_user.pk != user.pk and not is_marketing_admin(acting_user):
        raise PermissionError("You may change only your own availability.")
    row, _ = RoutingAvailability.objects.select_for_update().get_or_create(user=user)
    row.is_available = bool(is_available)
    row.updated_by = acting_user
    row.save()
    return row


# Assignment rules ------------------------------------------------------------------------------


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
    _require_admin(acting_user)
    return AssignmentRule.objects.create(
        **_rule_values(name=name, description=description, exclude_pk=None),
        created_by=acting_user,
        updated_by=acting_user,
    )


@transaction.atomic
def rule_update(*, rule: AssignmentRule, name: str, description: str = "", acting_user) -> AssignmentRule:
    _require_admin(acting_user)
    locked = AssignmentRule.objects.select_for_update().get(pk=rule.pk)
    for key, value in _rule_values(name=name, description=description, exclude_pk=locked.pk).items():
        setattr(locked, key, value)
    locked.version += 1
    locked.updated_by = acting_user
    locked.save()
    return locked


@transaction.atomic
def rule_delete(*, rule: AssignmentRule, acting_user) -> None:
    _require_admin(acting_user)
    if rule.is_active:
        raise ValidationError({"__all__": ["Deactivate the rule before deleting it."]})
    rule.delete()


@transaction.atomic
def rule_activate(*, rule: AssignmentRule, acting_user) -> AssignmentRule:
    """Make ``rule`` the active rule; the one active before is deactivated in the same transaction."""
    _require_admin(acting_user)
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
    _require_admin(acting_user)
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
    _require_admin(acting_user)
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
    _require_admin(acting_user)
    rule = AssignmentRule.objects.select_for_update().get(pk=entry.rule_id)
    entry.delete()
    _renumber(rule)
    _touch(rule, acting_user)


@transaction.atomic
def entry_move(*, entry: RuleEntry, direction: int, acting_user) -> None:
    """Move an entry up (-1) or down (+1); the unique order is checked at commit (deferred)."""
    _require_admin(acting_user)
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


# Running a rule --------------------------------------------------------------------------------


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


@dataclass(frozen=True)
class AssignmentResult:
    """What ``lead_assign`` did: the rule and entry that matched (if any) and the owner now."""

    lead: Lead
    rule: AssignmentRule | None = None
    entry: RuleEntry | None = None
    entry_number: int | None = None
    owner: object = None
    changed: bool = False
    kept: bool = False  # the entry says "do not reassign owner"
    used_default: bool = False
    note: str = ""

    @property
    def summary(self) -> str:
        if self.rule is None:
            return "No assignment rule is active."
        return self.note


def _eligible_members(entry: RuleEntry) -> list:
    """Active users of the entry's queue or group, by id; unavailable users are left out."""
    users = User.objects.filter(is_active=True)
    if entry.assign_to == RuleEntry.AssignTo.ROUND_ROBIN_QUEUE:
        users = users.filter(Q(lead_queues=entry.assign_queue_id) | Q(groups__lead_queues=entry.assign_queue_id))
    else:
        users = users.filter(groups=entry.assign_group_id)
    users = users.exclude(routing_availability__is_available=False).distinct().order_by("id")
    return list(users)


def _round_robin_pick(entry: RuleEntry):
    """Lock the entry row (the cursor) and pick the next member: in turn after the last one, or,
    weighted, the member holding the fewest open leads (ties in turn)."""
    locked = RuleEntry.objects.select_for_update().get(pk=entry.pk)
    members = _eligible_members(locked)
    if not members:
        return None
    last = locked.last_assigned_user_id or 0
    # Members in turn order: the first after the last one to get a lead, wrapping around.
    ordered = [u for u in members if u.pk > last] + [u for u in members if u.pk <= last]
    if locked.weighted:
        counts = dict(
            Lead.objects.filter(owner_user__in=members, is_converted=False)
            .values_list("owner_user")
            .annotate(n=Count("id"))
            .values_list("owner_user", "n")
        )
        chosen = min(ordered, key=lambda u: counts.get(u.pk, 0))  # min keeps the first in turn on ties
    else:
        chosen = ordered[0]
    RuleEntry.objects.filter(pk=locked.pk).update(last_assigned_user=chosen)
    return chosen


def _entry_owner(entry: RuleEntry):
    if entry.assign_to == RuleEntry.AssignTo.USER:
        return User.objects.filter(pk=entry.assign_user_id, is_active=True).first()
    if entry.assign_to == RuleEntry.AssignTo.QUEUE:
        return entry.assign_queue
    picked = _round_robin_pick(entry)
    if picked is None and entry.assign_to == RuleEntry.AssignTo.ROUND_ROBIN_QUEUE:
        return entry.assign_queue  # nobody available: the lead waits in the queue
    return picked


def _default_owner():
    row = LeadSettings.objects.select_related("default_owner_user", "default_owner_queue").filter(singleton=1).first()
    if row is None:
        return None
    if row.default_owner_user and row.default_owner_user.is_active:
        return row.default_owner_user
    return row.default_owner_queue


def _schedule_notification(*, lead: Lead, entry: RuleEntry) -> None:
    if entry.notification_template_id is None:
        return
    lead_id, entry_id, version = lead.pk, entry.pk, lead.version

    def publish():
        from .tasks import assignment_notify

        try:
            assignment_notify.delay(lead_id=lead_id, entry_id=entry_id, lead_version=version)
        except Exception:  # the broker being down must not turn a saved assignment into an error
            logger.exception("Could not queue the assignment notification of lead %s", lead_id)

    transaction.on_commit(publish)


def lead_assign(
    *, lead: Lead, acting_user, note_source: str = "", rule: AssignmentRule | None = None, compiled=None
) -> AssignmentResult:
    """Run the active assignment rule (or ``rule``) on one lead, inside the caller's transaction.

    The first matching entry decides: its user, its queue, or the next member in round-robin; an
    entry marked "do not reassign owner" keeps the lead's owner. When no entry matches, the default
    lead owner of Lead Settings gets the lead. The owner change is recorded in the lead's history
    with the rule and entry; the new owner's notification goes out after commit.
    """
    with transaction.atomic():
        rule = rule or active_rule()
        if rule is None:
            return AssignmentResult(lead=lead)
        compiled = compiled or compiled_rule(rule)
        locked = Lead.objects.select_for_update().get(pk=lead.pk)
        match = compiled.first_match(locked)
        suffix = f" ({note_source})" if note_source else ""
        if match is not None and match.entry.do_not_reassign:
            note = f"Assignment rule “{rule.name}”, entry {match.number}: owner kept{suffix}"
            return AssignmentResult(
                lead=locked,
                rule=rule,
                entry=match.entry,
                entry_number=match.number,
                owner=locked.owner,
                kept=True,
                note=note,
            )
        owner = _entry_owner(match.entry) if match is not None else None
        if match is not None and owner is not None:
            note = f"Assignment rule “{rule.name}”, entry {match.number}{suffix}"
            used_default = False
        else:
            owner = _default_owner()
            why = "no entry matched" if match is None else f"entry {match.number} had nobody to assign to"
            note = f"Assignment rule “{rule.name}”: {why}, default lead owner{suffix}"
            used_default = True
            if owner is None:
                return AssignmentResult(
                    lead=locked,
                    rule=rule,
                    entry=match.entry if match else None,
                    entry_number=match.number if match else None,
                    owner=locked.owner,
                    used_default=True,
                    note=f"Assignment rule “{rule.name}”: {why} and no default lead owner is set; owner kept.",
                )
        # The lead is locked already: change the owner in place (history row with the rule and entry).
        changed = _owner_change(locked, owner, acting_user=acting_user, note=note, now=timezone.now())
        updated = locked
        if changed and match is not None and not used_default:
            _schedule_notification(lead=updated, entry=match.entry)
        return AssignmentResult(
            lead=updated,
            rule=rule,
            entry=match.entry if match else None,
            entry_number=match.number if match else None,
            owner=owner,
            changed=changed,
            used_default=used_default,
            note=note,
        )


@transaction.atomic
def leads_assign_many(*, lead_ids: list[int], acting_user) -> MassResult:
    """The "Run assignment rules" mass action: every selected lead the user may edit."""
    rule = active_rule()
    if rule is None:
        raise ValidationError({"__all__": ["No assignment rule is active."]})
    compiled = compiled_rule(rule)
    updated = 0
    ids = sorted(set(lead_ids))
    for lead in Lead.objects.filter(pk__in=ids).order_by("pk"):
        if not lead_is_editable_by(lead, acting_user):
            continue
        result = lead_assign(
            lead=lead, acting_user=acting_user, note_source="Run assignment rules", rule=rule, compiled=compiled
        )
        updated += result.changed
    return MassResult(updated, len(ids) - updated)


# Testing a rule --------------------------------------------------------------------------------


@dataclass(frozen=True)
class EntryTrace:
    number: int
    entry: RuleEntry
    evaluation: Evaluation
    assignee: str


@dataclass(frozen=True)
class RuleTest:
    """Which entry would take the record, and why each earlier entry did not."""

    traces: list[EntryTrace]
    winner: EntryTrace | None
    default_owner: str


def entry_assignee_label(entry: RuleEntry) -> str:
    if entry.do_not_reassign:
        return "Keep the current owner"
    if entry.assign_to == RuleEntry.AssignTo.USER:
        return owner_label(entry.assign_user)
    if entry.assign_to == RuleEntry.AssignTo.QUEUE:
        return owner_label(entry.assign_queue)
    weighted = ", fewest open leads first" if entry.weighted else ""
    if entry.assign_to == RuleEntry.AssignTo.ROUND_ROBIN_QUEUE:
        return f"Round-robin: members of queue {entry.assign_queue}{weighted}"
    return f"Round-robin: group {entry.assign_group}{weighted}"


def rule_test(*, rule: AssignmentRule, record) -> RuleTest:
    """Evaluate every entry up to the first match on a lead or a dict of typed values (nothing is saved)."""
    compiled = compiled_rule(rule)
    traces = []
    winner = None
    for item in compiled.entries:
        trace = EntryTrace(item.number, item.entry, item.criteria.evaluate(record), entry_assignee_label(item.entry))
        traces.append(trace)
        if trace.evaluation.matched:
            winner = trace
            break
    default = _default_owner()
    return RuleTest(traces=traces, winner=winner, default_owner=owner_label(default) if default else "")


@dataclass(frozen=True)
class DryRun:
    total: int
    per_entry: list[tuple[int, RuleEntry, int]]
    unmatched: int


def rule_dry_run(*, rule: AssignmentRule, leads) -> DryRun:
    """How many of ``leads`` each entry would take (nothing is saved)."""
    compiled = compiled_rule(rule)
    counts = {item.number: 0 for item in compiled.entries}
    unmatched = total = 0
    for lead in leads:
        total += 1
        match = compiled.first_match(lead)
        if match is None:
            unmatched += 1
        else:
            counts[match.number] += 1
    return DryRun(
        total=total,
        per_entry=[(item.number, item.entry, counts[item.number]) for item in compiled.entries],
        unmatched=unmatched,
    )


# Picklist usage --------------------------------------------------------------------------------


def picklist_usage(value) -> list[str]:
    """Rule entries whose criteria use a lead picklist value (so the value cannot be deleted)."""
    if value.object_name != OBJECT_NAME:
        return []
    usages = []
    for entry in RuleEntry.objects.select_related("rule").order_by("rule__name", "sort_order"):
        for criterion in entry.criteria or []:
            if not isinstance(criterion, dict) or criterion.get("field") != value.field_name:
                continue
            values = criterion.get("value")
            values = values if isinstance(values, list) else [values]
            if value.api_name in values:
                usages.append(f"Assignment rule “{entry.rule.name}”, entry {entry.sort_order} uses it in its criteria.")
                break
    return usages


__all__ = [
    "AssignmentResult",
    "CriteriaError",
    "EntryInput",
    "availability_set",
    "entry_delete",
    "entry_move",
    "entry_save",
    "lead_accept",
    "lead_assign",
    "lead_send_to_queue",
    "lead_settings_update",
    "leads_assign_many",
    "picklist_usage",
    "queue_accept_next",
    "queue_create",
    "queue_delete",
    "queue_update",
    "rule_activate",
    "rule_create",
    "rule_deactivate",
    "rule_delete",
    "rule_dry_run",
    "rule_test",
]
