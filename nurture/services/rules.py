"""Enrolment rules, a kind of ``core.rules``: when a lead changes, the first entry of the active rule
whose criteria it meets enrols it in that entry's sequence, once (a person may enrol it again)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import rules
from core.memo import memoized
from core.rules import RuleKind
from leads.models import Lead

from ..models import EnrolmentRule, EnrolmentRuleEntry, NurtureEnrolment, NurtureSequence
from .enrolments import enrol_leads


def _clean_sequence(data: dict) -> dict:
    sequence = rules.related_record(data.get("sequence"), NurtureSequence)
    if sequence is None or sequence.status == NurtureSequence.Status.DRAFT:
        raise ValidationError({"sequence": [_("Choose an active or paused sequence.")]})
    return {"sequence": sequence}


def _sequence_problems(entry: EnrolmentRuleEntry) -> list[str]:
    if entry.sequence.status == NurtureSequence.Status.DRAFT:
        return [_("the sequence “%(name)s” is a draft.") % {"name": entry.sequence.name}]
    return []


ENROLMENT = rules.register_kind(
    RuleKind(
        key="nurture_enrolment",
        label=gettext_lazy("Enrolment rule"),
        rule_model=EnrolmentRule,
        entry_model=EnrolmentRuleEntry,
        object_name="lead",
        name_constraint="nurture_enrolmentrule_name_ci",
        clean_action=_clean_sequence,
        action_problems=_sequence_problems,
        entry_related=("sequence",),
    )
)


def enrolment_rule_create(*, name: str, description: str = "", acting_user) -> EnrolmentRule:
    return rules.rule_create(kind=ENROLMENT, name=name, description=description, acting_user=acting_user)


def enrolment_rule_activate(*, rule: EnrolmentRule, acting_user) -> EnrolmentRule:
    return rules.rule_activate(kind=ENROLMENT, rule=rule, acting_user=acting_user)


def enrolment_rule_deactivate(*, rule: EnrolmentRule, acting_user) -> EnrolmentRule:
    return rules.rule_deactivate(kind=ENROLMENT, rule=rule, acting_user=acting_user)


def enrolment_rule_delete(*, rule: EnrolmentRule, acting_user) -> None:
    rules.rule_delete(kind=ENROLMENT, rule=rule, acting_user=acting_user)


def enrolment_entry_create(*, rule: EnrolmentRule, data: dict, acting_user) -> EnrolmentRuleEntry:
    return rules.entry_create(kind=ENROLMENT, rule=rule, data=data, acting_user=acting_user)


def enrolment_entry_delete(*, entry: EnrolmentRuleEntry, acting_user) -> None:
    rules.entry_delete(kind=ENROLMENT, entry=entry, acting_user=acting_user)


def on_record_changes(*, object_name: str, record_ids: list[int]) -> None:
    """The record change hook for many leads at once (a batch of new leads): nothing to do, and no
    query per lead, while no enrolment rule is active."""
    if object_name != "lead" or rules.active_rule(ENROLMENT) is None:
        return
    for record_id in record_ids:
        on_record_change(object_name=object_name, record_id=record_id)


def on_record_change(*, object_name: str, record_id: int, **kwargs) -> None:
    """A lead changed (a record change hook): enrol it as the active enrolment rule says."""
    if object_name != "lead":
        return
    # Configuration: read once per scope (a bulk conversion changes a hundred leads).
    rule = memoized(("nurture_enrolment_rule",), lambda: rules.active_rule(ENROLMENT))
    if rule is None:
        return
    lead = Lead.objects.filter(pk=record_id).first()
    if lead is None or lead.is_converted:
        return
    match = rules.compiled_rule(kind=ENROLMENT, rule=rule).first_match(
        lead, usable=lambda entry: entry.sequence.status == NurtureSequence.Status.ACTIVE
    )
    if match is None:
        return
    sequence = match.entry.sequence
    if NurtureEnrolment.objects.filter(sequence=sequence, lead=lead).exists():
        return  # a rule enrols a lead in a sequence once
    enrol_leads(
        sequence=sequence, lead_ids=[lead.pk], acting_user=None, source=NurtureEnrolment.Source.RULE, check_access=False
    )
