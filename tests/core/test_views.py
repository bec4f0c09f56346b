"""Setup pages: permissions, picklist actions (plain forms and htmx), fields, sharing, users."""

import pytest
from django.urls import reverse

from core import services
from core.models import FieldDefinition, OrgSettings, PicklistValue
from core.selectors import org_settings, picklist_default
from leads.models import Lead
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def _value(field_name: str, api_name: str, object_name: str = "lead") -> PicklistValue:
    return PicklistValue.objects.get(object_name=object_name, field_name=field_name, api_name=api_name)


def _setup_urls() -> list[tuple[str, str]]:
    value = _value("lead_source", "Website")
    return [
        ("get", reverse("core:picklist_list")),
        ("get", reverse("core:picklist_detail", args=["lead", "lead_source"])),
        ("post", reverse("core:picklist_value_create", args=["lead", "lead_source"])),
        ("get", reverse("core:picklist_value_edit", args=[value.pk])),
        ("post", reverse("core:picklist_value_edit", args=[value.pk])),
        ("post", reverse("core:picklist_value_move", args=[value.pk])),
        ("post", reverse("core:picklist_value_default", args=[value.pk])),
        ("post", reverse("core:picklist_value_active", args=[value.pk])),
        ("get", reverse("core:picklist_value_delete", args=[value.pk])),
        ("post", reverse("core:picklist_value_delete", args=[value.pk])),
        ("get", reverse("core:field_list")),
        ("get", reverse("core:field_detail", args=["lead", "company"])),
        ("get", reverse("core:field_edit", args=["lead", "company"])),
        ("post", reverse("core:field_edit", args=["lead", "company"])),
        ("get", reverse("core:field_create", args=["lead"])),
        ("post", reverse("core:field_create", args=["lead"])),
        ("get", reverse("core:sharing")),
        ("post", reverse("core:sharing")),
        ("get", reverse("users:user_list")),
    ]


# Permissions ----------------------------------------------------------------------------------


def test_rep_gets_403_on_every_setup_page(client, rep):
    client.force_login(rep)

    for method, url in _setup_urls():
        response = getattr(client, method)(url, {"label": "Hack", "lead_access": "public_read_write"})
        assert response.status_code == 403, (method, url)
    assert not PicklistValue.objects.filter(label="Hack").exists()
    assert org_settings().lead_access == OrgSettings.LeadAccess.PRIVATE


def test_anonymous_user_is_sent_to_login(client):
    for _method, url in _setup_urls():
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_marketing_admin_opens_picklists_and_fields_but_not_sharing_or_users(client, marketing_admin):
    client.force_login(marketing_admin)

    assert client.get(reverse("core:picklist_list")).status_code == 200
    assert client.get(reverse("core:field_list")).status_code == 200
    assert client.get(reverse("core:sharing")).status_code == 403
    assert client.get(reverse("users:user_list")).status_code == 403


def test_setup_menu_lists_the_pages_for_each_role(client, marketing_admin, system_admin):
    client.force_login(marketing_admin)
    page = client.get(reverse("core:picklist_list")).content.decode()
    assert reverse("core:field_list") in page
    assert reverse("core:sharing") not in page

    client.force_login(system_admin)
    page = client.get(reverse("core:picklist_list")).content.decode()
    assert reverse("core:sharing") in page
    assert reverse("users:user_list") in page


def test_home_login_and_logout_keep_their_plain_names():
    assert reverse("home") == "/"
    assert reverse("login") == "/login/"
    assert reverse("logout") == "/logout/"


# Picklist index and page -------------------------------------------------------------------


def test_picklist_index_lists_standard_and_custom_picklists(client, marketing_admin, django_assert_max_num_queries):
    services.custom_field_create(
        object_name="lead", label="Tier", field_type="picklist", picklist_values=["Gold"], acting_user=marketing_admin
    )
    client.force_login(marketing_admin)

    with django_assert_max_num_queries(12):
        response = client.get(reverse("core:picklist_list"))

    page = response.content.decode()
    for field in ("status", "lead_source", "rating", "industry", "salutation", "Tier__c"):
        assert reverse("core:picklist_detail", args=["lead", field]) in page


def test_picklist_page_shows_values_in_order_with_flags_and_record_counts(client, marketing_admin):
    LeadFactory(status="Working")
    LeadFactory(status="Working")
    client.force_login(marketing_admin)

    response = client.get(reverse("core:picklist_detail", args=["lead", "status"]))

    assert response.status_code == 200
    page = response.content.decode()
    assert page.index(">New<") < page.index(">Working<") < page.index(">Qualified<")
    assert ">Converted<" in page
    assert "Probability" not in page
    row = page[page.index('data-value="Working"') :]
    row = row[: row.index("</tr>")]
    assert '<td class="text-end">2</td>' in row
    assert "It is the default value of this picklist." in page


