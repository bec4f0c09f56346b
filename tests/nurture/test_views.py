"""The nurture pages: Setup list, sequence form, builder, record page, enrolment from the lead
page and from a lead list selection."""

import pytest
from django.urls import reverse

from nurture import services
from nurture.models import NurtureEnrolment, NurtureSequence, NurtureStep

pytestmark = pytest.mark.django_db


def test_the_setup_list_shows_sequences_and_an_empty_state(client, marketing_admin, lead_fields):
    client.force_login(marketing_admin)
    empty = client.get(reverse("nurture:list"))
    assert "No nurture sequence yet." in empty.content.decode()
    services.sequence_create(data={"name": "Drip"}, acting_user=marketing_admin)
    assert "Drip" in client.get(reverse("nurture:list")).content.decode()


def test_a_sequence_is_created_and_built_from_the_pages(client, marketing_admin, lead_fields, make_template):
    client.force_login(marketing_admin)
    response = client.post(reverse("nurture:create"), {"name": "Onboarding", "send_days": ["0", "1"]})
    sequence = NurtureSequence.objects.get(name="Onboarding")
    assert response.url == reverse("nurture:builder", args=[sequence.pk])
    template = make_template("Hello")

    client.post(reverse("nurture:builder", args=[sequence.pk]), {"kind": "email", "template": template.pk})
    client.post(reverse("nurture:builder", args=[sequence.pk]), {"kind": "wait", "wait_days": "2"})
    bad = client.post(reverse("nurture:builder", args=[sequence.pk]), {"kind": "wait"})
    wait = sequence.steps.get(kind="wait")
    client.post(reverse("nurture:step_move", args=[sequence.pk, wait.pk]), {"direction": "up"})

    assert bad.status_code == 400
    assert "Wait some days or hours" in bad.content.decode()
    assert list(sequence.steps.order_by("position").values_list("kind", flat=True)) == ["wait", "email"]
    client.post(reverse("nurture:status", args=[sequence.pk]), {"status": "active"})
    sequence.refresh_from_db()
    assert sequence.status == "active"
    page = client.get(reverse("nurture:builder", args=[sequence.pk])).content.decode()
    assert "Send “Hello”" in page
    assert "Wait 2 days 0 hours" in page


def test_reps_may_not_open_the_builder(client, rep, three_step_sequence):
    client.force_login(rep)
    assert client.get(reverse("nurture:builder", args=[three_step_sequence.pk])).status_code == 403
    assert client.get(reverse("nurture:detail", args=[three_step_sequence.pk])).status_code == 200


def test_the_record_page_shows_step_statistics_in_a_fixed_number_of_queries(
    client, marketing_admin, three_step_sequence, nurture_leads, rep, tick, django_assert_max_num_queries
):
    services.enrol_leads(
        sequence=three_step_sequence, lead_ids=[lead.pk for lead in nurture_leads(12)], acting_user=rep
    )
    tick()
    client.force_login(marketing_admin)
    with django_assert_max_num_queries(25):
        page = client.get(reverse("nurture:detail", args=[three_step_sequence.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count('data-testid="enrolment-row"') == 12
    assert '<td class="text-end" data-testid="stat-sent">12</td>' in html


def test_enrol_from_the_lead_page_and_remove(client, rep, three_step_sequence, nurture_leads):
    (lead,) = nurture_leads(1)
    client.force_login(rep)
    detail = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()
    assert "Nurture Sequences" in detail
    client.post(reverse("nurture:lead_enrol", args=[lead.pk]), {"sequence": three_step_sequence.pk})
    enrolment = NurtureEnrolment.objects.get(lead=lead)
    assert enrolment.source == "manual"
    client.post(reverse("nurture:enrolment_remove", args=[enrolment.pk]))
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.exit_reason, enrolment.ended_by) == ("exited", "removed", rep)


def test_enrol_a_lead_list_selection(client, rep, three_step_sequence, nurture_leads):
    leads = nurture_leads(3)
    client.force_login(rep)
    ids = [str(lead.pk) for lead in leads]
    listing = client.get(reverse("leads:list")).content.decode()
    assert 'data-testid="mass-enrol-in-sequence"' in listing
    ask = client.post(reverse("nurture:enrol_leads"), {"ids": ids, "next": "/leads/"})
    assert ask.status_code == 200
    assert "Enrol 3 selected leads" in ask.content.decode()
    done = client.post(
        reverse("nurture:enrol_leads"), {"ids": ids, "sequence": three_step_sequence.pk, "next": "/leads/"}
    )
    assert done.url == "/leads/"
    assert set(NurtureEnrolment.objects.values_list("source", flat=True)) == {"bulk"}
    assert NurtureEnrolment.objects.count() == 3


def test_deleting_a_step_keeps_enrolments_in_place(
    client, marketing_admin, three_step_sequence, nurture_leads, rep, tick
):
    (lead,) = nurture_leads(1)
    services.enrol_leads(sequence=three_step_sequence, lead_ids=[lead.pk], acting_user=rep)
    tick()  # sent step 1, waits before step 3 (Tips)
    client.force_login(marketing_admin)
    first = three_step_sequence.steps.get(position=1)
    client.post(reverse("nurture:step_delete", args=[three_step_sequence.pk, first.pk]))
    enrolment = NurtureEnrolment.objects.get(lead=lead)
    assert NurtureStep.objects.get(sequence=three_step_sequence, position=enrolment.position).template.name == "Tips"


def test_an_enrolment_rule_is_built_from_the_setup_pages(client, marketing_admin, three_step_sequence):
    from nurture.models import EnrolmentRule

    client.force_login(marketing_admin)
    assert "No enrolment rules yet." in client.get(reverse("nurture:rule_list")).content.decode()
    client.post(reverse("nurture:rule_create"), {"name": "Webinar leads"})
    rule = EnrolmentRule.objects.get(name="Webinar leads")
    response = client.post(
        reverse("nurture:entry_create", args=[rule.pk]),
        {
            "field_1": "lead_source",
            "operator_1": "equals",
            "value_1": "Webinar",
            "sequence": three_step_sequence.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    client.post(reverse("nurture:rule_activate", args=[rule.pk]))
    rule.refresh_from_db()
    assert rule.is_active
    detail = client.get(reverse("nurture:rule_detail", args=[rule.pk])).content.decode()
    assert "Warm-up" in detail


def test_a_sequence_with_leads_in_it_is_not_deleted(client, marketing_admin, three_step_sequence, nurture_leads, rep):
    services.enrol_leads(sequence=three_step_sequence, lead_ids=[nurture_leads(1)[0].pk], acting_user=rep)
    client.force_login(marketing_admin)
    client.post(reverse("nurture:delete", args=[three_step_sequence.pk]))
    assert NurtureSequence.objects.filter(pk=three_step_sequence.pk).exists()
    form = client.get(reverse("nurture:edit", args=[three_step_sequence.pk])).content.decode()
    assert "Europe/Paris" in form
    client.post(
        reverse("nurture:edit", args=[three_step_sequence.pk]),
        {"name": "Warm-up", "time_zone": "Europe/Paris", "send_window_start": "09:00", "send_window_end": "08:00"},
    )
    three_step_sequence.refresh_from_db()
    assert three_step_sequence.time_zone == ""
    saved = client.post(
        reverse("nurture:edit", args=[three_step_sequence.pk]),
        {"name": "Warm-up", "time_zone": "Europe/Paris", "send_window_start": "09:00", "send_window_end": "17:00"},
    )
    assert saved.status_code == 302
    three_step_sequence.refresh_from_db()
    assert three_step_sequence.time_zone == "Europe/Paris"
