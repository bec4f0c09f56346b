"""Running the active assignment rule on leads: ``lead_assign`` and the mass action.

Every entry point (web-to-lead, import, the API, the lead form, the mass action) assigns through
``lead_assign``; the rule's criteria are compiled once per rule version and reused for every lead.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext

from core.history import Change

from ...models import Lead
from ...selectors import lead_is_editable_by
from ...services import MassResult, _owner_change, owner_change_apply
from ..models import AssignmentRule, LeadSettings, RuleEntry
from .notification import assignment_notification_enqueue
from .rules import active_rule, compiled_rule

User = get_user_model()


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


def _turn_order(members: list, last_id: int | None) -> list:
    """Members in turn order: the first after the last one to get a lead, wrapping around."""
    last = last_id or 0
    return [u for u in members if u.pk > last] + [u for u in members if u.pk <= last]


def _open_lead_counts(members: list) -> dict[int, int]:
    return dict(
        Lead.objects.filter(owner_user__in=members, is_converted=False)
        .values_list("owner_user")
        .annotate(n=Count("id"))
        .values_list("owner_user", "n")
    )


def _round_robin_pick(entry: RuleEntry):
    """Lock the entry row (the cursor) and pick the next member: in turn after the last one, or,
    weighted, the member holding the fewest open leads (ties in turn)."""
    locked = RuleEntry.objects.select_for_update().get(pk=entry.pk)
    members = _eligible_members(locked)
    if not members:
        return None
    ordered = _turn_order(members, locked.last_assigned_user_id)
    if locked.weighted:
        counts = _open_lead_counts(members)
        chosen = min(ordered, key=lambda u: counts.get(u.pk, 0))  # min keeps the first in turn on ties
    else:
        chosen = ordered[0]
    RuleEntry.objects.filter(pk=locked.pk).update(last_assigned_user=chosen)
    return chosen


def _active_users(user_ids) -> dict:
    """The users among ``user_ids`` a user entry may give a lead to (the active ones), by id."""
    return User.objects.filter(pk__in=set(user_ids), is_active=True).in_bulk()


def _user_entry_owner(entry: RuleEntry):
    return _active_users([entry.assign_user_id]).get(entry.assign_user_id)


def _entry_owner(entry: RuleEntry, pick=_round_robin_pick, user_owner=_user_entry_owner):
    if entry.assign_to == RuleEntry.AssignTo.USER:
        return user_owner(entry)
    if entry.assign_to == RuleEntry.AssignTo.QUEUE:
        return entry.assign_queue
    picked = pick(entry)
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


def _decide(
    *, lead: Lead, rule: AssignmentRule, compiled, note_source: str, entry_owner, default_owner
) -> tuple[AssignmentResult, bool]:
    """What the rule does to ``lead``: the result (not yet ``changed``) and whether its owner is to
    be given to the lead. ``entry_owner(entry)`` and ``default_owner()`` answer the owners, so
    that one lead and a batch of leads decide alike."""
    match = compiled.first_match(lead)
    suffix = f" ({note_source})" if note_source else ""
    entry, number = (match.entry, match.number) if match is not None else (None, None)
    if match is not None and match.entry.do_not_reassign:
        note = f"Assignment rule “{rule.name}”, entry {match.number}: owner kept{suffix}"
        kept = AssignmentResult(
            lead=lead, rule=rule, entry=entry, entry_number=number, owner=lead.owner, kept=True, note=note
        )
        return kept, False
    owner = entry_owner(match.entry) if match is not None else None
    if match is not None and owner is not None:
        note = f"Assignment rule “{rule.name}”, entry {match.number}{suffix}"
        return AssignmentResult(lead=lead, rule=rule, entry=entry, entry_number=number, owner=owner, note=note), True
    owner = default_owner()
    why = "no entry matched" if match is None else f"entry {match.number} had nobody to assign to"
    if owner is None:
        note = f"Assignment rule “{rule.name}”: {why} and no default lead owner is set; owner kept."
        result = AssignmentResult(
            lead=lead, rule=rule, entry=entry, entry_number=number, owner=lead.owner, used_default=True, note=note
        )
        return result, False
    note = f"Assignment rule “{rule.name}”: {why}, default lead owner{suffix}"
    result = AssignmentResult(
        lead=lead, rule=rule, entry=entry, entry_number=number, owner=owner, used_default=True, note=note
    )
    return result, True


def lead_assign(
    *, lead: Lead, acting_user, note_source: str = "", rule: AssignmentRule | None = None, compiled=None
) -> AssignmentResult:
    """Run the active assignment rule (or ``rule``) on one lead, inside the caller's transaction.

    The first matching entry decides: its user, its queue, or the next member in round-robin; an
    entry marked "do not reassign owner" keeps the lead's owner. When no entry matches, the default
    lead owner of Lead Settings gets the lead. The owner change is recorded in the lead's history
    with the rule and entry; the new owner's notification is written to the outbox in the same
    transaction.
    """
    with transaction.atomic():
        rule = rule or active_rule()
        if rule is None:
            return AssignmentResult(lead=lead)
        compiled = compiled or compiled_rule(rule)
        locked = Lead.objects.select_for_update().get(pk=lead.pk)
        result, give = _decide(
            lead=locked,
            rule=rule,
            compiled=compiled,
            note_source=note_source,
            entry_owner=_entry_owner,
            default_owner=_default_owner,
        )
        if not give:
            return result
        # The lead is locked already: change the owner in place (history row with the rule and entry).
        changed = _owner_change(locked, result.owner, acting_user=acting_user, note=result.note, now=timezone.now())
        if changed and result.entry is not None and not result.used_default:
            assignment_notification_enqueue(lead=locked, entry=result.entry, acting_user=acting_user)
        return replace(result, changed=changed)


@dataclass
class _Cursor:
    """A round-robin entry during a batch: locked once, its members read once, its turn kept here
    and written back once (``BatchAssignment.finish``)."""

    entry: RuleEntry
    members: list
    last_id: int | None
    counts: dict[int, int] | None = None
    moved: bool = False


class BatchAssignment:
    """The active rule run over many new (unsaved) leads of one transaction, deciding as
    ``lead_assign`` would one lead at a time: a user entry's owner, the default owner and each
    round-robin entry's members are read once; the turn moves on per lead in memory, and a weighted
    entry counts the batch's earlier leads as the database would have counted them."""

    def __init__(self, *, rule: AssignmentRule, compiled, acting_user, note_source: str = "") -> None:
        self.rule, self.compiled = rule, compiled
        self.acting_user, self.note_source = acting_user, note_source
        self._users: dict[int, object] = {}
        self._default: tuple | None = None
        self._cursors: dict[int, _Cursor] = {}
        # Open leads of the batch, by owning user, as decided so far (not yet in the database).
        self._batch_owned: Counter[int] = Counter()
        self._current: Lead | None = None

    def _user_owner(self, entry: RuleEntry):
        if not self._users and self.compiled is not None:
            # Every user entry's owner in one query, at the first lead a user entry takes.
            wanted = {
                c.entry.pk: c.entry.assign_user_id
                for c in self.compiled.entries
                if c.entry.assign_to == RuleEntry.AssignTo.USER
            }
            active = _active_users(wanted.values())
            self._users = {pk: active.get(user_id) for pk, user_id in wanted.items()}
        if entry.pk not in self._users:
            self._users[entry.pk] = _user_entry_owner(entry)
        return self._users[entry.pk]

    def _default_owner(self):
        if self._default is None:
            self._default = (_default_owner(),)
        return self._default[0]

    def _pick(self, entry: RuleEntry):
        cursor = self._cursors.get(entry.pk)
        if cursor is None:
            locked = RuleEntry.objects.select_for_update().get(pk=entry.pk)
            cursor = _Cursor(locked, _eligible_members(locked), locked.last_assigned_user_id)
            self._cursors[entry.pk] = cursor
        if not cursor.members:
            return None
        ordered = _turn_order(cursor.members, cursor.last_id)
        if cursor.entry.weighted:
            if cursor.counts is None:
                cursor.counts = _open_lead_counts(cursor.members)
            lead = self._current
            counts = {
                u.pk: cursor.counts.get(u.pk, 0)
                + self._batch_owned[u.pk]
                + (1 if lead is not None and lead.owner_user_id == u.pk else 0)
                for u in cursor.members
            }
            chosen = min(ordered, key=lambda u: counts[u.pk])
        else:
            chosen = ordered[0]
        cursor.last_id, cursor.moved = chosen.pk, True
        return chosen

    def assign(self, lead: Lead, *, now) -> tuple[AssignmentResult, Change | None]:
        """Decide and apply the owner of an unsaved lead; answers the result and the owner change
        to record in its history (``None``: the owner stays)."""
        self._current = lead
        result, give = _decide(
            lead=lead,
            rule=self.rule,
            compiled=self.compiled,
            note_source=self.note_source,
            entry_owner=lambda entry: _entry_owner(entry, pick=self._pick, user_owner=self._user_owner),
            default_owner=self._default_owner,
        )
        self._current = None
        change = owner_change_apply(lead, result.owner, acting_user=self.acting_user, now=now) if give else None
        if lead.owner_user_id and not lead.is_converted:
            self._batch_owned[lead.owner_user_id] += 1
        return replace(result, changed=change is not None), change

    def finish(self) -> None:
        """Write each moved round-robin turn back (the entries are locked since their first pick)."""
        for cursor in self._cursors.values():
            if cursor.moved:
                RuleEntry.objects.filter(pk=cursor.entry.pk).update(last_assigned_user_id=cursor.last_id)


@transaction.atomic
def leads_assign_many(*, lead_ids: list[int], acting_user) -> MassResult:
    """The "Run assignment rules" mass action: every selected lead the user may edit."""
    rule = active_rule()
    if rule is None:
        raise ValidationError({"__all__": [gettext("No assignment rule is active.")]})
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
