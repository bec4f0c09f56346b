"""A value an optional field cannot take (a picklist value not in our list, a converted status)
never blocks the lead: the lead is made without it, the raw value stays on the intake row and is
noted on the lead, and the intake page counts such rows."""

import json

import pytest
from django.urls import reverse

from core.models import FieldDefinition
from core.salesforce_ids import id18
from core.services import custom_field_create, field_definition_update
from leads.models import Lead, LeadNote
from webtolead.models import Intake
from webtolead.services import webtolead_form_update

pytestmark = pytest.mark.django_db

URL = "/web-to-lead/"
FIELD_ID15 = "00N5g00000AbCdE"
FIELD_ID18 = id18(FIELD_ID15)


def test_a_hidden_lead_source_not_in_our_list_makes_the_lead_with_the_form_default(client, web_form, fields_for):
    response = client.post(URL, fields_for(web_form, lead_source="Web"))

    assert response.status_code == 303
    lead = Lead.objects.get()
    assert lead.lead_source == "Website"  # the form's default
    intake = Intake.objects.get()
    assert intake.outcome == Intake.Outcome.CREATED
    assert intake.payload["lead_source"] == "Web"
    assert intake.unused_values == {"lead_source": "Web"}
    note = LeadNote.objects.get(lead=lead)
    assert "lead_source: “Web”" in note.body
    assert "not a valid choice" in note.body


def test_an_optional_picklist_value_not_in_our_list_is_left_empty(client, web_form, fields_for):
    client.post(URL, fields_for(web_form, rating="Lukewarm", industry="Technology"))

    lead = Lead.objects.get()
    assert lead.rating == ""
    assert lead.industry == "Technology"
    assert Intake.objects.get().unused_values == {"rating": "Lukewarm"}


def test_a_picklist_field_the_form_requires_still_refuses_a_value_not_in_our_list(
    client, web_form, fields_for, marketing_admin
):
    fields = [*web_form.fields, {"name": "industry", "label": "Industry", "required": True}]
    webtolead_form_update(form=web_form, data={"fields": fields}, acting_user=marketing_admin)

    response = client.post(
        URL, json.dumps(fields_for(web_form, industry="Basket weaving")), content_type="application/json"
    )

    assert response.status_code == 400
    assert set(response.json()) == {"industry"}
    assert not Lead.objects.exists()


def test_a_submission_without_unusable_values_adds_no_note(client, web_form, fields_for):
    client.post(URL, fields_for(web_form))

    assert not LeadNote.objects.exists()
    assert Intake.objects.get().unused_values == {}


@pytest.mark.parametrize(("posted", "expected"), [("Working", "Working"), ("Nurturing", "Nurturing")])
def test_a_posted_valid_lead_status_is_applied(client, web_form, fields_for, posted, expected):
    client.post(URL, fields_for(web_form, lead_status=posted))

    assert Lead.objects.get().status == expected
    assert Intake.objects.get().unused_values == {}


@pytest.mark.parametrize("posted", ["Qualified", "Open - Not Contacted"])
def test_a_converted_or_unknown_lead_status_is_not_applied_but_noted(client, web_form, fields_for, posted):
    response = client.post(URL, fields_for(web_form, lead_status=posted))

    assert response.status_code == 303
    lead = Lead.objects.get()
    assert lead.status == "New"  # the picklist default
    assert Intake.objects.get().unused_values == {"lead_status": posted}
    assert f"lead_status: “{posted}”" in LeadNote.objects.get(lead=lead).body


@pytest.fixture
def budget_field(lead_metadata, marketing_admin):
    definition = custom_field_create(
        object_name="lead", label="Budget", field_type="currency", acting_user=marketing_admin
    )
    return field_definition_update(definition=definition, salesforce_id=FIELD_ID18, acting_user=marketing_admin)


def test_a_custom_field_keeps_its_salesforce_field_id_in_its_15_character_form(budget_field):
    assert budget_field.salesforce_id == FIELD_ID15


@pytest.mark.parametrize("posted_name", [FIELD_ID15, FIELD_ID18, "Budget__c"])
def test_a_form_posting_a_salesforce_field_id_fills_the_custom_field(
    client, web_form, fields_for, budget_field, posted_name
):
    response = client.post(URL, fields_for(web_form, **{posted_name: "1500"}))

    assert response.status_code == 303
    assert Lead.objects.get().custom_fields["Budget__c"] == 1500


def test_an_invalid_value_under_a_salesforce_field_id_is_refused_under_the_posted_name(
    client, web_form, fields_for, budget_field
):
    response = client.post(
        URL, json.dumps(fields_for(web_form, **{FIELD_ID15: "lots"})), content_type="application/json"
    )

    assert response.status_code == 400
    assert set(response.json()) == {FIELD_ID15}


