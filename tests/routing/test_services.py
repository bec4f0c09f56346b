"""Assignment rules, round-robin, default owner and queue acceptance, on PostgreSQL."""

from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from core.history import history_for
from core.models import FieldDefinition, PicklistValue
from core.services import custom_field_create, picklist_value_delete
from leads.models import Lead
from leads.routing import services
from leads.routing.models import AssignmentRule, RuleEntry
from leads.selectors import leads_visible_to
from tests.factories import LeadFactory, QueueFactory, UserFactory

from .conftest import bulk_leads

pytestmark = pytest.mark.django_db


def _c(field, operator, value=None):
    return {"field": field, "operator": operator, "value": value}


def test_first_matching_entry_wins_and_history_names_rule_and_entry(make_rule, rep, other_rep, sales_queue):
    # given a rule whose entries 2 and 3 both match a trade-show lead
    make_rule(
        "Standard",
        [
            {"criteria": [_c("lead_source", "equals", "Webinar")], "assign_user": other_rep},
            {
                "criteria": [_c("lead_source", "equals", "Trade Show")],
                "assign_to": "queue",
                "assign_queue": sales_queue,
            },
            {"criteria": [], "assign_user": other_rep},
        ],
    )
    lead = LeadFactory(owner_user=rep, lead_source="Trade Show")
    # when the rule runs
    result = services.lead_assign(lead=lead, acting_user=rep)
    # then entry 2 took it, and the owner change is in the history with the rule and entry
    lead.refresh_from_db()
    assert lead.owner_queue == sales_queue
    assert lead.owner_user is None
    assert result.entry_number == 2
    assert result.changed
    change = history_for(object_name="lead", record_id=lead.pk).get(field_name="owner")
    assert change.note == "Assignment rule “Standard”, entry 2"
    assert change.new_value == "Queue: Sales Queue"


def test_filter_logic_on_an_entry(make_rule, rep, other_rep):
    make_rule(
        "Logic",
        [
            {
                "criteria": [
                    _c("lead_source", "equals", "Webinar"),
                    _c("company", "contains", "bank"),
                    _c("number_of_employees", "gt", "1000"),
                ],
                "filter_logic": "1 OR (2 AND 3)",
                "assign_user": other_rep,
            }
        ],
    )
    big_bank = LeadFactory(owner_user=rep, company="Big Bank", number_of_employees=5000)
    small_bank = LeadFactory(owner_user=rep, company="Small Bank", number_of_employees=5)
    assert services.lead_assign(lead=big_bank, acting_user=rep).entry_number == 1
    assert services.lead_assign(lead=small_bank, acting_user=rep).entry is None
    big_bank.refresh_from_db()
    small_bank.refresh_from_db()
    assert big_bank.owner_user == other_rep
    assert small_bank.owner_user == rep


def test_no_match_gives_the_lead_to_the_default_owner(make_rule, marketing_admin, rep, sales_queue):
    make_rule("Narrow", [{"criteria": [_c("company", "equals", "Nobody")], "assign_user": marketing_admin}])
    services.lead_settings_update(
        acting_user=marketing_admin, default_owner=sales_queue, opportunity_required_on_convert=False
    )
    lead = LeadFactory(owner_user=rep)
    result = services.lead_assign(lead=lead, acting_user=None, note_source="Web-to-Lead")
    lead.refresh_from_db()
    assert lead.owner_queue == sales_queue
    assert result.used_default
    note = history_for(object_name="lead", record_id=lead.pk).get(field_name="owner").note
    assert note == "Assignment rule “Narrow”: no entry matched, default lead owner (Web-to-Lead)"


def test_no_match_and_no_default_owner_keeps_the_owner(make_rule, rep, other_rep):
    make_rule("Narrow", [{"criteria": [_c("company", "equals", "Nobody")], "assign_user": other_rep}])
    lead = LeadFactory(owner_user=rep)
    result = services.lead_assign(lead=lead, acting_user=rep)
    lead.refresh_from_db()
    assert lead.owner_user == rep
    assert not result.changed


def test_without_an_active_rule_nothing_changes(make_rule, rep, other_rep):
    make_rule("Inactive", [{"criteria": [], "assign_user": other_rep}], active=False)
    lead = LeadFactory(owner_user=rep)
    assert services.lead_assign(lead=lead, acting_user=rep).rule is None
    lead.refresh_from_db()
    assert lead.owner_user == rep


