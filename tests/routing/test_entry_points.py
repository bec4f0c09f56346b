"""Where the active rule runs: the lead form's checkbox, the mass action, the API switch; and the
new owner's notification, sent after commit without ever undoing the assignment."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from core.history import history_for
from emails.models import EmailTemplate, OutboundEmail
from leads.models import Lead
from leads.routing import services
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def _c(field, operator, value=None):
    return {"field": field, "operator": operator, "value": value}


@pytest.fixture
def routed(make_rule, sales_queue, other_rep):
    """Webinar leads go to the sales queue; Acme leads to the other rep."""
    return make_rule(
        "Standard",
        [
            {"criteria": [_c("lead_source", "equals", "Webinar")], "assign_to": "queue", "assign_queue": sales_queue},
            {"criteria": [_c("company", "starts_with", "Acme")], "assign_user": other_rep},
        ],
    )


def _lead_post(**extra):
    return {"last_name": "Lovelace", "company": "Acme", "status": "New", "owner": extra.pop("owner"), **extra}


def test_lead_form_checkbox_runs_the_active_rule(client, rep, other_rep, routed):
    client.force_login(rep)
    client.post(reverse("leads:create"), _lead_post(owner=f"user:{rep.pk}", use_assignment_rule="on"))
    lead = Lead.objects.get(last_name="Lovelace")
    assert lead.owner_user == other_rep
    note = history_for(object_name="lead", record_id=lead.pk).get(field_name="owner").note
    assert note == "Assignment rule “Standard”, entry 2"


def test_lead_form_without_the_checkbox_keeps_the_chosen_owner(client, rep, routed):
    client.force_login(rep)
    client.post(reverse("leads:create"), _lead_post(owner=f"user:{rep.pk}"))
    assert Lead.objects.get(last_name="Lovelace").owner_user == rep


def test_lead_edit_checkbox_runs_the_rule(client, rep, sales_queue, routed):
    lead = LeadFactory(owner_user=rep, company="Globex", lead_source="Website")
    client.force_login(rep)
    response = client.post(
        reverse("leads:edit", args=[lead.pk]),
        {
            "last_name": lead.last_name,
            "company": "Globex",
            "status": "New",
            "lead_source": "Webinar",
            "version": lead.version,
            "use_assignment_rule": "on",
        },
    )
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.owner_queue == sales_queue


def test_mass_action_runs_assignment_rules(client, marketing_admin, rep, other_rep, routed):
    leads = [LeadFactory(owner_user=rep, company="Acme Labs", lead_source="Website") for _ in range(2)]
    client.force_login(marketing_admin)
    client.post(reverse("leads:mass_action"), {"action": "run_assignment", "ids": [lead.pk for lead in leads]})
    assert Lead.objects.filter(owner_user=other_rep).count() == 2


def test_api_create_and_update_run_the_rule_when_asked(rep, other_rep, sales_queue, routed):
    api = APIClient()
    api.force_authenticate(rep)
    plain = api.post("/api/leads/", {"last_name": "A", "company": "Acme"}, format="json").json()
    assert plain["owner"]["id"] == rep.pk
    assigned = api.post("/api/leads/?assign=true", {"last_name": "B", "company": "Acme"}, format="json")
    assert assigned.status_code == 201
    assert Lead.objects.get(pk=assigned.json()["id"]).owner_user == other_rep
    updated = api.patch(
        f"/api/leads/{plain['id']}/", {"lead_source": "Webinar", "use_assignment_rule": True}, format="json"
    )
    assert updated.status_code == 200
    assert Lead.objects.get(pk=plain["id"]).owner_queue == sales_queue


def test_new_owner_is_notified_after_commit(
    make_rule, marketing_admin, rep, other_rep, django_capture_on_commit_callbacks
):
    template = EmailTemplate.objects.create(name="New lead for you", subject="New lead", body_text="A lead is yours.")
    make_rule("Notify", [{"criteria": [], "assign_user": other_rep, "notification_template": template}])
    lead = LeadFactory(owner_user=rep)
    with django_capture_on_commit_callbacks(execute=True):
        services.lead_assign(lead=lead, acting_user=rep)
    email = OutboundEmail.objects.get(kind="assignment_notification")
    assert email.to_address == other_rep.email
    assert email.record_id == lead.pk


def test_queue_members_are_notified_when_the_queue_has_no_email(
    make_rule, rep, reps, sales_queue, django_capture_on_commit_callbacks
):
    sales_queue.email = ""
    sales_queue.save()
    template = EmailTemplate.objects.create(name="Queue lead", subject="Queue lead", body_text="A lead waits.")
    make_rule(
        "Queue",
        [{"criteria": [], "assign_to": "queue", "assign_queue": sales_queue, "notification_template": template}],
    )
    lead = LeadFactory(owner_user=rep)
    with django_capture_on_commit_callbacks(execute=True):
        services.lead_assign(lead=lead, acting_user=rep)
    assert sorted(OutboundEmail.objects.values_list("to_address", flat=True)) == sorted(u.email for u in reps)


def test_the_notification_is_in_the_outbox_even_when_the_broker_is_down(
    make_rule, rep, other_rep, broker_down, django_capture_on_commit_callbacks
):
    template = EmailTemplate.objects.create(name="New lead", subject="Hi", body_text="Hi")
    make_rule("Notify", [{"criteria": [], "assign_user": other_rep, "notification_template": template}])
    lead = LeadFactory(owner_user=rep)

    with django_capture_on_commit_callbacks(execute=True):
        services.lead_assign(lead=lead, acting_user=rep)

    lead.refresh_from_db()
    assert lead.owner_user == other_rep
    email = OutboundEmail.objects.get(kind="assignment_notification")
    assert (email.to_address, email.status) == (other_rep.email, OutboundEmail.Status.QUEUED)
    assert email.idempotency_key == f"lead-assignment:{lead.pk}:{lead.version}:{other_rep.email.lower()}"


def test_a_notification_the_outbox_refuses_never_undoes_the_assignment(make_rule, rep, other_rep):
    template = EmailTemplate.objects.create(name="Broken", subject="Hi", body_text="Hi")
    make_rule("Notify", [{"criteria": [], "assign_user": other_rep, "notification_template": template}])
    type(other_rep).objects.filter(pk=other_rep.pk).update(email="not an address")
    lead = LeadFactory(owner_user=rep)

    services.lead_assign(lead=lead, acting_user=rep)

    lead.refresh_from_db()
    assert lead.owner_user == other_rep
    assert not OutboundEmail.objects.exists()


def test_the_notification_task_run_again_writes_no_second_email(make_rule, rep, other_rep):
    from leads.routing import tasks

    template = EmailTemplate.objects.create(name="New lead", subject="Hi", body_text="Hi")
    rule = make_rule("Notify", [{"criteria": [], "assign_user": other_rep, "notification_template": template}])
    lead = LeadFactory(owner_user=rep)
    services.lead_assign(lead=lead, acting_user=rep)
    lead.refresh_from_db()

    tasks.assignment_notify(lead_id=lead.pk, entry_id=rule.entries.get().pk, lead_version=lead.version)

    assert OutboundEmail.objects.filter(kind="assignment_notification").count() == 1
