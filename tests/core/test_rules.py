"""The rules mechanism, run for every kind: assignment rules and auto-response rules."""

from dataclasses import dataclass

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet

from core import rules
from emails.models import EmailTemplate
from emails.services import email_template_create
from emails.services.autoresponse import AUTO_RESPONSE
from leads.routing.services.rules import ASSIGNMENT
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db

LEAD_SOURCE_WEBINAR = {"field": "lead_source", "operator": "equals", "value": "Webinar"}


@dataclass
class Kind:
    """A kind under test and the action input of a valid entry."""

    kind: rules.RuleKind
    action: dict

    def rule(self, name, user):
        return rules.rule_create(kind=self.kind, name=name, acting_user=user)

    def entry(self, rule, user, criteria=(), position=None):
        data = {"criteria": list(criteria), **self.action}
        return rules.entry_create(kind=self.kind, rule=rule, data=data, position=position, acting_user=user)

    def order(self, rule):
        return list(
            self.kind.entry_model.objects.filter(rule=rule).order_by("sort_order").values_list("pk", "sort_order")
        )


@pytest.fixture(params=["assignment", "autoresponse"])
def kind(request, marketing_admin, other_rep):
    if request.param == "assignment":
        return Kind(ASSIGNMENT, {"assign_to": "user", "assign_user": other_rep})
    template = email_template_create(
        data={"name": "Hello", "subject": "Hello", "body_text": "Hi."}, acting_user=marketing_admin
    )
    return Kind(AUTO_RESPONSE, {"template": template})


def test_only_one_rule_of_a_kind_is_active_and_the_database_holds_it(kind, marketing_admin):
    first = kind.rule("First", marketing_admin)
    second = kind.rule("Second", marketing_admin)

    rules.rule_activate(kind=kind.kind, rule=first, acting_user=marketing_admin)
    rules.rule_activate(kind=kind.kind, rule=second, acting_user=marketing_admin)

    assert list(kind.kind.rule_model.objects.filter(is_active=True)) == [second]
    with pytest.raises(IntegrityError), transaction.atomic():
        kind.kind.rule_model.objects.filter(pk=first.pk).update(is_active=True)


def test_kinds_do_not_share_the_active_rule(marketing_admin, other_rep):
    assignment = rules.rule_create(kind=ASSIGNMENT, name="Routing", acting_user=marketing_admin)
    response = rules.rule_create(kind=AUTO_RESPONSE, name="Replies", acting_user=marketing_admin)

    rules.rule_activate(kind=ASSIGNMENT, rule=assignment, acting_user=marketing_admin)
    rules.rule_activate(kind=AUTO_RESPONSE, rule=response, acting_user=marketing_admin)

    assert rules.active_rule(ASSIGNMENT) == assignment
    assert rules.active_rule(AUTO_RESPONSE) == response


def test_reorder_insert_and_delete_renumber_the_same_way(kind, marketing_admin):
    rule = kind.rule("Order", marketing_admin)
    first, second, third = (kind.entry(rule, marketing_admin) for _ in range(3))

    rules.entry_move(kind=kind.kind, entry=third, direction=-1, acting_user=marketing_admin)
    after_move = kind.order(rule)
    inserted = kind.entry(rule, marketing_admin, position=1)
    after_insert = kind.order(rule)
    rules.entry_delete(kind=kind.kind, entry=first, acting_user=marketing_admin)
    with connection.cursor() as cursor:  # check the deferred unique order now, as the commit would
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

    assert after_move == [(first.pk, 1), (third.pk, 2), (second.pk, 3)]
    assert after_insert == [(inserted.pk, 1), (first.pk, 2), (third.pk, 3), (second.pk, 4)]
    assert kind.order(rule) == [(inserted.pk, 1), (third.pk, 2), (second.pk, 3)]


def test_moving_the_first_entry_up_changes_nothing(kind, marketing_admin):
    rule = kind.rule("Order", marketing_admin)
    first, second = kind.entry(rule, marketing_admin), kind.entry(rule, marketing_admin)

    rules.entry_move(kind=kind.kind, entry=first, direction=-1, acting_user=marketing_admin)

    assert kind.order(rule) == [(first.pk, 1), (second.pk, 2)]


def test_every_change_bumps_the_version(kind, marketing_admin):
    rule = kind.rule("Versions", marketing_admin)
    versions = [rule.version]

    def step(change):
        change()
        rule.refresh_from_db()
        versions.append(rule.version)

    step(lambda: kind.entry(rule, marketing_admin))
    entry = kind.kind.entry_model.objects.get(rule=rule)
    step(lambda: kind.entry(rule, marketing_admin))
    step(
        lambda: rules.entry_update(
            kind=kind.kind,
            entry=entry,
            data={"criteria": [LEAD_SOURCE_WEBINAR], **kind.action},
            acting_user=marketing_admin,
        )
    )
    step(lambda: rules.entry_move(kind=kind.kind, entry=entry, direction=1, acting_user=marketing_admin))
    step(lambda: rules.rule_update(kind=kind.kind, rule=rule, name="Renamed", acting_user=marketing_admin))
    step(lambda: rules.rule_activate(kind=kind.kind, rule=rule, acting_user=marketing_admin))
    step(lambda: rules.rule_deactivate(kind=kind.kind, rule=rule, acting_user=marketing_admin))
    step(lambda: rules.entry_delete(kind=kind.kind, entry=entry, acting_user=marketing_admin))

    assert versions == sorted(set(versions))
    assert len(versions) == 9
    assert rule.updated_by == marketing_admin