def test_do_not_reassign_keeps_the_owner(make_rule, rep, other_rep):
    make_rule(
        "Keep",
        [
            {"criteria": [_c("rating", "equals", "Hot")], "do_not_reassign": True},
            {"criteria": [], "assign_user": other_rep},
        ],
    )
    hot = LeadFactory(owner_user=rep, rating="Hot")
    cold = LeadFactory(owner_user=rep, rating="Cold")
    kept = services.lead_assign(lead=hot, acting_user=rep)
    services.lead_assign(lead=cold, acting_user=rep)
    hot.refresh_from_db()
    cold.refresh_from_db()
    assert kept.kept
    assert kept.entry_number == 1
    assert hot.owner_user == rep
    assert cold.owner_user == other_rep


def test_custom_field_criteria_route_leads(make_rule, marketing_admin, rep, other_rep):
    region = custom_field_create(
        object_name="lead",
        label="Region",
        field_type="picklist",
        acting_user=marketing_admin,
        picklist_values=["EMEA", "APAC"],
    ).api_name
    make_rule("Regions", [{"criteria": [_c(region, "includes", ["EMEA"])], "assign_user": other_rep}])
    lead = LeadFactory(owner_user=rep, custom_fields={region: "EMEA"})
    services.lead_assign(lead=lead, acting_user=rep)
    lead.refresh_from_db()
    assert lead.owner_user == other_rep


def test_round_robin_is_fair_over_1000_leads(make_rule, rep, reps, sales_queue):
    make_rule("RR", [{"criteria": [], "assign_to": "rr_queue", "assign_queue": sales_queue}])
    leads = bulk_leads(1000, owner_user=rep)
    rule = AssignmentRule.objects.get(is_active=True)
    compiled = services.compiled_rule(rule)
    for lead in leads:
        services.lead_assign(lead=lead, acting_user=rep, rule=rule, compiled=compiled)
    counts = Counter(Lead.objects.values_list("owner_user", flat=True))
    assert set(counts) == {u.pk for u in reps}
    assert max(counts.values()) - min(counts.values()) <= 1


def test_round_robin_among_a_group_skips_unavailable_members(make_rule, marketing_admin, rep):
    from django.contrib.auth.models import Group

    team = Group.objects.create(name="Inside sales")
    members = [UserFactory(username=f"inside{i}") for i in range(3)]
    team.user_set.set(members)
    services.availability_set(user=members[1], is_available=False, acting_user=members[1])
    make_rule("Group RR", [{"criteria": [], "assign_to": "rr_group", "assign_group": team}])
    leads = bulk_leads(10, owner_user=rep)
    for lead in leads:
        services.lead_assign(lead=lead, acting_user=rep)
    counts = Counter(Lead.objects.values_list("owner_user", flat=True))
    assert counts == {members[0].pk: 5, members[2].pk: 5}


def test_weighted_round_robin_feeds_the_member_with_fewest_open_leads(make_rule, rep, reps, sales_queue):
    # given member 0 already holds 6 open leads and member 1 holds 2
    bulk_leads(6, owner_user=reps[0])
    bulk_leads(2, owner_user=reps[1])
    make_rule("Weighted", [{"criteria": [], "assign_to": "rr_queue", "assign_queue": sales_queue, "weighted": True}])
    new = bulk_leads(10, owner_user=rep, company="Fresh")
    # when 10 new leads are assigned
    for lead in new:
        services.lead_assign(lead=lead, acting_user=rep)
    # then the counts level out: 6 + 0, 2 + 4, 0 + 6
    counts = Counter(Lead.objects.filter(company="Fresh").values_list("owner_user", flat=True))
    assert counts == {reps[1].pk: 4, reps[2].pk: 6}
    totals = Counter(Lead.objects.filter(owner_user__in=reps).values_list("owner_user", flat=True))
    assert sorted(totals.values()) == [6, 6, 6]


def test_round_robin_with_nobody_available_leaves_the_lead_in_the_queue(make_rule, rep, reps, sales_queue):
    for member in reps:
        services.availability_set(user=member, is_available=False, acting_user=member)
    make_rule("RR", [{"criteria": [], "assign_to": "rr_queue", "assign_queue": sales_queue}])
    lead = LeadFactory(owner_user=rep)
    services.lead_assign(lead=lead, acting_user=rep)
    lead.refresh_from_db()
    assert lead.owner_queue == sales_queue