def test_picklist_page_without_flags_for_lead_source(client, marketing_admin):
    client.force_login(marketing_admin)

    page = client.get(reverse("core:picklist_detail", args=["lead", "lead_source"])).content.decode()

    assert ">Converted<" not in page


def test_unknown_picklist_is_404(client, marketing_admin):
    client.force_login(marketing_admin)

    assert client.get(reverse("core:picklist_detail", args=["lead", "company"])).status_code == 404
    assert client.get(reverse("core:picklist_detail", args=["spaceship", "status"])).status_code == 404


# Picklist actions -----------------------------------------------------------------------------


def test_add_value(client, marketing_admin):
    client.force_login(marketing_admin)

    response = client.post(
        reverse("core:picklist_value_create", args=["lead", "status"]),
        {"label": "Closed - Converted", "api_name": "", "is_converted": "on"},
        follow=True,
    )

    value = _value("status", "Closed - Converted")
    assert value.is_converted
    assert "Value “Closed - Converted” added to Lead Status." in response.content.decode()


def test_add_duplicate_value_shows_the_error(client, marketing_admin):
    client.force_login(marketing_admin)

    response = client.post(reverse("core:picklist_value_create", args=["lead", "lead_source"]), {"label": "Webinar"})

    assert response.status_code == 400
    assert "is already used in this picklist" in response.content.decode()


def test_relabel(client, marketing_admin):
    value = _value("rating", "Hot")
    client.force_login(marketing_admin)

    response = client.post(reverse("core:picklist_value_edit", args=[value.pk]), {"label": "Very hot"})

    assert response.status_code == 302
    value.refresh_from_db()
    assert (value.label, value.api_name) == ("Very hot", "Hot")


def test_move_with_a_plain_form_redirects(client, marketing_admin):
    cold = _value("rating", "Cold")
    client.force_login(marketing_admin)

    response = client.post(reverse("core:picklist_value_move", args=[cold.pk]), {"direction": "up"})

    assert response.status_code == 302
    assert list(
        PicklistValue.objects.filter(object_name="lead", field_name="rating")
        .order_by("sort_order")
        .values_list("api_name", flat=True)
    ) == ["Hot", "Cold", "Warm"]


