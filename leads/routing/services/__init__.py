"""Writes of lead routing, one module per object or step:

- ``settings``: the lead settings (default lead owner);
- ``queues``: queues and their members;
- ``accept``: queue members accepting leads, sending a lead to a queue;
- ``availability``: who takes round-robin leads now;
- ``rules``: assignment rules and their entries (a kind of ``core.rules``);
- ``assignment``: running the active rule on leads (``lead_assign``, the mass action);
- ``notification``: the new owner's email, written to the outbox with the assignment;
- ``preview``: trying a rule on a record or a set of leads without saving;
- ``usage``: where routing uses a picklist value.

Every public name is re-exported here: import from ``leads.routing.services``.
"""

from core.criteria import CriteriaError

from .accept import is_queue_member, lead_accept, lead_send_to_queue, queue_accept_next
from .assignment import AssignmentResult, BatchAssignment, lead_assign, leads_assign_many
from .availability import availability_set
from .notification import assignment_notification_enqueue, assignment_recipients
from .preview import DryRun, EntryTrace, RuleTest, entry_assignee_label, rule_dry_run, rule_test
from .queues import queue_create, queue_delete, queue_update
from .rules import (
    ASSIGNMENT,
    CompiledEntry,
    CompiledRule,
    EntryInput,
    active_rule,
    compiled_rule,
    entry_delete,
    entry_move,
    entry_problems,
    entry_save,
    rule_activate,
    rule_create,
    rule_deactivate,
    rule_delete,
    rule_update,
)
from .settings import lead_settings_update
from .usage import picklist_usage

__all__ = [
    "ASSIGNMENT",
    "AssignmentResult",
    "BatchAssignment",
    "CompiledEntry",
    "CompiledRule",
    "CriteriaError",
    "DryRun",
    "EntryInput",
    "EntryTrace",
    "RuleTest",
    "active_rule",
    "assignment_notification_enqueue",
    "assignment_recipients",
    "availability_set",
    "compiled_rule",
    "entry_assignee_label",
    "entry_delete",
    "entry_move",
    "entry_problems",
    "entry_save",
    "is_queue_member",
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
    "rule_update",
]
