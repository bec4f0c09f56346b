"""The convert page, its preview, the result page and the mapping setup page."""

from decimal import Decimal

import pytest
from django.urls import reverse

from conversion.models import LeadConversion, LeadFieldMapping
from core.services import custom_field_create
from leads.models import Lead
from sales import services as sales_services
from sales.models import Account, Contact, Opportunity


def _post(lead, rep, product=None, **overrides):
    data = {
        "account": "new",
        "contact": "new",
        "opportunity_name": "Acme Corp-",
        "close_date": "2030-06-30",
        "stage": "Prospecting",
        "owner": str(rep.pk),
        "converted_status": "Qualified",
        "products-TOTAL_FORMS": "3",
        "products-INITIAL_FORMS": "0",
        "products-MIN_NUM_FORMS": "0",
        "products-MAX_NUM_FORMS": "20",
        "action": "convert",
    }
    if product is not None:
        data.update({"products-0-product": str(product.pk), "products-0-quantity": "2"})
    data.update(overrides)
    return data


def test_convert_page_prefills_defaults_and_suggests_matching_accounts(client, lead, rep):
    match = sales_services.account_create(data={"name": "Acme Corp"}, acting_user=rep, owner=rep)
    client.force_login(rep)

    response = client.get(reverse("conversion:convert", args=[lead.pk]))

    assert response.status_code == 200
    body = response.content.decode()
    assert 'value="Acme Corp-"' in body
    assert f'id="account-{match.pk}"' in body
    assert "Create New Account" in body
    assert 'value="Qualified"' in body


def test_contact_suggestions_follow_the_chosen_account(client, lead, rep):
    account = sales_services.account_create(data={"name": "Acme Corp"}, acting_user=rep, owner=rep)
    contact = sales_services.contact_create(
        data={"last_name": "Archer", "first_name": "Ann", "email": "ann@acme-corp.example"},
        account=account,
        acting_user=rep,
        owner=rep,
    )
    client.force_login(rep)

    response = client.get(reverse("conversion:convert", args=[lead.pk]), {"part": "contacts", "account": account.pk})

    assert f'id="contact-{contact.pk}"' in response.content.decode()


def test_account_search_partial(client, lead, rep):
    other = sales_services.account_create(data={"name": "Zenith Systems"}, acting_user=rep, owner=rep)
    client.force_login(rep)

    response = client.get(reverse("conversion:convert", args=[lead.pk]), {"part": "accounts", "q": "zenith"})

    assert f'id="account-{other.pk}"' in response.content.decode()


def test_preview_partial_shows_new_values_and_filled_fields(client, lead, rep):
    account = sales_services.account_create(
        data={"name": "Acme Corp", "phone": "+44 20 0000"}, acting_user=rep, owner=rep
    )
    client.force_login(rep)

    response = client.post(
        reverse("conversion:convert", args=[lead.pk]),
        _post(lead, rep, account=str(account.pk), action="preview"),
        HTTP_HX_REQUEST="true",
    )

    body = response.content.decode()
    assert 'data-testid="convert-preview"' in body
    assert "existing: Acme Corp" in body
    assert "Fills an empty field" in body
    assert "Keeps its value" in body
    assert "Springfield" in body
    assert Account.objects.count() == 1
    assert not Lead.objects.get(pk=lead.pk).is_converted


def test_convert_page_converts_and_shows_the_result(client, lead, rep, product):
    client.force_login(rep)

    response = client.post(reverse("conversion:convert", args=[lead.pk]), _post(lead, rep, product), follow=True)

    conversion = LeadConversion.objects.get(lead=lead)
    assert response.redirect_chain[-1][0] == reverse("conversion:converted", args=[lead.pk])
    body = response.content.decode()
    assert "was converted" in body
    assert reverse("sales:account_detail", args=[conversion.account_id]) in body
    assert reverse("sales:opportunity_detail", args=[conversion.opportunity_id]) in body
    assert Opportunity.objects.get().amount == Decimal("200.00")


def test_convert_page_shows_what_to_fix_and_writes_nothing(client, lead, rep, marketing_admin):
    custom_field_create(
        object_name="contact", label="Buying Role", field_type="text", is_required=True, acting_user=marketing_admin
    )
    client.force_login(rep)

    response = client.post(reverse("conversion:convert", args=[lead.pk]), _post(lead, rep))

    assert response.status_code == 200
    body = response.content.decode()
    assert "The lead was not converted" in body
    assert "Buying Role" in body
    assert (Account.objects.count(), Contact.objects.count()) == (0, 0)