def test_move_with_htmx_answers_the_values_table_and_keeps_focus(client, marketing_admin):
    cold = _value("rating", "Cold")
    client.force_login(marketing_admin)

    response = client.post(
        reverse("core:picklist_value_move", args=[cold.pk]), {"direction": "up"}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section class="crm-card" id="picklist-values"')
    assert f'id="move-up-{cold.pk}" aria-label="Move Cold up" title="Move up" autofocus' in html
    assert 'hx-swap-oob="true"' in html
    assert "“Cold” moved up." in html


def test_set_default_and_remove_it(client, marketing_admin):
    website = _value("lead_source", "Website")
    client.force_login(marketing_admin)

    client.post(reverse("core:picklist_value_default", args=[website.pk]))
    assert picklist_default(object_name="lead", field_name="lead_source") == "Website"

    client.post(reverse("core:picklist_value_default", args=[website.pk]), {"clear": "1"})
    assert picklist_default(object_name="lead", field_name="lead_source") is None


def test_deactivating_a_used_value_says_where_it_is_used(client, marketing_admin, picklist_usage):
    value = _value("lead_source", "Trade Show")
    picklist_usage.add(value, "Auto-response rule “Events”")
    client.force_login(marketing_admin)

    page = client.get(reverse("core:picklist_detail", args=["lead", "lead_source"])).content.decode()
    assert "Auto-response rule “Events”" in page

    response = client.post(reverse("core:picklist_value_active", args=[value.pk]), {"active": "0"}, follow=True)

    assert "cannot be deactivated while it is in use" in response.content.decode()
    value.refresh_from_db()
    assert value.is_active


def test_deactivate_and_activate(client, marketing_admin):
    value = _value("lead_source", "Other")
    client.force_login(marketing_admin)

    client.post(reverse("core:picklist_value_active", args=[value.pk]), {"active": "0"})
    value.refresh_from_db()
    assert not value.is_active

    client.post(reverse("core:picklist_value_active", args=[value.pk]), {"active": "1"})
    value.refresh_from_db()
    assert value.is_active


def test_delete_used_value_asks_for_a_replacement_and_moves_records(client, marketing_admin):
    leads = [LeadFactory(lead_source="Cold Call") for _ in range(2)]
    value = _value("lead_source", "Cold Call")
    replacement = _value("lead_source", "Phone Inquiry")
    client.force_login(marketing_admin)

    page = client.get(reverse("core:picklist_value_delete", args=[value.pk])).content.decode()
    assert "2 records" in page
    assert 'name="replacement"' in page

    response = client.post(reverse("core:picklist_value_delete", args=[value.pk]), {"replacement": ""})
    assert response.status_code == 400
    assert "choose a replacement value" in response.content.decode()

    response = client.post(
        reverse("core:picklist_value_delete", args=[value.pk]), {"replacement": str(replacement.pk)}, follow=True
    )
    assert "2 records now hold “Phone Inquiry”." in response.content.decode()
    assert set(Lead.objects.filter(pk__in=[lead.pk for lead in leads]).values_list("lead_source", flat=True)) == {
        "Phone Inquiry"
    }


def test_delete_page_of_a_value_in_use_explains_why_not(client, marketing_admin):
    client.force_login(marketing_admin)

    page = client.get(reverse("core:picklist_value_delete", args=[_value("status", "New").pk])).content.decode()

    assert "cannot be deleted while it is in use" in page
    assert "It is the default value of this picklist." in page
    assert "Delete value</button>" not in page


# Fields -----------------------------------------------------------------------------------------


def test_field_list_shows_standard_and_custom_fields_with_help_text(
    client, marketing_admin, django_assert_max_num_queries
):
    services.custom_field_create(
        object_name="lead",
        label="Budget",
        field_type="currency",
        help_text="Yearly budget.",
        acting_user=marketing_admin,
    )
    client.force_login(marketing_admin)

    with django_assert_max_num_queries(10):
        response = client.get(reverse("core:field_list"), {"object": "lead"})

    page = response.content.decode()
    assert "Budget__c" in page
    assert "Yearly budget." in page
    assert "The lead&#x27;s company; becomes the account name on conversion. Required." in page


def test_field_detail_shows_the_description(client, marketing_admin):
    services.custom_field_create(
        object_name="lead",
        label="Budget",
        field_type="currency",
        default_value="1000",
        requested_by="Finance team",
        purpose="Forecast the pipeline",
        description="Filled by reps after the first call.",
        acting_user=marketing_admin,
    )
    client.force_login(marketing_admin)

    page = client.get(reverse("core:field_detail", args=["lead", "Budget__c"])).content.decode()

    for text in (
        "Finance team",
        "Forecast the pipeline",
        "Filled by reps after the first call.",
        "1,000.00",
        "Currency",
    ):
        assert text in page


def test_create_custom_field_through_the_form(client, marketing_admin):
    client.force_login(marketing_admin)

    response = client.post(
        reverse("core:field_create", args=["lead"]),
        {
            "label": "Tier",
            "api_name": "",
            "field_type": "picklist",
            "picklist_values": "Gold\nSilver\n\nBronze",
            "default_value": "Silver",
            "help_text": "Customer tier.",
            "requested_by": "Account management",
            "purpose": "Route the best customers",
        },
    )

    assert response.status_code == 302
    assert response.url == reverse("core:field_detail", args=["lead", "Tier__c"])
    definition = FieldDefinition.objects.get(object_name="lead", api_name="Tier__c")
    assert definition.help_text == "Customer tier."
    assert picklist_default(object_name="lead", field_name="Tier__c") == "Silver"


def test_create_custom_field_shows_service_errors(client, marketing_admin):
    client.force_login(marketing_admin)

    response = client.post(
        reverse("core:field_create", args=["lead"]),
        {"label": "Seats", "field_type": "number", "default_value": "many", "api_name": "Company__c"},
    )
    services.custom_field_create(object_name="lead", label="Seats", field_type="number", acting_user=marketing_admin)
    duplicate = client.post(reverse("core:field_create", args=["lead"]), {"label": "seats", "field_type": "text"})

    assert response.status_code == 400
    assert "Enter a number." in response.content.decode()
    assert "already exists" in duplicate.content.decode()


def test_edit_standard_field_shows_only_texts(client, marketing_admin):
    client.force_login(marketing_admin)
    url = reverse("core:field_edit", args=["lead", "company"])

    page = client.get(url).content.decode()
    assert 'name="is_required"' not in page

    response = client.post(
        url,
        {"label": "Company", "help_text": "Legal name.", "requested_by": "Finance", "purpose": "", "description": ""},
    )

    assert response.status_code == 302
    assert FieldDefinition.objects.get(object_name="lead", api_name="company").help_text == "Legal name."


def test_edit_custom_field_changes_required_default_and_active(client, marketing_admin):
    services.custom_field_create(object_name="lead", label="Seats", field_type="number", acting_user=marketing_admin)
    client.force_login(marketing_admin)

    response = client.post(
        reverse("core:field_edit", args=["lead", "Seats__c"]),
        {"label": "Seats", "is_required": "on", "default_value": "5", "is_active": "on"},
    )

    assert response.status_code == 302
    definition = FieldDefinition.objects.get(object_name="lead", api_name="Seats__c")
    assert (definition.is_required, definition.default_value, definition.is_active) == (True, 5, True)


def test_new_custom_field_appears_on_the_lead_form_and_is_saved(client, marketing_admin):
    client.force_login(marketing_admin)
    client.post(
        reverse("core:field_create", args=["lead"]),
        {"label": "Preferred Contact Time", "field_type": "text", "help_text": "Mornings or afternoons?"},
    )

    form_page = client.get(reverse("leads:create")).content.decode()
    assert 'name="Preferred_Contact_Time__c"' in form_page
    assert "Mornings or afternoons?" in form_page

    response = client.post(
        reverse("leads:create"),
        {
            "last_name": "Lovelace",
            "company": "Analytical Engines",
            "status": "New",
            "owner": f"user:{marketing_admin.pk}",
            "Preferred_Contact_Time__c": "Mornings",
        },
    )

    assert response.status_code == 302
    lead = Lead.objects.get(last_name="Lovelace")
    assert lead.custom_fields["Preferred_Contact_Time__c"] == "Mornings"


# Sharing and users ------------------------------------------------------------------------------


def test_sharing_settings_explain_and_save(client, system_admin):
    client.force_login(system_admin)

    page = client.get(reverse("core:sharing")).content.decode()
    for label in ("Private", "Public Read Only", "Public Read/Write"):
        assert label in page
    assert "Every user can see every lead" in page

    response = client.post(reverse("core:sharing"), {"lead_access": "public_read"}, follow=True)

    assert org_settings().lead_access == "public_read"
    assert "Leads are now Public Read Only for all users." in response.content.decode()


def test_sharing_refuses_an_unknown_level(client, system_admin):
    client.force_login(system_admin)

    response = client.post(reverse("core:sharing"), {"lead_access": "everyone"})

    assert response.status_code == 400
    assert org_settings().lead_access == "private"


def test_opportunity_stage_page_shows_closed_won_and_probability(client, marketing_admin):
    client.force_login(marketing_admin)
    url = reverse("core:picklist_detail", args=["opportunity", "stage"])

    page = client.get(url).content.decode()
    for column in (">Closed<", ">Won<", ">Probability (%)<"):
        assert column in page
    assert ">Converted<" not in page
    assert 'name="probability"' in page

    response = client.post(
        reverse("core:picklist_value_create", args=["opportunity", "stage"]),
        {"label": "Contract Signed", "is_closed": "on", "is_won": "on", "probability": "100"},
    )
    assert response.status_code == 302
    value = _value("stage", "Contract Signed", object_name="opportunity")
    assert (value.is_closed, value.is_won, value.probability) == (True, True, 100)

    response = client.post(
        reverse("core:picklist_value_create", args=["opportunity", "stage"]), {"label": "Maybe", "probability": "150"}
    )
    assert response.status_code == 400
    assert not PicklistValue.objects.filter(object_name="opportunity", api_name="Maybe").exists()


def test_field_list_has_a_tab_per_object(client, marketing_admin):
    client.force_login(marketing_admin)

    page = client.get(reverse("core:field_list"), {"object": "account"}).content.decode()

    assert "Account Fields" in page
    assert "?object=lead" in page
    assert reverse("core:field_create", args=["account"]) in page
    assert client.get(reverse("core:field_list"), {"object": "spaceship"}).status_code == 404


def test_new_lead_starts_with_the_picklist_and_custom_field_defaults(client, marketing_admin):
    services.picklist_set_default(value=_value("lead_source", "Webinar"), acting_user=marketing_admin)
    services.custom_field_create(
        object_name="lead", label="Seats", field_type="number", default_value="25", acting_user=marketing_admin
    )
    client.force_login(marketing_admin)

    form = client.get(reverse("leads:create")).context["form"]

    assert form["lead_source"].value() == "Webinar"
    assert form["Seats__c"].value() == 25