def test_availability_of_others_is_for_admins_only(rep, other_rep, marketing_admin):
    with pytest.raises(PermissionError):
        services.availability_set(user=other_rep, is_available=False, acting_user=rep)
    assert not services.availability_set(user=other_rep, is_available=False, acting_user=marketing_admin).is_available


def test_one_active_rule_at_a_time(make_rule, marketing_admin, other_rep):
    first = make_rule("First", [{"criteria": [], "assign_user": other_rep}])
    second = make_rule("Second", [{"criteria": [], "assign_user": other_rep}])
    first.refresh_from_db()
    assert second.is_active
    assert not first.is_active
    # and the database itself refuses two active rules
    with pytest.raises(IntegrityError), transaction.atomic():
        AssignmentRule.objects.filter(pk=first.pk).update(is_active=True)


def test_entries_with_unusable_criteria_are_refused_with_messages(make_rule, marketing_admin, other_rep):
    rule = make_rule("Bad", [], active=False)
    with pytest.raises(ValidationError) as exc:
        services.entry_save(
            rule=rule,
            data=services.EntryInput(
                criteria=[_c("nope", "equals", "x"), _c("annual_revenue", "contains", "1")],
                filter_logic="1 OR",
                assign_to="user",
                assign_user=None,
            ),
            acting_user=marketing_admin,
        )
    errors = exc.value.message_dict
    assert "Criterion 1: The field “nope” does not exist" in errors["criteria"][0]
    assert "does not fit a currency field" in errors["criteria"][1]
    assert "ends too early" in errors["filter_logic"][0]
    assert errors["assign_user"] == ["Choose the user who gets the lead."]
    assert not RuleEntry.objects.exists()


def test_a_rule_whose_field_was_deleted_still_runs(make_rule, marketing_admin, rep, other_rep):
    seats = custom_field_create(
        object_name="lead", label="Seats", field_type="number", acting_user=marketing_admin
    ).api_name
    make_rule(
        "Seats",
        [
            {"criteria": [_c(seats, "gt", "10")], "assign_user": other_rep},
            {"criteria": [], "assign_user": marketing_admin},
        ],
    )
    lead = LeadFactory(owner_user=rep, custom_fields={seats: 50})
    FieldDefinition.objects.filter(api_name=seats).delete()
    result = services.lead_assign(lead=lead, acting_user=rep)
    assert result.entry_number == 2
    test = services.rule_test(rule=result.rule, record=lead)
    assert "no longer exists" in test.traces[0].evaluation.results[0].explanation


def test_picklist_value_used_by_a_rule_cannot_be_deleted(make_rule, marketing_admin, other_rep):
    make_rule("Sources", [{"criteria": [_c("lead_source", "includes", ["Webinar"])], "assign_user": other_rep}])
    value = PicklistValue.objects.get(object_name="lead", field_name="lead_source", api_name="Webinar")
    with pytest.raises(ValidationError, match="Assignment rule “Sources”, entry 1 uses it"):
        picklist_value_delete(value=value, replacement=None, acting_user=marketing_admin)


def test_entries_reorder_and_renumber(make_rule, marketing_admin, rep, other_rep):
    rule = make_rule(
        "Order",
        [{"criteria": [], "assign_user": rep}, {"criteria": [], "assign_user": other_rep}],
        active=False,
    )
    second = rule.entries.get(sort_order=2)
    services.entry_move(entry=second, direction=-1, acting_user=marketing_admin)
    assert list(rule.entries.order_by("sort_order").values_list("assign_user", flat=True)) == [other_rep.pk, rep.pk]
    services.entry_delete(entry=rule.entries.get(sort_order=1), acting_user=marketing_admin)
    assert list(rule.entries.values_list("sort_order", "assign_user")) == [(1, rep.pk)]


def test_rule_test_explains_why_earlier_entries_did_not_match(make_rule, other_rep, rep):
    rule = make_rule(
        "Explain",
        [
            {"criteria": [_c("lead_source", "equals", "Webinar")], "assign_user": other_rep},
            {"criteria": [_c("company", "starts_with", "Ac")], "assign_user": rep},
        ],
    )
    test = services.rule_test(rule=rule, record={"lead_source": "Website", "company": "Acme"})
    assert test.winner.number == 2
    assert not test.traces[0].evaluation.matched
    assert (
        "Lead Source equals “Webinar”: not met (the value is “Website”)"
        in test.traces[0].evaluation.results[0].explanation
    )


