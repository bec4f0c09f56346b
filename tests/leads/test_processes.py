"""Lead record types: processes (statuses offered, in order), page layouts, path guidance and key
fields, and Unqualified as a closing status that needs a reason."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.models import RecordType
from core.services import custom_field_create
from leads.models import Lead, LeadPathStep
from leads.processes.selectors import lead_process_statuses, lead_record_type_default
from leads.processes.services import (
    lead_path_step_set,
    lead_record_type_create,
    lead_record_type_default_set,
    lead_record_type_update,
)
from leads.selectors import lead_status_path, path_guidance_step
from leads.services import lead_create, lead_mass_change_status, lead_update
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def partner(marketing_admin):
    return lead_record_type_create(
        name="Partner",
        statuses=["New", "Working", "Unqualified", "Qualified"],
        layout_sections=["info"],
        acting_user=marketing_admin,
    )


@pytest.fixture
def rep_client(client, rep):
    client.force_login(rep)
    return client


def test_the_migration_gives_the_organisation_a_general_lead_record_type():
    general = RecordType.objects.get(object_name="lead", is_org_default=True)

    assert general.name == "General"
    assert lead_record_type_default(user=None) == general


def test_a_new_lead_gets_its_creators_default_record_type(rep, partner, marketing_admin):
    lead_record_type_default_set(record_type=partner, user=rep, acting_user=marketing_admin)

    lead = lead_create(data={"last_name": "Ng", "company": "Acme"}, acting_user=rep)

    assert lead.record_type == partner


def test_the_status_must_be_one_of_the_record_types_process(rep, partner):
    lead = lead_create(data={"last_name": "Ng", "company": "Acme"}, acting_user=rep, record_type=partner)

    with pytest.raises(ValidationError) as exc:
        lead_update(lead=lead, data={"status": "Nurturing"}, acting_user=rep)

    assert "not a status of the Partner lead process" in exc.value.message_dict["status"][0]
    assert Lead.objects.get(pk=lead.pk).status == "New"


def test_the_process_keeps_its_order(marketing_admin):
    record_type = lead_record_type_create(
        name="Reverse", statuses=["Working", "New", "Qualified"], acting_user=marketing_admin
    )

    assert lead_process_statuses(record_type) == ["Working", "New", "Qualified"]


def test_a_process_needs_an_open_and_a_converted_status(marketing_admin):
    with pytest.raises(ValidationError) as exc:
        lead_record_type_create(name="Dead end", statuses=["New", "Unqualified"], acting_user=marketing_admin)

    assert "statuses" in exc.value.message_dict


def test_one_organisation_default_per_object(partner, marketing_admin):
    lead_record_type_update(record_type=partner, is_org_default=True, acting_user=marketing_admin)

    assert list(RecordType.objects.filter(object_name="lead", is_org_default=True)) == [partner]


def test_unqualified_needs_a_reason_on_every_path(rep):
    lead = LeadFactory(owner_user=rep, status="Working")

    with pytest.raises(ValidationError) as exc:
        lead_update(lead=lead, data={"status": "Unqualified"}, acting_user=rep)
    assert "unqualified_reason" in exc.value.message_dict

    with pytest.raises(ValidationError) as exc:
        lead_mass_change_status(lead_ids=[lead.pk], status="Unqualified", acting_user=rep)
    assert "unqualified_reason" in exc.value.message_dict

    lead = lead_update(lead=lead, data={"status": "Unqualified", "unqualified_reason": "No Budget"}, acting_user=rep)
    assert (lead.status, lead.unqualified_reason) == ("Unqualified", "No Budget")


def test_mass_change_to_unqualified_with_a_reason(rep):
    lead = LeadFactory(owner_user=rep, status="Working")

    result = lead_mass_change_status(
        lead_ids=[lead.pk], status="Unqualified", unqualified_reason="Bad Timing", acting_user=rep
    )

    lead.refresh_from_db()
    assert result.updated == 1
    assert (lead.status, lead.unqualified_reason) == ("Unqualified", "Bad Timing")


def test_the_path_ends_at_the_closed_status_the_lead_has(rep):
    lead = LeadFactory(owner_user=rep, status="Unqualified", unqualified_reason="Other")

    steps = lead_status_path(lead=lead)

    assert (steps[-1].api_name, steps[-1].state) == ("Unqualified", "current")
    assert all(s.state == "complete" for s in steps[:-1])


def test_guidance_and_key_fields_of_a_step(partner, marketing_admin, rep):
    lead_path_step_set(
        record_type=partner,
        status="Working",
        guidance="Call within a day.",
        key_fields=["title", "phone"],
        acting_user=marketing_admin,
    )
    lead = LeadFactory(owner_user=rep, status="Working", record_type=partner)

    step = path_guidance_step(lead=lead)

    assert step.guidance == "Call within a day."
    assert step.key_fields == ("title", "phone")
    # Adding guidance did not narrow the process.
    assert lead_process_statuses(partner) == ["New", "Working", "Unqualified", "Qualified"]


def test_key_fields_are_checked(partner, marketing_admin):
    with pytest.raises(ValidationError) as exc:
        lead_path_step_set(
            record_type=partner,
            status="Working",
            key_fields=["title", "phone", "email", "city", "country", "industry"],
            acting_user=marketing_admin,
        )
    assert "key_fields" in exc.value.message_dict

    with pytest.raises(ValidationError) as exc:
        lead_path_step_set(record_type=partner, status="Working", key_fields=["status"], acting_user=marketing_admin)
    assert "key_fields" in exc.value.message_dict


def test_reps_may_not_set_up_record_types(rep):
    with pytest.raises(PermissionError):
        lead_record_type_create(name="Mine", acting_user=rep)


def test_guidance_is_escaped_on_the_lead_page(partner, marketing_admin, rep, rep_client):
    lead_path_step_set(
        record_type=partner,
        status="New",
        guidance="<script>alert(1)</script> See https://example.com",
        key_fields=["title"],
        acting_user=marketing_admin,
    )
    lead = LeadFactory(owner_user=rep, status="New", record_type=partner)

    html = rep_client.get(reverse("leads:detail", args=[lead.pk])).content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html
    assert 'href="https://example.com"' in html
    assert 'data-testid="key-fields-form"' in html


def test_key_fields_are_saved_under_the_path_with_the_edit_forms_rules(partner, marketing_admin, rep, rep_client):
    lead_path_step_set(record_type=partner, status="New", key_fields=["title", "website"], acting_user=marketing_admin)
    lead = LeadFactory(owner_user=rep, status="New", record_type=partner)
    url = reverse("leads:path_key_fields", args=[lead.pk]) + "?step=New"

    bad = rep_client.post(
        url, {"title": "CTO", "website": "not a url at all", "version": lead.version}, HTTP_HX_REQUEST="true"
    )
    good = rep_client.post(
        url, {"title": "CTO", "website": "acme.example", "version": lead.version}, HTTP_HX_REQUEST="true"
    )

    assert bad.status_code == 400
    assert good.status_code == 200
    lead.refresh_from_db()
    assert (lead.title, lead.website) == ("CTO", "acme.example")
    assert 'id="lead-history" hx-swap-oob="true"' in good.content.decode()


def test_closing_from_the_path_asks_for_the_reason(rep, rep_client):
    lead = LeadFactory(owner_user=rep, status="Working")
    url = reverse("leads:set_status", args=[lead.pk])

    refused = rep_client.post(url, {"status": "Unqualified", "version": lead.version}, follow=True)
    rep_client.post(url, {"status": "Unqualified", "unqualified_reason": "No Need", "version": lead.version})

    assert "Choose an Unqualified Reason" in refused.content.decode()
    lead.refresh_from_db()
    assert (lead.status, lead.unqualified_reason) == ("Unqualified", "No Need")


def test_the_layout_hides_sections_on_the_page_and_the_form(partner, rep, rep_client):
    lead = LeadFactory(owner_user=rep, status="New", record_type=partner, city="Leeds")

    page = rep_client.get(reverse("leads:detail", args=[lead.pk])).content.decode()
    form = rep_client.get(reverse("leads:edit", args=[lead.pk])).content.decode()

    assert "Address Information" not in page
    assert 'name="city"' not in form
    # Saving the form keeps the hidden section's values.
    rep_client.post(
        reverse("leads:edit", args=[lead.pk]),
        {"last_name": lead.last_name, "company": "New Co", "status": "New", "version": lead.version},
    )
    lead.refresh_from_db()
    assert (lead.company, lead.city) == ("New Co", "Leeds")


def test_a_new_lead_asks_the_record_type_when_there_are_several(partner, rep_client):
    choose = rep_client.get(reverse("leads:create"))
    form = rep_client.get(reverse("leads:create"), {"record_type": partner.pk})

    assert 'data-testid="record-type-choice"' in choose.content.decode()
    assert f'name="record_type" value="{partner.pk}"' in form.content.decode()
    assert ">Nurturing<" not in form.content.decode()


def test_the_setup_pages_save_a_process_and_a_steps_guidance(client, marketing_admin):
    client.force_login(marketing_admin)

    response = client.post(
        reverse("leads:recordtype_create"),
        {"name": "Inbound", "is_active": "on", **_process_fields(["New", "Working", "Qualified"])},
    )
    record_type = RecordType.objects.get(object_name="lead", name="Inbound")
    assert response.status_code == 302
    assert lead_process_statuses(record_type) == ["New", "Working", "Qualified"]

    client.post(
        reverse("leads:path_setup", args=[record_type.pk]),
        {"step": "2", "step-2-status": "Working", "step-2-guidance": "Qualify BANT.", "step-2-key_fields": ["title"]},
    )
    step = LeadPathStep.objects.get(record_type=record_type, status__api_name="Working")
    assert (step.guidance, step.key_fields) == ("Qualify BANT.", ["title"])


def _process_fields(statuses):
    from core.models import PicklistValue

    fields = {}
    for value in PicklistValue.objects.filter(object_name="lead", field_name="status"):
        if value.api_name in statuses:
            fields[f"status_{value.pk}"] = "on"
            fields[f"position_{value.pk}"] = str(statuses.index(value.api_name) + 1)
    return fields


def test_a_card_dropped_on_unqualified_opens_the_closing_step_for_its_reason(rep, rep_client):
    lead = LeadFactory(owner_user=rep, status="Working")

    response = rep_client.post(
        reverse("leads:kanban_move"),
        {"lead": lead.pk, "field": "status", "value": "Unqualified", "version": lead.version},
        HTTP_HX_REQUEST="true",
    )
    page = rep_client.get(response["HX-Redirect"]).content.decode()

    assert response["HX-Redirect"] == reverse("leads:detail", args=[lead.pk]) + "?close=1#lead-path"
    assert 'class="collapse show" id="lead-path-close"' in page
    assert Lead.objects.get(pk=lead.pk).status == "Working"


def test_a_board_of_one_record_type_shows_its_process(partner, rep, rep_client):
    LeadFactory(owner_user=rep, status="New", record_type=partner)

    response = rep_client.get(reverse("leads:kanban"), {"record_type": partner.pk, "view": "all"})

    assert [c.value for c in response.context["columns"]] == ["New", "Working", "Unqualified", "Qualified"]


def test_the_mass_change_of_status_takes_the_unqualified_reason(rep, rep_client):
    leads = [LeadFactory(owner_user=rep, status="Working") for _ in range(2)]
    ids = [lead.pk for lead in leads]

    listed = rep_client.get(reverse("leads:list")).content.decode()
    refused = rep_client.post(
        reverse("leads:mass_action"), {"action": "change_status", "status": "Unqualified", "ids": ids}, follow=True
    )
    rep_client.post(
        reverse("leads:mass_action"),
        {"action": "change_status", "status": "Unqualified", "unqualified_reason": "Duplicate", "ids": ids},
    )

    assert 'name="unqualified_reason"' in listed
    assert "Choose an Unqualified Reason" in refused.content.decode()
    assert set(Lead.objects.filter(pk__in=ids).values_list("status", "unqualified_reason")) == {
        ("Unqualified", "Duplicate")
    }


def test_the_setup_pages_open_for_admins_only(client, partner, marketing_admin, rep):
    pages = [
        reverse("leads:recordtype_list"),
        reverse("leads:recordtype_create"),
        reverse("leads:recordtype_edit", args=[partner.pk]),
        reverse("leads:path_setup", args=[partner.pk]),
    ]
    client.force_login(rep)
    assert {client.get(url).status_code for url in pages} == {403}

    client.force_login(marketing_admin)
    answers = [client.get(url) for url in pages]

    assert [a.status_code for a in answers] == [200, 200, 200, 200]
    assert "Partner" in answers[0].content.decode()
    assert 'data-testid="process-statuses"' in answers[2].content.decode()
    assert 'data-testid="step-form-unqualified"' in answers[3].content.decode()


def test_the_edit_form_changes_the_record_type_under_the_new_process(partner, rep, rep_client):
    lead = LeadFactory(owner_user=rep, status="Nurturing")
    url = reverse("leads:edit", args=[lead.pk])
    fields = {"last_name": lead.last_name, "company": lead.company, "record_type": partner.pk}

    refused = rep_client.post(url, {**fields, "status": "Nurturing", "version": lead.version})
    rep_client.post(url, {**fields, "status": "Working", "version": lead.version})

    assert refused.status_code == 200
    assert "not a status of the Partner lead process" in refused.content.decode()
    lead.refresh_from_db()
    assert (lead.record_type, lead.status) == (partner, "Working")


def test_the_layout_orders_the_sections_of_the_page_and_the_form(marketing_admin, rep, rep_client):
    custom_field_create(object_name="lead", label="Budget", field_type="number", acting_user=marketing_admin)
    ordered = lead_record_type_create(
        name="Ordered", layout_sections=["additional", "custom", "info"], acting_user=marketing_admin
    )
    lead = LeadFactory(owner_user=rep, status="New", record_type=ordered)

    page = rep_client.get(reverse("leads:detail", args=[lead.pk]))
    form = rep_client.get(reverse("leads:edit", args=[lead.pk])).content.decode()

    assert [s.key for s in page.context["sections"]] == ["additional", "custom", "info"]
    at = [form.index(title) for title in ("Additional Information", "Custom Fields", "Lead Information")]
    assert at == sorted(at)
    assert "Address Information" not in form


def test_the_setup_page_orders_the_layouts_sections_by_position(client, marketing_admin):
    client.force_login(marketing_admin)

    client.post(
        reverse("leads:recordtype_create"),
        {
            "name": "Reordered",
            "is_active": "on",
            "layout_sections": ["info", "address", "custom"],
            "section_position_info": "3",
            "section_position_address": "1",
            "section_position_additional": "4",
            "section_position_custom": "2",
            **_process_fields(["New", "Working", "Qualified"]),
        },
    )
    saved = RecordType.objects.get(name="Reordered")
    again = client.get(reverse("leads:recordtype_edit", args=[saved.pk])).content.decode()

    assert saved.layout_sections == ["address", "custom", "info"]
    # The edit page lists them in that order, the unticked one last.
    assert again.index('value="address"') < again.index('value="custom"') < again.index('value="info"')
    assert again.index('value="info"') < again.index('value="additional"')


def test_the_path_setup_page_saves_one_step_or_shows_the_services_refusal_on_it(client, marketing_admin, partner):
    client.force_login(marketing_admin)
    url = reverse("leads:path_setup", args=[partner.pk])
    process = lead_process_statuses(partner)

    refused = client.post(url, {"step": "2", "step-2-status": "Nurturing", "step-2-guidance": "Call first."})
    saved = client.post(url, {"step": "2", "step-2-status": process[1], "step-2-guidance": "Call first."})

    assert refused.status_code == 400
    assert "is not a status of the Partner lead process." in refused.content.decode()
    assert saved.status_code == 302
    assert saved["Location"] == url + "#step-2"
    step = LeadPathStep.objects.get(record_type=partner, status__api_name=process[1])
    assert step.guidance == "Call first."
    assert f"The guidance of {process[1]} was saved." in client.get(url).content.decode()