def test_the_compiled_rule_is_cached_per_version(kind, marketing_admin):
    rule = kind.rule("Compiled", marketing_admin)
    entry = kind.entry(rule, marketing_admin, criteria=[LEAD_SOURCE_WEBINAR])
    rule.refresh_from_db()

    compiled = rules.compiled_rule(kind=kind.kind, rule=rule)
    again = rules.compiled_rule(kind=kind.kind, rule=rule)
    rules.entry_update(kind=kind.kind, entry=entry, data={"criteria": [], **kind.action}, acting_user=marketing_admin)
    rule.refresh_from_db()
    changed = rules.compiled_rule(kind=kind.kind, rule=rule)

    assert again is compiled
    assert compiled.first_match(LeadFactory(lead_source="Website")) is None
    assert changed.first_match(LeadFactory(lead_source="Website")).entry == entry


def test_activation_refuses_a_rule_whose_criteria_cannot_be_evaluated(kind, marketing_admin):
    rule = kind.rule("Broken", marketing_admin)
    kind.entry(rule, marketing_admin)
    broken = kind.entry(rule, marketing_admin, criteria=[LEAD_SOURCE_WEBINAR])
    # A field deleted since the entry was saved.
    kind.kind.entry_model.objects.filter(pk=broken.pk).update(
        criteria=[{"field": "gone", "operator": "equals", "value": "x"}]
    )

    with pytest.raises(ValidationError) as excinfo:
        rules.rule_activate(kind=kind.kind, rule=rule, acting_user=marketing_admin)

    assert any(m.startswith("Entry 2: Criterion 1") for m in excinfo.value.messages)
    rule.refresh_from_db()
    assert not rule.is_active


def test_assignment_activation_refuses_an_inactive_assignee(marketing_admin, other_rep):
    rule = rules.rule_create(kind=ASSIGNMENT, name="Gone", acting_user=marketing_admin)
    rules.entry_create(
        kind=ASSIGNMENT,
        rule=rule,
        data={"assign_to": "user", "assign_user": other_rep},
        acting_user=marketing_admin,
    )
    type(other_rep).objects.filter(pk=other_rep.pk).update(is_active=False)

    with pytest.raises(ValidationError, match="is inactive"):
        rules.rule_activate(kind=ASSIGNMENT, rule=rule, acting_user=marketing_admin)


def test_auto_response_activation_refuses_a_deactivated_template(marketing_admin):
    template = email_template_create(
        data={"name": "Old", "subject": "Old", "body_text": "Old."}, acting_user=marketing_admin
    )
    rule = rules.rule_create(kind=AUTO_RESPONSE, name="Stale", acting_user=marketing_admin)
    rules.entry_create(kind=AUTO_RESPONSE, rule=rule, data={"template": template}, acting_user=marketing_admin)
    EmailTemplate.objects.filter(pk=template.pk).update(is_active=False)

    with pytest.raises(ValidationError, match="“Old” is inactive"):
        rules.rule_activate(kind=AUTO_RESPONSE, rule=rule, acting_user=marketing_admin)


def test_criteria_and_action_errors_come_together(kind, marketing_admin):
    rule = kind.rule("Errors", marketing_admin)
    action = dict.fromkeys(kind.action)

    with pytest.raises(ValidationError) as excinfo:
        rules.entry_create(
            kind=kind.kind,
            rule=rule,
            data={"criteria": [{"field": "nope", "operator": "equals", "value": "x"}], **action},
            acting_user=marketing_admin,
        )

    errors = excinfo.value.message_dict
    assert "criteria" in errors
    assert set(errors) - {"criteria"}, "the missing action is reported too"


def test_rule_names_are_unique_regardless_of_case(kind, marketing_admin):
    kind.rule("Main", marketing_admin)

    with pytest.raises(ValidationError) as excinfo:
        kind.rule("MAIN", marketing_admin)

    assert "already exists" in excinfo.value.message_dict["name"][0]


def test_a_concurrent_duplicate_name_is_a_field_error_not_an_integrity_error(kind, marketing_admin, monkeypatch):
    kind.rule("Main", marketing_admin)
    # The friendly check passed in the other request before this one committed.
    monkeypatch.setattr(QuerySet, "exists", lambda self: False)

    with pytest.raises(ValidationError) as excinfo:
        kind.rule("main", marketing_admin)

    assert "already exists" in excinfo.value.message_dict["name"][0]


def test_only_setup_admins_change_rules(kind, rep):
    with pytest.raises(PermissionError):
        kind.rule("Mine", rep)