def test_convert_page_enforces_required_opportunity(client, lead, rep, opportunity_required):
    client.force_login(rep)

    page = client.get(reverse("conversion:convert", args=[lead.pk])).content.decode()
    response = client.post(reverse("conversion:convert", args=[lead.pk]), _post(lead, rep, no_opportunity="on"))

    assert "Required by Lead Settings" in page
    assert 'name="no_opportunity"' not in page
    assert "require an opportunity" in response.content.decode()
    assert not Account.objects.exists()


def test_convert_page_refuses_a_user_who_may_not_edit_the_lead(client, lead, other_rep, marketing_admin):
    from core.models import OrgSettings

    client.force_login(other_rep)
    assert client.get(reverse("conversion:convert", args=[lead.pk])).status_code == 404
    OrgSettings.objects.update_or_create(singleton=1, defaults={"lead_access": "public_read"})
    assert client.get(reverse("conversion:convert", args=[lead.pk])).status_code == 403
    assert client.post(reverse("conversion:convert", args=[lead.pk]), _post(lead, other_rep)).status_code == 403
    assert not Account.objects.exists()


def test_result_page_is_for_the_converter_and_converted_lead_viewers(client, lead, rep, other_rep, convert):
    convert(lead, rep)
    url = reverse("conversion:converted", args=[lead.pk])

    client.force_login(rep)
    assert client.get(url).status_code == 200
    client.force_login(other_rep)
    assert client.get(url).status_code == 404


# Mapping page --------------------------------------------------------------------------------------


def test_mapping_page_is_for_admins(client, rep, marketing_admin):
    client.force_login(rep)
    assert client.get(reverse("conversion:mapping")).status_code == 403

    client.force_login(marketing_admin)
    response = client.get(reverse("conversion:mapping"))

    assert response.status_code == 200
    body = response.content.decode()
    assert "Billing City" in body
    assert "Mailing Street" in body
    assert 'data-testid="compatibility"' in body


def test_mapping_page_adds_refuses_and_removes_mappings(client, marketing_admin):
    custom_field_create(object_name="lead", label="Region", field_type="text", acting_user=marketing_admin)
    custom_field_create(object_name="account", label="Region", field_type="text", acting_user=marketing_admin)
    custom_field_create(object_name="account", label="Head Count", field_type="number", acting_user=marketing_admin)
    client.force_login(marketing_admin)
    url = reverse("conversion:mapping")

    refused = client.post(url, {"lead_field": "Region__c", "target": "account:Head_Count__c"})
    added = client.post(url, {"lead_field": "Region__c", "target": "account:Region__c"}, follow=True)

    assert refused.status_code == 400
    assert "cannot be mapped to a Number field" in refused.content.decode()
    assert "Mapped Region to Account field Region" in added.content.decode()
    mapping = LeadFieldMapping.objects.get()
    client.post(reverse("conversion:mapping_delete", args=[mapping.pk]))
    assert not LeadFieldMapping.objects.exists()


@pytest.mark.django_db
def test_mapping_page_appears_in_the_setup_menu(client, marketing_admin):
    client.force_login(marketing_admin)

    body = client.get(reverse("conversion:mapping")).content.decode()

    assert "Conversion Mapping" in body


def test_an_old_link_to_a_converted_lead_leads_to_its_summary_with_links(client, lead, rep, marketing_admin, convert):
    conversion = convert(lead, marketing_admin, owner_id=rep.pk)
    client.force_login(rep)  # owns the lead, may not open converted leads

    response = client.get(reverse("leads:detail", args=[lead.pk]), follow=True)

    assert response.redirect_chain == [(reverse("conversion:converted", args=[lead.pk]), 302)]
    body = response.content.decode()
    assert reverse("sales:account_detail", args=[conversion.account_id]) in body
    assert reverse("sales:contact_detail", args=[conversion.contact_id]) in body
    assert reverse("sales:opportunity_detail", args=[conversion.opportunity_id]) in body


def test_an_old_link_to_a_converted_lead_not_shared_with_the_user_stays_not_found(
    client, lead, rep, other_rep, convert
):
    convert(lead, rep)
    client.force_login(other_rep)

    assert client.get(reverse("leads:detail", args=[lead.pk])).status_code == 404
    assert client.get(reverse("conversion:converted", args=[lead.pk])).status_code == 404


def test_the_summary_links_only_records_the_user_may_read(client, lead, rep, convert, monkeypatch):
    conversion = convert(lead, rep)
    monkeypatch.setattr(
        "conversion.views.sales_selectors.opportunities_visible_to", lambda user: Opportunity.objects.none()
    )
    client.force_login(rep)

    body = client.get(reverse("conversion:converted", args=[lead.pk])).content.decode()

    assert reverse("sales:account_detail", args=[conversion.account_id]) in body
    assert reverse("sales:opportunity_detail", args=[conversion.opportunity_id]) not in body
    assert "Not shared with you" in body
