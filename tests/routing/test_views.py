"""The routing pages: my queues, accept, setup of queues, rules and entries, the rule tester."""

import pytest
from django.urls import reverse

from core.history import history_for
from leads.models import Lead, Queue
from leads.routing import services
from leads.routing.models import AssignmentRule, LeadSettings, RoutingAvailability, RuleEntry
from tests.factories import LeadFactory, QueueFactory

from .conftest import bulk_leads

pytestmark = pytest.mark.django_db


def test_my_queues_lists_counts_in_one_query(client, reps, sales_queue, django_assert_max_num_queries):
    bulk_leads(3, owner_queue=sales_queue)
    other = QueueFactory(name="Other")
    other.members.add(reps[0])
    client.force_login(reps[0])
    with django_assert_max_num_queries(8):
        response = client.get(reverse("leads:queue_list"))
    assert response.status_code == 200
    assert response.context["queues"][1].waiting == 3  # "Other" sorts first
    assert response.context["queues"][0].waiting == 0


def test_queue_page_lists_oldest_first_and_hides_from_non_members(client, reps, rep, sales_queue):
    leads = bulk_leads(3, owner_queue=sales_queue)
    client.force_login(reps[0])
    response = client.get(reverse("leads:queue_detail", args=[sales_queue.pk]))
    assert [lead.pk for lead in response.context["leads"]] == [lead.pk for lead in leads]
    client.force_login(rep)
    assert client.get(reverse("leads:queue_detail", args=[sales_queue.pk])).status_code == 404


def test_accept_next_from_the_page_opens_the_lead(client, reps, sales_queue):
    leads = bulk_leads(2, owner_queue=sales_queue)
    client.force_login(reps[1])
    response = client.post(reverse("leads:queue_accept_next", args=[sales_queue.pk]))
    assert response.url == reverse("leads:detail", args=[leads[0].pk])
    assert Lead.objects.get(pk=leads[0].pk).owner_user == reps[1]


def test_accept_next_on_an_empty_queue_says_so(client, reps, sales_queue):
    client.force_login(reps[0])
    response = client.post(reverse("leads:queue_accept_next", args=[sales_queue.pk]), follow=True)
    assert "is empty" in response.content.decode()


def test_lead_page_shows_accept_to_members_only(client, reps, rep, sales_queue, marketing_admin):
    lead = LeadFactory(owner_user=None, owner_queue=sales_queue, created_by=rep, last_modified_by=rep)
    client.force_login(reps[0])
    page = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()
    assert 'data-testid="accept-lead"' in page
    client.force_login(marketing_admin)  # sees the lead, is no member
    assert 'data-testid="accept-lead"' not in client.get(reverse("leads:detail", args=[lead.pk])).content.decode()
    client.force_login(reps[0])
    client.post(reverse("leads:accept", args=[lead.pk]))
    lead.refresh_from_db()
    assert lead.owner_user == reps[0]


def test_send_to_queue(client, rep, sales_queue):
    lead = LeadFactory(owner_user=rep)
    client.force_login(rep)
    response = client.post(reverse("leads:send_to_queue", args=[lead.pk]), {"queue": sales_queue.pk})
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.owner_queue == sales_queue


def test_toggle_own_availability(client, rep):
    client.force_login(rep)
    client.post(reverse("leads:availability"), {"available": "0"})
    assert RoutingAvailability.objects.get(user=rep).is_available is False


def test_setup_pages_are_for_admins(client, rep):
    client.force_login(rep)
    for name in ("leads:queue_setup", "leads:rule_list", "leads:lead_settings", "leads:rule_create"):
        assert client.get(reverse(name)).status_code == 403


def test_admin_creates_and_edits_a_queue(client, marketing_admin, reps):
    client.force_login(marketing_admin)
    response = client.post(
        reverse("leads:queue_create"), {"name": "EMEA", "email": "emea@example.com", "members": [reps[0].pk]}
    )
    assert response.status_code == 302
    queue = Queue.objects.get(name="EMEA")
    assert list(queue.members.all()) == [reps[0]]
    response = client.post(reverse("leads:queue_create"), {"name": "emea"})
    assert "already exists" in response.content.decode()
    client.post(reverse("leads:queue_edit", args=[queue.pk]), {"name": "EMEA North", "members": [reps[1].pk]})
    queue.refresh_from_db()
    assert queue.name == "EMEA North"
    assert list(queue.members.all()) == [reps[1]]


def test_admin_sets_the_default_owner(client, marketing_admin, sales_queue):
    client.force_login(marketing_admin)
    client.post(reverse("leads:lead_settings"), {"default_owner": f"queue:{sales_queue.pk}"})
    assert LeadSettings.objects.get().default_owner_queue == sales_queue