@pytest.mark.parametrize("bad", ["001A0000006Vm9r", "00N5g00000AbCd", "not an id"])
def test_a_salesforce_field_id_must_be_a_field_id(budget_field, marketing_admin, bad):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        field_definition_update(definition=budget_field, salesforce_id=bad, acting_user=marketing_admin)

    assert "salesforce_id" in exc.value.message_dict


def test_two_fields_of_one_object_cannot_share_a_salesforce_field_id(budget_field, marketing_admin):
    from django.core.exceptions import ValidationError

    other = custom_field_create(object_name="lead", label="Seats", field_type="number", acting_user=marketing_admin)

    with pytest.raises(ValidationError) as exc:
        field_definition_update(definition=other, salesforce_id=FIELD_ID15, acting_user=marketing_admin)

    assert exc.value.message_dict["salesforce_id"] == ["Another field of this object has this Salesforce field id."]


def test_the_salesforce_field_id_is_editable_on_the_field_setup_page(client, budget_field, marketing_admin):
    client.force_login(marketing_admin)
    url = reverse("core:field_edit", args=["lead", "Budget__c"])

    page = client.get(url)
    response = client.post(
        url, {"label": "Budget", "salesforce_id": "00N5g00000XyZ12", "default_value": "", "is_active": "on"}
    )

    assert 'name="salesforce_id"' in page.content.decode()
    assert response.status_code == 302
    assert FieldDefinition.objects.get(pk=budget_field.pk).salesforce_id == "00N5g00000XyZ12"


def test_the_salesforce_field_id_is_editable_through_the_api(client, budget_field, marketing_admin):
    client.force_login(marketing_admin)
    url = "/api/fields/lead/Budget__c/"

    response = client.patch(url, {"salesforce_id": "00N5g00000XyZ12"}, content_type="application/json")
    refused = client.patch(url, {"salesforce_id": "00N"}, content_type="application/json")

    assert response.status_code == 200
    assert response.json()["salesforce_id"] == "00N5g00000XyZ12"
    assert refused.status_code == 400
    assert "salesforce_id" in refused.json()
    assert client.get(url).json()["salesforce_id"] == "00N5g00000XyZ12"


def test_the_intake_page_counts_the_submissions_with_values_we_could_not_use(
    client, web_form, fields_for, marketing_admin
):
    client.post(URL, fields_for(web_form, lead_source="Web", last_name="One"))
    client.post(URL, fields_for(web_form, rating="Lukewarm", last_name="Two"))
    client.post(URL, fields_for(web_form, last_name="Three"))
    client.force_login(marketing_admin)

    page = client.get(reverse("webtolead:intake_list")).content.decode()
    only_those = client.get(reverse("webtolead:intake_list"), {"unused": "1"}).content.decode()

    assert "2 submissions with values we could not use" in page
    assert "Three" in page
    assert "One" in only_those
    assert "Two" in only_those
    assert "Three" not in only_those


def test_the_intake_detail_shows_the_values_we_could_not_use(client, web_form, fields_for, marketing_admin):
    client.post(URL, fields_for(web_form, lead_source="Web"))
    client.force_login(marketing_admin)

    page = client.get(reverse("webtolead:intake_detail", args=[Intake.objects.get().pk])).content.decode()

    assert "Values we could not use" in page
    assert "“Web”" in page


def test_once_the_admin_adds_the_value_the_backfill_sets_it_on_the_lead(client, web_form, fields_for, marketing_admin):
    from core.services import picklist_value_create

    client.post(URL, fields_for(web_form, lead_source="Web", rating="Lukewarm", last_name="Early"))
    picklist_value_create(object_name="lead", field_name="lead_source", label="Web", acting_user=marketing_admin)
    client.force_login(marketing_admin)

    response = client.post(reverse("webtolead:intake_backfill"), follow=True)

    lead = Lead.objects.get()
    assert lead.lead_source == "Web"
    assert lead.rating == ""  # still not one of ours: it waits
    assert Intake.objects.get().unused_values == {"rating": "Lukewarm"}
    assert "1 value filled in on its lead." in response.content.decode()
    assert "1 submission with values we could not use" in response.content.decode()


def test_the_backfill_leaves_a_field_someone_has_set_since(client, web_form, fields_for, marketing_admin):
    from core.services import picklist_value_create
    from webtolead.services import intake_unused_values_backfill

    client.post(URL, fields_for(web_form, lead_source="Web"))
    Lead.objects.update(lead_source="Trade Show")
    picklist_value_create(object_name="lead", field_name="lead_source", label="Web", acting_user=marketing_admin)

    result = intake_unused_values_backfill(acting_user=marketing_admin)

    assert (result.filled, result.decided, result.remaining) == (0, 1, 0)
    assert Lead.objects.get().lead_source == "Trade Show"


def test_only_setup_admins_may_backfill(client, web_form, rep):
    client.force_login(rep)

    assert client.post(reverse("webtolead:intake_backfill")).status_code == 403
