"""One mechanism for every kind of rule: a named rule with ordered entries, each entry criteria
(``core.criteria``) and an action; the first entry whose criteria a record meets acts. At most one
rule of a kind is active (the database holds that), every change bumps the rule's version, and the
rule is compiled once per version.

Assignment rules (``leads.routing``) and auto-response rules (``emails``) are its kinds so far.

How a kind plugs in
-------------------
1. Models: subclass ``RuleBase`` and ``RuleEntryBase`` (``core.rules.models``). The entry declares
   ``rule = models.ForeignKey(<YourRule>, on_delete=models.CASCADE, related_name="entries")`` and
   its action fields (the score to add, the queue to alert, the SLA...). Declare in each ``Meta``
   (with your own names; constraint names are global)::

       class Meta(RuleBase.Meta):
           constraints = [one_active_rule("one_active_scoring_rule"),
                          rule_name_unique_ci("leads_scoringrule_name_ci"),
                          rule_name_required("scoringrule_name_required")]

       class Meta(RuleEntryBase.Meta):
           constraints = [entry_unique_order("scoringentry_unique_order")]

   ``entry_unique_order`` must stay deferred: reordering renumbers in one statement.
2. Kind: in your services, ``SCORING = register_kind(RuleKind(key="scoring", label=...,
   rule_model=..., entry_model=..., object_name="lead", name_constraint="leads_scoringrule_name_ci",
   clean_action=..., action_problems=..., entry_related=(...)))``. ``clean_action(data)`` validates
   the entry's action input and answers field values (raising ``ValidationError`` per field);
   ``action_problems(entry)`` lists what keeps a saved entry from acting now, and activation
   refuses a rule with any. ``related_record(value, Model)`` reads a record the action names,
   given as the record or its id.
3. Services: wrap ``rule_create``, ``rule_update``, ``rule_delete``, ``rule_activate``,
   ``rule_deactivate``, ``entry_create``, ``entry_update``, ``entry_delete``, ``entry_move``
   (``core.rules.services``) under your kind's names, passing ``kind=`` (``entry_create`` places
   the entry where the input's ``sort_order`` says, at the end without one). To run the rule, take
   ``compiled_rule(kind=..., rule=active_rule(kind))`` and ``first_match(record)``; then do your
   action. Register ``picklist_usage`` with ``core.registry.register_picklist_usage``.
4. Pages: an entry form subclasses ``core.rules.forms.RuleEntryForm`` (criteria rows and filter
   logic) with the action fields and ``action_initial``. Describe the pages once in a
   ``core.rules.views.RulePages`` (titles and URL names); each view checks the permission, fetches
   the record and calls ``rule_form_page``, ``rule_detail_page``, ``rule_activate_view``,
   ``rule_delete_view``, ``entry_form_page``, ``entry_delete_view`` or ``entry_move_view``. The
   kind's templates extend ``core/rules/rule_detail.html`` and ``core/rules/entry_form.html`` and
   fill their blocks (the entry's action columns, step 2 of the entry form).
"""

from .kinds import RuleKind, get_kind, register_kind, registered_kinds
from .services import (
    CompiledEntry,
    CompiledRule,
    active_rule,
    clean_criteria,
    clean_entry,
    compiled_rule,
    entry_create,
    entry_delete,
    entry_move,
    entry_problems,
    entry_update,
    picklist_usage,
    related_record,
    rule_activate,
    rule_create,
    rule_deactivate,
    rule_delete,
    rule_touch,
    rule_update,
)

__all__ = [
    "CompiledEntry",
    "CompiledRule",
    "RuleKind",
    "active_rule",
    "clean_criteria",
    "clean_entry",
    "compiled_rule",
    "entry_create",
    "entry_delete",
    "entry_move",
    "entry_problems",
    "entry_update",
    "get_kind",
    "picklist_usage",
    "register_kind",
    "registered_kinds",
    "related_record",
    "rule_activate",
    "rule_create",
    "rule_deactivate",
    "rule_delete",
    "rule_touch",
    "rule_update",
]
