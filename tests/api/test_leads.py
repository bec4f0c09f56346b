import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from core.models import FieldHistory
from core.services import custom_field_create
from leads.models import Lead, LeadNote
from leads.services import lead_create, lead_update
from tests.factories import LeadFactory, QueueFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST = "/api/leads/"


def detail(lead) -> str:
    return f"/api/leads/{lead.pk}/"


# Create ----------------------------------------------------------------------------------------


def test_create_goes_through_the_service_and_answers_the_lead(api, rep):
    response = api.as_user(rep).post(
        LIST,
        {"first_name": "Ada", "last_name": "Lovelace", "company": "Analytical", "email": "ada@example.com"},
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    lead = Lead.objects.get(pk=body["id"])
    assert body["status"] == "New"  # the picklist default, set by the service
    assert body["owner"] == {"type": "user", "id": rep.pk, "name": "Riley Rep"}
    assert body["created_by"] == {"id": rep.pk, "name": "Riley Rep"}
    assert body["version"] == 1
    assert body["name"] == "Ada Lovelace"
    assert response["Location"].endswith(f"/api/leads/{lead.pk}/")
    assert FieldHistory.objects.filter(object_name="lead", record_id=lead.pk, field_name="created").exists()


def test_create_requires_last_name_and_company(api, rep):
    response = api.as_user(rep).post(LIST, {"first_name": "Ada"}, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"last_name", "company"}
    assert not Lead.objects.exists()


def test_create_with_blank_required_fields_reports_each(api, rep):
    response = api.as_user(rep).post(LIST, {"last_name": " ", "company": "", "status": ""}, format="json")

    assert response.status_code == 400
    assert set(response.json()) >= {"last_name", "company"}


def test_create_reports_every_bad_field_at_once(api, rep):
    response = api.as_user(rep).post(
        LIST,
        {"last_name": "Ng", "company": "Acme", "email": "not-an-email", "rating": "Lukewarm", "last_name_x": 1},
        format="json",
    )

    assert response.status_code == 400
    assert set(response.json()) == {"email", "rating"}
    assert response.json()["rating"] == ["“Lukewarm” is not a valid value for this picklist."]


def test_inactive_status_is_refused(api, rep, marketing_admin):
    from core.models import PicklistValue
    from core.services import picklist_value_set_active

    picklist_value_set_active(
        value=PicklistValue.objects.get(object_name="lead", field_name="status", api_name="Nurturing"),
        active=False,
        acting_user=marketing_admin,
    )

    response = api.as_user(rep).post(LIST, {"last_name": "Ng", "company": "Acme", "status": "Nurturing"}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["status"]


def test_read_only_system_fields_are_ignored_on_create(api, rep, other_rep):
    response = api.as_user(rep).post(
        LIST,
        {
            "last_name": "Ng",
            "company": "Acme",
            "id": 999999,
            "owner": {"type": "user", "id": other_rep.pk},
            "created_by": other_rep.pk,
            "created_at": "2001-01-01T00:00:00Z",
            "is_converted": True,
            "converted_at": "2001-01-01T00:00:00Z",
            "version": 42,
        },
        format="json",
    )

    assert response.status_code == 201
    lead = Lead.objects.get()
    assert lead.pk != 999999
    assert lead.owner_user == rep
    assert lead.created_by == rep
    assert lead.created_at.year == timezone.now().year
    assert lead.is_converted is False
    assert lead.version == 1


def test_wrong_json_types_are_field_errors(api, rep):
    response = api.as_user(rep).post(
        LIST,
        {
            "last_name": ["Ng"],
            "company": {"name": "Acme"},
            "annual_revenue": True,
            "do_not_call": "maybe",
            "custom_fields": [1, 2],
            "number_of_employees": "many",
        },
        format="json",
    )

    assert response.status_code == 400
    errors = response.json()
    assert errors["last_name"] == ["Enter text."]
    assert errors["company"] == ["Enter text."]
    assert errors["annual_revenue"] == ["Enter a number."]
    assert errors["do_not_call"] == ["Enter true or false."]
    assert errors["custom_fields"] == ["Expected an object of field API names to values."]


def test_bad_numbers_are_reported_by_the_service(api, rep):
    response = api.as_user(rep).post(
        LIST,
        {"last_name": "Ng", "company": "Acme", "number_of_employees": "many", "annual_revenue": -5},
        format="json",
    )

    assert response.status_code == 400
    assert set(response.json()) == {"number_of_employees", "annual_revenue"}


def test_bad_json_body_is_a_400_not_a_500(api, rep):
    response = api.as_user(rep).post(LIST, data='{"last_name": "Ng",', content_type="application/json")

    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]


def test_a_json_list_body_is_a_400(api, rep):
    response = api.as_user(rep).post(LIST, data="[1, 2]", content_type="application/json")

    assert response.status_code == 400
    assert "non_field_errors" in response.json()


def test_form_encoded_bodies_are_refused(api, rep):
    response = api.as_user(rep).post(LIST, {"last_name": "Ng", "company": "Acme"})

    assert response.status_code == 415
    assert not Lead.objects.exists()


def test_markup_is_stored_verbatim_and_returned_as_a_json_string(api, rep):
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    created = api.as_user(rep).post(
        LIST, {"last_name": payload, "company": "Acme & Sons <b>", "description": payload}, format="json"
    )

    response = api.get(detail(Lead.objects.get()))

    assert created.status_code == 201
    assert response["Content-Type"] == "application/json"
    assert response.json()["last_name"] == payload
    assert response.json()["company"] == "Acme & Sons <b>"
    assert Lead.objects.get().description == payload


# Custom fields ---------------------------------------------------------------------------------


@pytest.fixture
def custom_fields(marketing_admin):
    custom_field_create(object_name="lead", label="Budget", field_type="currency", acting_user=marketing_admin)
    custom_field_create(object_name="lead", label="Seats", field_type="number", acting_user=marketing_admin)
    custom_field_create(object_name="lead", label="Go Live", field_type="date", acting_user=marketing_admin)
    custom_field_create(object_name="lead", label="Trial", field_type="checkbox", acting_user=marketing_admin)
    custom_field_create(object_name="lead", label="Contact Email", field_type="email", acting_user=marketing_admin)
    custom_field_create(
        object_name="lead",
        label="Tier",
        field_type="picklist",
        picklist_values=["Gold", "Silver"],
        acting_user=marketing_admin,
    )
    custom_field_create(
        object_name="lead", label="Region", field_type="text", is_required=True, acting_user=marketing_admin
    )


def test_custom_fields_are_cleaned_by_type_and_stored(api, rep, custom_fields):
    response = api.as_user(rep).post(
        LIST,
        {
            "last_name": "Ng",
            "company": "Acme",
            "custom_fields": {
                "Budget__c": "1,250.5",
                "Seats__c": 12,
                "Go_Live__c": "2026-12-01",
                "Trial__c": True,
                "Tier__c": "Gold",
                "Region__c": "EMEA",
            },
        },
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["custom_fields"] == {
        "Budget__c": 1250.5,
        "Seats__c": 12,
        "Go_Live__c": "2026-12-01",
        "Trial__c": True,
        "Contact_Email__c": None,
        "Tier__c": "Gold",
        "Region__c": "EMEA",
    }


def test_custom_field_errors_are_keyed_by_api_name(api, rep, custom_fields):
    response = api.as_user(rep).post(
        LIST,
        {
            "last_name": "Ng",
            "company": "Acme",
            "custom_fields": {
                "Budget__c": "lots",
                "Go_Live__c": "31/12/2026",
                "Trial__c": "perhaps",
                "Contact_Email__c": "nope",
                "Tier__c": "Platinum",
                "Nope__c": 1,
            },
        },
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "Budget__c": ["Enter a number."],
        "Go_Live__c": ["Enter a valid date (YYYY-MM-DD)."],
        "Trial__c": ["Enter true or false."],
        "Contact_Email__c": ["Enter a valid email address."],
        "Tier__c": ["“Platinum” is not a valid choice."],
        "Nope__c": ["Unknown custom field."],
        "Region__c": ["This field is required."],
    }
    assert not Lead.objects.exists()


def test_patch_custom_fields_keeps_the_others(api, rep, custom_fields):
    lead = lead_create(
        data={"last_name": "Ng", "company": "Acme"},
        custom_fields={"Region__c": "EMEA", "Tier__c": "Gold"},
        acting_user=rep,
    )

    response = api.as_user(rep).patch(detail(lead), {"custom_fields": {"Tier__c": "Silver"}}, format="json")

    assert response.status_code == 200
    assert response.json()["custom_fields"]["Tier__c"] == "Silver"
    assert response.json()["custom_fields"]["Region__c"] == "EMEA"


def test_patch_cannot_blank_a_required_custom_field(api, rep, custom_fields):
    lead = lead_create(
        data={"last_name": "Ng", "company": "Acme"}, custom_fields={"Region__c": "EMEA"}, acting_user=rep
    )

    response = api.as_user(rep).patch(detail(lead), {"custom_fields": {"Region__c": ""}}, format="json")

    assert response.status_code == 400
    assert response.json() == {"Region__c": ["This field is required."]}


# Read and update -------------------------------------------------------------------------------


def test_retrieve_answers_all_standard_fields(api, rep):
    lead = lead_create(
        data={"last_name": "Ng", "company": "Acme", "annual_revenue": "1200.50", "do_not_call": True},
        acting_user=rep,
    )

    body = api.as_user(rep).get(detail(lead)).json()

    assert body["annual_revenue"] == "1200.50"
    assert body["do_not_call"] is True
    assert {"salutation", "street", "postal_code", "industry", "custom_fields", "last_modified_by"} <= set(body)


def test_patch_changes_fields_through_the_service(api, rep):
    lead = lead_create(data={"last_name": "Ng", "company": "Acme"}, acting_user=rep)

    response = api.as_user(rep).patch(detail(lead), {"title": "CTO", "status": "Working"}, format="json")

    assert response.status_code == 200
    assert response.json()["version"] == 2
    assert response.json()["last_modified_by"]["id"] == rep.pk
    changed = set(FieldHistory.objects.filter(record_id=lead.pk, record_version=2).values_list("field_name", flat=True))
    assert changed == {"title", "status"}


@pytest.mark.parametrize("field", ["last_name", "company", "status"])
def test_patch_that_blanks_a_required_field_is_refused(api, rep, field):
    lead = lead_create(data={"last_name": "Ng", "company": "Acme"}, acting_user=rep)

    response = api.as_user(rep).patch(detail(lead), {field: ""}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert Lead.objects.get(pk=lead.pk).version == 1


def test_patch_with_null_company_is_refused(api, rep):
    lead = lead_create(data={"last_name": "Ng", "company": "Acme"}, acting_user=rep)

    response = api.as_user(rep).patch(detail(lead), {"company": None}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["company"]


def test_put_requires_last_name_and_company(api, rep):
    lead = lead_create(data={"last_name": "Ng", "company": "Acme"}, acting_user=rep)

    response = api.as_user(rep).put(detail(lead), {"title": "CEO"}, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"last_name", "company"}


def test_put_round_trips_what_get_answered(api, rep):
    lead = lead_create(data={"last_name": "Ng", "company": "Acme"}, acting_user=rep)
    body = api.as_user(rep).get(detail(lead)).json()
    body["title"] = "CEO"

    response = api.put(detail(lead), body, format="json")

    assert response.status_code == 200
    assert response.json()["title"] == "CEO"
    assert response.json()["version"] == 2


def test_read_only_fields_in_an_update_are_ignored(api, rep, other_rep):
    lead = lead_create(data={"last_name": "Ng", "company": "Acme"}, acting_user=rep)

    response = api.as_user(rep).patch(
        detail(lead),
        {"owner": {"type": "user", "id": other_rep.pk}, "is_converted": True, "created_at": "2001-01-01T00:00:00Z"},
        format="json",
    )

    assert response.status_code == 200
    lead.refresh_from_db()
    assert (lead.owner_user, lead.is_converted, lead.version) == (rep, False, 1)


def test_stale_version_is_a_409_with_what_changed(api, rep, other_rep, public_read_write):
    lead = lead_create(data={"last_name": "Ng", "company": "Acme"}, acting_user=rep)
    lead_update(lead=lead, data={"company": "Acme Ltd"}, acting_user=other_rep)

    response = api.as_user(rep).patch(detail(lead), {"title": "CEO", "version": 1}, format="json")

    assert response.status_code == 409
    body = response.json()
    assert body["current_version"] == 2
    assert [(c["field"], c["old_value"], c["new_value"]) for c in body["changes"]] == [("company", "Acme", "Acme Ltd")]
    assert body["changes"][0]["changed_by"]["id"] == other_rep.pk
    assert Lead.objects.get(pk=lead.pk).title == ""


def test_current_version_saves(api, rep):
    lead = lead_create(data={"last_name": "Ng", "company": "Acme"}, acting_user=rep)

    response = api.as_user(rep).patch(detail(lead), {"title": "CEO", "version": 1}, format="json")

    assert response.status_code == 200
    assert response.json()["version"] == 2


def test_a_write_says_whether_it_was_checked_against_a_version(api, rep):
    lead = lead_create(data={"last_name": "Ng", "company": "Acme"}, acting_user=rep)
    client = api.as_user(rep)

    checked = client.patch(detail(lead), {"title": "CEO", "version": 1}, format="json")
    unchecked = client.patch(detail(lead), {"title": "CTO"}, format="json")

    assert (checked.status_code, checked["X-Version-Check"]) == (200, "checked")
    # without a version the write still succeeds, and the answer says nobody checked what changed since
    assert (unchecked.status_code, unchecked["X-Version-Check"]) == (200, "unchecked")
    assert Lead.objects.get(pk=lead.pk).title == "CTO"


def test_the_version_check_header_is_documented(client, rep):
    client.force_login(rep)

    schema = client.get(reverse("api-schema"), {"format": "json"}).json()

    writes = [("/api/leads/{id}/", "put"), ("/api/leads/{id}/", "patch"), ("/api/leads/{id}/change-owner/", "post")]
    for path, method in writes:
        headers = schema["paths"][path][method]["responses"]["200"]["headers"]
        assert headers["X-Version-Check"]["schema"]["enum"] == ["checked", "unchecked"]


def test_version_must_be_a_positive_integer(api, rep):
    lead = lead_create(data={"last_name": "Ng", "company": "Acme"}, acting_user=rep)

    response = api.as_user(rep).patch(detail(lead), {"title": "CEO", "version": "one"}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["version"]


def test_unknown_id_is_a_404(api, rep):
    assert api.as_user(rep).get("/api/leads/999999/").status_code == 404
    assert api.get("/api/leads/abc/").status_code == 404


def test_delete_moves_the_lead_to_the_recycle_bin(api, system_admin):
    from core.models import RecycleBinEntry

    lead = LeadFactory()

    response = api.as_user(system_admin).delete(detail(lead))

    assert response.status_code == 204
    assert not Lead.objects.filter(pk=lead.pk).exists()
    assert RecycleBinEntry.objects.get().record_id == lead.pk


# Shared validation with the browser ------------------------------------------------------------


def test_the_api_answers_the_same_errors_as_the_service_the_browser_uses(api, rep):
    bad = {"last_name": "", "company": "Acme", "email": "nope", "rating": "Lukewarm", "website": "x" * 300}
    with pytest.raises(ValidationError) as service_error:
        lead_create(data=bad, acting_user=rep)

    response = api.as_user(rep).post(LIST, bad, format="json")

    expected = {**service_error.value.message_dict, "last_name": ["This field is required."]}
    assert response.status_code == 400
    assert response.json() == expected


@pytest.fixture
def budget_and_region(marketing_admin):
    custom_field_create(object_name="lead", label="Budget", field_type="currency", acting_user=marketing_admin)
    custom_field_create(
        object_name="lead", label="Region", field_type="text", is_required=True, acting_user=marketing_admin
    )


def _browser_errors(client, user, data: dict) -> dict:
    client.force_login(user)
    page = client.post(reverse("leads:create"), {"status": "New", "owner": f"user:{user.pk}", **data})
    assert page.status_code == 200
    return {k: list(v) for k, v in page.context["form"].errors.items()}


def test_the_browser_form_and_the_api_answer_the_same_field_errors(client, api, rep, budget_and_region):
    bad = {"last_name": "x" * 81, "company": "", "title": "CTO"}

    browser = _browser_errors(client, rep, {**bad, "Budget__c": "lots"})
    response = api.as_user(rep).post(LIST, {**bad, "custom_fields": {"Budget__c": "lots"}}, format="json")

    assert response.status_code == 400
    assert set(browser) == {"last_name", "company", "Budget__c", "Region__c"}
    assert response.json() == browser
    assert not Lead.objects.exists()


def test_the_browser_and_the_api_share_the_services_errors(client, api, rep, budget_and_region):
    bad = {"last_name": "Ng", "company": "Acme", "email": "not-an-email"}

    browser = _browser_errors(client, rep, {**bad, "Region__c": "EMEA"})
    response = api.as_user(rep).post(LIST, {**bad, "custom_fields": {"Region__c": "EMEA"}}, format="json")

    assert browser == {"email": ["Enter a valid email address."]}
    assert response.json() == browser


def test_blanking_a_required_field_answers_the_browser_message(api, rep):
    lead = lead_create(data={"last_name": "Ng", "company": "Acme"}, acting_user=rep)

    response = api.as_user(rep).patch(detail(lead), {"company": "   "}, format="json")

    assert response.json() == {"company": ["This field is required."]}


def test_a_converted_status_is_refused_on_create_and_update(api, rep):
    # "Qualified" is flagged converted: only converting the lead gives it that status
    client = api.as_user(rep)
    lead = lead_create(data={"last_name": "Ng", "company": "Acme"}, acting_user=rep)

    created = client.post(LIST, {"last_name": "Ada", "company": "Acme", "status": "Qualified"}, format="json")
    patched = client.patch(detail(lead), {"status": "Qualified"}, format="json")

    assert created.status_code == patched.status_code == 400
    assert list(created.json()) == list(patched.json()) == ["status"]
    assert "converting the lead" in patched.json()["status"][0]
    assert not Lead.objects.filter(last_name="Ada").exists()
    assert Lead.objects.get(pk=lead.pk).status == "New"


# Change owner ----------------------------------------------------------------------------------


def test_change_owner_to_a_user(api, rep, other_rep):
    lead = lead_create(data={"last_name": "Ng", "company": "Acme"}, acting_user=rep)

    response = api.as_user(rep).post(
        f"{detail(lead)}change-owner/", {"owner": f"user:{other_rep.pk}", "note": "Territory"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["owner"] == {"type": "user", "id": other_rep.pk, "name": "Olive Other"}
    row = FieldHistory.objects.get(record_id=lead.pk, field_name="owner")
    assert (row.old_value, row.new_value, row.note) == ("Riley Rep", "Olive Other", "Territory")


def test_change_owner_to_a_queue(api, rep):
    queue = QueueFactory(name="Inbound")
    lead = lead_create(data={"last_name": "Ng", "company": "Acme"}, acting_user=rep)

    response = api.as_user(rep).post(f"{detail(lead)}change-owner/", {"owner": f"queue:{queue.pk}"}, format="json")

    assert response.status_code == 200
    assert response.json()["owner"] == {"type": "queue", "id": queue.pk, "name": "Inbound"}


@pytest.mark.parametrize("owner", ["someone", "user:999999", "queue:999999", "", "team:1"])
def test_change_owner_refuses_unknown_owners(api, rep, owner):
    lead = lead_create(data={"last_name": "Ng", "company": "Acme"}, acting_user=rep)

    response = api.as_user(rep).post(f"{detail(lead)}change-owner/", {"owner": owner}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["owner"]
    assert Lead.objects.get(pk=lead.pk).owner_user == rep


def test_change_owner_checks_the_version_when_sent(api, rep, other_rep):
    lead = lead_create(data={"last_name": "Ng", "company": "Acme"}, acting_user=rep)
    lead_update(lead=lead, data={"title": "CEO"}, acting_user=rep)
    client = api.as_user(rep)

    stale = client.post(f"{detail(lead)}change-owner/", {"owner": f"user:{other_rep.pk}", "version": 1}, format="json")
    unchecked = client.post(f"{detail(lead)}change-owner/", {"owner": f"user:{other_rep.pk}"}, format="json")

    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2
    assert (unchecked.status_code, unchecked["X-Version-Check"]) == (200, "unchecked")
    assert Lead.objects.get(pk=lead.pk).owner_user == other_rep


def test_change_owner_with_the_current_version_is_checked(api, rep, other_rep):
    lead = lead_create(data={"last_name": "Ng", "company": "Acme"}, acting_user=rep)

    response = api.as_user(rep).post(
        f"{detail(lead)}change-owner/", {"owner": f"user:{other_rep.pk}", "version": 1}, format="json"
    )

    assert (response.status_code, response["X-Version-Check"]) == (200, "checked")


def test_change_owner_refuses_inactive_users(api, rep):
    gone = UserFactory(username="gone", is_active=False)
    lead = lead_create(data={"last_name": "Ng", "company": "Acme"}, acting_user=rep)

    response = api.as_user(rep).post(f"{detail(lead)}change-owner/", {"owner": f"user:{gone.pk}"}, format="json")

    assert response.status_code == 400


# History and notes -----------------------------------------------------------------------------


def test_history_lists_changes_newest_first(api, rep):
    lead = lead_create(data={"last_name": "Ng", "company": "Acme"}, acting_user=rep)
    lead = lead_update(lead=lead, data={"company": "Acme Ltd"}, acting_user=rep)

    body = api.as_user(rep).get(f"{detail(lead)}history/").json()

    assert [(r["field"], r["version"]) for r in body["results"]][:2] == [("company", 2), ("created", 1)]
    assert body["results"][0]["label"] == "Company"
    assert body["next"] is None


def test_notes_can_be_added_and_listed(api, rep):
    lead = lead_create(data={"last_name": "Ng", "company": "Acme"}, acting_user=rep)

    created = api.as_user(rep).post(
        f"{detail(lead)}notes/", {"title": "Call", "body": "<b>Spoke</b> to Ng"}, format="json"
    )
    listed = api.get(f"{detail(lead)}notes/").json()

    assert created.status_code == 201
    assert created.json()["created_by"]["id"] == rep.pk
    assert [n["body"] for n in listed["results"]] == ["<b>Spoke</b> to Ng"]


def test_blank_note_is_refused_with_the_service_message(api, rep):
    lead = lead_create(data={"last_name": "Ng", "company": "Acme"}, acting_user=rep)

    response = api.as_user(rep).post(f"{detail(lead)}notes/", {"body": "   "}, format="json")

    assert response.status_code == 400
    assert response.json() == {"body": ["Write something in the note."]}
    assert not LeadNote.objects.exists()


# Visibility ------------------------------------------------------------------------------------


@pytest.fixture
def private_lead(other_rep):
    return lead_create(data={"last_name": "Hidden", "company": "Secret Co"}, acting_user=other_rep)


def test_rep_does_not_list_another_reps_private_lead(api, rep, private_lead):
    mine = lead_create(data={"last_name": "Mine", "company": "Mine Co"}, acting_user=rep)

    ids = [row["id"] for row in api.as_user(rep).get(LIST).json()["results"]]

    assert ids == [mine.pk]


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("get", "", None),
        ("put", "", {"last_name": "X", "company": "Y"}),
        ("patch", "", {"title": "X"}),
        ("post", "change-owner/", {"owner": "user:1"}),
        ("get", "history/", None),
        ("get", "notes/", None),
        ("post", "notes/", {"body": "hi"}),
    ],
)
def test_another_reps_private_lead_is_a_404_everywhere(api, rep, private_lead, method, suffix, body):
    client = api.as_user(rep)

    response = getattr(client, method)(f"{detail(private_lead)}{suffix}", body, format="json")

    assert response.status_code == 404
    private_lead.refresh_from_db()
    assert (private_lead.version, private_lead.title) == (1, "")


def test_queue_members_see_their_queues_leads(api, rep, other_rep):
    queue = QueueFactory(name="Inbound")
    queue.members.add(rep)
    lead = LeadFactory(owner_user=None, owner_queue=queue, created_by=other_rep, last_modified_by=other_rep)

    response = api.as_user(rep).patch(detail(lead), {"title": "Picked"}, format="json")

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("put", "", {"last_name": "X", "company": "Y"}),
        ("patch", "", {"title": "X"}),
        ("post", "change-owner/", {"owner": "user:1"}),
        ("post", "notes/", {"body": "hi"}),
    ],
)
def test_public_read_only_lets_reps_read_but_not_edit(api, rep, private_lead, public_read_only, method, suffix, body):
    client = api.as_user(rep)
    assert client.get(detail(private_lead)).status_code == 200
    assert private_lead.pk in [row["id"] for row in client.get(LIST).json()["results"]]

    response = getattr(client, method)(f"{detail(private_lead)}{suffix}", body, format="json")

    assert response.status_code == 403
    private_lead.refresh_from_db()
    assert (private_lead.version, private_lead.title) == (1, "")


def test_public_read_write_lets_reps_edit(api, rep, private_lead, public_read_write):
    response = api.as_user(rep).patch(detail(private_lead), {"title": "Shared"}, format="json")

    assert response.status_code == 200


@pytest.mark.parametrize("admin", ["marketing_admin", "system_admin"])
def test_admins_see_and_edit_all_leads(api, request, private_lead, admin):
    user = request.getfixturevalue(admin)
    client = api.as_user(user)

    listed = [row["id"] for row in client.get(LIST).json()["results"]]
    response = client.patch(detail(private_lead), {"title": "Admin"}, format="json")

    assert listed == [private_lead.pk]
    assert response.status_code == 200


def test_converted_leads_are_left_out_of_the_list_and_open_only_for_those_allowed(api, rep, system_admin):
    lead = LeadFactory(owner_user=rep, is_converted=True, converted_at=timezone.now())

    assert api.as_user(rep).get(LIST).json()["results"] == []
    assert api.get(detail(lead)).status_code == 404
    assert api.as_user(system_admin).get(detail(lead)).status_code == 200


# Filters, search, ordering, paging -------------------------------------------------------------


@pytest.fixture
def listed(rep):
    base = timezone.now() - dt.timedelta(days=10)
    rows = [
        ("Ng", "Acme Corp", "New", "Website"),
        ("Okafor", "Acme Labs", "Working", "Trade Show"),
        ("Park", "Globex", "Working", "Website"),
        ("Quinn", "Initech", "Unqualified", "Webinar"),
        ("Ruiz", "Umbrella", "New", "Other"),
    ]
    leads = []
    for i, (last, company, status, source) in enumerate(rows):
        leads.append(
            LeadFactory(
                owner_user=rep,
                last_name=last,
                first_name="",
                company=company,
                status=status,
                lead_source=source,
                created_at=base + dt.timedelta(days=i),
                email=f"{last.lower()}@example.com",
            )
        )
    return leads


def _names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["last_name"] for row in response.json()["results"]]


def test_default_order_is_newest_first(api, rep, listed):
    assert _names(api.as_user(rep).get(LIST)) == ["Ruiz", "Quinn", "Park", "Okafor", "Ng"]


def test_list_views_match_the_browsers(api, rep, other_rep, listed):
    queue = QueueFactory(name="Inbound")
    queue.members.add(rep)
    LeadFactory(
        owner_user=None, owner_queue=queue, last_name="Queued", created_by=other_rep, last_modified_by=other_rep
    )
    client = api.as_user(rep)

    assert _names(client.get(LIST, {"view": "my"})) == ["Ruiz", "Quinn", "Park", "Okafor", "Ng"]
    assert _names(client.get(LIST, {"view": "queues"})) == ["Queued"]
    assert len(_names(client.get(LIST, {"view": "all"}))) == 6
    assert client.get(LIST, {"view": "everything"}).status_code == 400


def test_status_filter_takes_one_or_more_values(api, rep, listed):
    client = api.as_user(rep)

    assert _names(client.get(LIST, {"status": "Working"})) == ["Park", "Okafor"]
    assert _names(client.get(f"{LIST}?status=Working&status=Unqualified")) == ["Quinn", "Park", "Okafor"]


def test_unknown_filter_value_is_a_400(api, rep, listed):
    response = api.as_user(rep).get(LIST, {"status": "Nope"})

    assert response.status_code == 400
    assert "status" in response.json()


def test_search_is_a_prefix_match_on_name_company_and_email(api, rep, listed):
    client = api.as_user(rep)

    assert _names(client.get(LIST, {"search": "acme"})) == ["Okafor", "Ng"]
    assert _names(client.get(LIST, {"search": "cme"})) == []
    assert _names(client.get(LIST, {"search": "park@"})) == ["Park"]
    assert _names(client.get(LIST, {"q": "glob"})) == ["Park"]


def test_search_and_filters_combine(api, rep, listed):
    assert _names(api.as_user(rep).get(LIST, {"search": "acme", "status": "New"})) == ["Ng"]


def test_ordering(api, rep, listed):
    client = api.as_user(rep)

    assert _names(client.get(LIST, {"ordering": "company"})) == ["Ng", "Okafor", "Park", "Quinn", "Ruiz"]
    assert _names(client.get(LIST, {"ordering": "-name"})) == ["Ruiz", "Quinn", "Park", "Okafor", "Ng"]


def test_owner_filter(api, rep, other_rep, public_read_only, listed):
    other = LeadFactory(owner_user=other_rep, last_name="Zed")
    client = api.as_user(rep)

    assert _names(client.get(LIST, {"owner": f"user:{other_rep.pk}"})) == [other.last_name]
    assert client.get(LIST, {"owner": "someone"}).status_code == 400


def test_pages_have_a_next_link_and_no_count(api, rep, listed):
    client = api.as_user(rep)

    first = client.get(LIST, {"page_size": 2})
    second = client.get(first.json()["next"])
    last = client.get(second.json()["next"])

    assert "count" not in first.json()
    assert _names(first) == ["Ruiz", "Quinn"]
    assert first.json()["previous"] is None
    assert _names(second) == ["Park", "Okafor"]
    assert _names(last) == ["Ng"]
    assert last.json()["next"] is None
    assert last.json()["previous"].endswith("page=2&page_size=2") or "page=2" in last.json()["previous"]


def test_list_runs_no_count_and_no_query_per_row(api, rep, listed):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api.as_user(rep)
    client.get(LIST)  # the organisation settings row is created on first use
    with CaptureQueriesContext(connection) as few:
        client.get(LIST, {"page_size": 50})
    for i in range(20):
        LeadFactory(owner_user=rep, last_name=f"Extra{i}", created_by=None, last_modified_by=None)
    LeadFactory(owner_user=UserFactory(username="someone"), owner_queue=None)

    with CaptureQueriesContext(connection) as many:
        response = client.get(LIST, {"page_size": 50})

    assert len(response.json()["results"]) == 25
    assert len(many.captured_queries) == len(few.captured_queries) <= 15
    assert not any("COUNT(" in q["sql"].upper() for q in many.captured_queries)
