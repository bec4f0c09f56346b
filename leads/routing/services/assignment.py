"""Running the active assignment rule on leads: ``lead_assign`` and the mass action.

Every entry point (web-to-lead, import, the API, the lead form, the mass action) assigns through
``lead_assign``; the rule's criteria are compiled once per rule version and reused for every lead.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from ...models import Lead
from ...selectors import lead_is_editable_by
from ...services import MassResult, _owner_change
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
            assignment_notification_enqueue(lead=updated, entry=match.entry, acting_user=acting_user)
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