def test_admin_builds_a_rule_with_entries(client, marketing_admin, sales_queue, other_rep):
    client.force_login(marketing_admin)
    response = client.post(reverse("leads:rule_create"), {"name": "Standard"})
    rule = AssignmentRule.objects.get(name="Standard")
    assert response.url == reverse("leads:rule_detail", args=[rule.pk])
    entry_url = reverse("leads:entry_create", args=[rule.pk])
    # a criterion that does not fit its field is refused with a clear message
    bad = client.post(
        entry_url,
        {
            "rows": 5,
            "field_1": "annual_revenue",
            "operator_1": "contains",
            "value_1": "x",
            "assign_to": "user",
            "assign_user": other_rep.pk,
        },
    )
    assert "does not fit a currency field" in bad.content.decode()
    client.post(
        entry_url,
        {
            "rows": 5,
            "field_1": "lead_source",
            "operator_1": "includes",
            "value_1": "Webinar, Website",
            "field_2": "country",
            "operator_2": "equals",
            "value_2": "France",
            "filter_logic": "1 or 2",
            "assign_to": "queue",
            "assign_queue": sales_queue.pk,
        },
    )
    entry = RuleEntry.objects.get(rule=rule)
    assert entry.criteria[0] == {"field": "lead_source", "operator": "includes", "value": ["Webinar", "Website"]}
    assert entry.filter_logic == "1 OR 2"
    page = client.get(reverse("leads:rule_detail", args=[rule.pk])).content.decode()
    assert "Lead Source includes “Webinar”, “Website”" in page
    client.post(reverse("leads:rule_activate", args=[rule.pk]))
    rule.refresh_from_db()
    assert rule.is_active


def test_rule_tester_explains_and_dry_runs(client, marketing_admin, make_rule, other_rep, rep):
    rule = make_rule(
        "Tested",
        [
            {
                "criteria": [{"field": "lead_source", "operator": "equals", "value": "Webinar"}],
                "assign_user": other_rep,
            },
            {"criteria": [], "assign_user": rep},
        ],
        active=False,
    )
    lead = LeadFactory(owner_user=rep, lead_source="Website")
    client.force_login(marketing_admin)
    url = reverse("leads:rule_test", args=[rule.pk])
    page = client.post(url, {"lead": lead.pk}).content.decode()
    assert "Entry 2 matches" in page
    assert "Lead Source equals “Webinar”: not met (the value is “Website”)" in page
    typed = client.post(url, {"f_lead_source": "Webinar", "f_company": "Acme"}).content.decode()
    assert "Entry 1 matches" in typed
    dry = client.get(url + "?dry_run=1")
    assert dry.context["dry_run"].total == 1
    assert not history_for(object_name="lead", record_id=lead.pk).filter(field_name="owner").exists()


def test_entries_reorder_from_the_rule_page(client, marketing_admin, make_rule, rep, other_rep):
    rule = make_rule("Order", [{"criteria": [], "assign_user": rep}, {"criteria": [], "assign_user": other_rep}])
    client.force_login(marketing_admin)
    second = rule.entries.get(sort_order=2)
    client.post(reverse("leads:entry_move", args=[second.pk]), {"direction": "up"})
    second.refresh_from_db()
    assert second.sort_order == 1
    services.compiled_rule(AssignmentRule.objects.get(pk=rule.pk))  # compiles with the new order


def test_rule_page_warns_about_criteria_on_deleted_fields(client, marketing_admin, make_rule, other_rep):
    from core.models import FieldDefinition
    from core.services import custom_field_create

    seats = custom_field_create(object_name="lead", label="Seats", field_type="number", acting_user=marketing_admin)
    rule = make_rule(
        "Seats", [{"criteria": [{"field": seats.api_name, "operator": "gt", "value": "5"}], "assign_user": other_rep}]
    )
    FieldDefinition.objects.filter(pk=seats.pk).delete()
    client.force_login(marketing_admin)
    page = client.get(reverse("leads:rule_detail", args=[rule.pk])).content.decode()
    assert 'data-testid="rule-problems"' in page
    assert "Entry 1: Criterion 1: The field “Seats__c” does not exist" in page


def test_rule_page_names_the_owner_of_an_owner_criterion(client, marketing_admin, make_rule, rep, other_rep):
    rule = make_rule(
        "Owners",
        [{"criteria": [{"field": "owner", "operator": "equals", "value": f"user:{rep.pk}"}], "assign_user": other_rep}],
    )
    client.force_login(marketing_admin)
    page = client.get(reverse("leads:rule_detail", args=[rule.pk])).content.decode()
    assert "Lead Owner equals “Riley Rep”" in page