def test_dry_run_counts_what_each_entry_would_take(make_rule, rep, other_rep):
    rule = make_rule(
        "Dry",
        [
            {"criteria": [_c("lead_source", "equals", "Webinar")], "assign_user": other_rep},
            {"criteria": [_c("company", "starts_with", "Big")], "assign_user": rep},
        ],
        active=False,
    )
    bulk_leads(3, owner_user=rep, lead_source="Webinar")
    bulk_leads(2, owner_user=rep, company="Big Co")
    bulk_leads(4, owner_user=rep, company="Small Co")
    result = services.rule_dry_run(rule=rule, leads=Lead.objects.all())
    assert [(n, count) for n, _, count in result.per_entry] == [(1, 3), (2, 2)]
    assert result.unmatched == 4
    assert result.total == 9
    assert Lead.objects.filter(owner_user=other_rep).count() == 0  # nothing saved


def test_accept_and_send_back_to_queue(rep, other_rep, sales_queue, reps):
    lead = LeadFactory(owner_user=None, owner_queue=sales_queue, created_by=None, last_modified_by=None)
    # a non-member may not accept
    with pytest.raises(PermissionError):
        services.lead_accept(lead=lead, acting_user=rep)
    accepted = services.lead_accept(lead=lead, acting_user=reps[0])
    assert accepted.owner_user == reps[0]
    # accepting twice is refused with a message
    with pytest.raises(ValidationError, match="not in a queue"):
        services.lead_accept(lead=lead, acting_user=reps[1])
    back = services.lead_send_to_queue(lead=lead, queue=sales_queue, acting_user=reps[0])
    assert back.owner_queue == sales_queue
    notes = list(history_for(object_name="lead", record_id=lead.pk).values_list("note", flat=True))
    assert "Sent to queue “Sales Queue”" in notes
    assert "Accepted from queue “Sales Queue”" in notes


def test_accept_next_takes_the_oldest_lead(reps, sales_queue):
    leads = bulk_leads(3, owner_queue=sales_queue)
    assert services.queue_accept_next(queue=sales_queue, acting_user=reps[0]).pk == leads[0].pk
    assert services.queue_accept_next(queue=sales_queue, acting_user=reps[1]).pk == leads[1].pk


def test_queue_membership_changes_visibility_at_once(marketing_admin, rep, sales_queue):
    lead = bulk_leads(1, owner_queue=sales_queue)[0]
    assert not leads_visible_to(rep).filter(pk=lead.pk).exists()
    services.queue_update(
        queue=sales_queue, name=sales_queue.name, members=[*sales_queue.members.all(), rep], acting_user=marketing_admin
    )
    assert leads_visible_to(rep).filter(pk=lead.pk).exists()
    assert services.queue_accept_next(queue=sales_queue, acting_user=rep).pk == lead.pk


def test_queue_with_leads_cannot_be_deleted(marketing_admin, sales_queue):
    bulk_leads(1, owner_queue=sales_queue)
    with pytest.raises(ValidationError, match="owns 1 lead"):
        services.queue_delete(queue=sales_queue, acting_user=marketing_admin)
    empty = QueueFactory(name="Empty")
    services.queue_delete(queue=empty, acting_user=marketing_admin)


def test_mass_run_assignment_rules(make_rule, marketing_admin, rep, other_rep):
    make_rule("Mass", [{"criteria": [_c("company", "starts_with", "Big")], "assign_user": other_rep}])
    leads = bulk_leads(2, owner_user=rep, company="Big Co") + bulk_leads(1, owner_user=rep, company="Small")
    result = services.leads_assign_many(lead_ids=[lead.pk for lead in leads], acting_user=marketing_admin)
    assert result.updated == 2
    assert Lead.objects.filter(owner_user=other_rep).count() == 2


def test_routing_setup_is_for_marketing_admins(rep):
    with pytest.raises(PermissionError):
        services.rule_create(name="Mine", acting_user=rep)
    with pytest.raises(PermissionError):
        services.queue_create(name="Mine", acting_user=rep)
