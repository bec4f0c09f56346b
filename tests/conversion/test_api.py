"""POST /api/leads/{id}/convert/ and POST /api/leads/convert/ (bulk)."""

import pytest
from rest_framework.test import APIClient

from conversion.models import LeadConversion
from core.services import custom_field_create
from leads.models import Lead
from sales import services as sales_services
from sales.models import Account, Contact, Opportunity
from tests.factories import LeadFactory


@pytest.fixture
def api(rep):
    client = APIClient()
    client.force_authenticate(rep)
    return client


def test_convert_answers_the_ids_it_produced(api, lead, product):
    response = api.post(
        f"/api/leads/{lead.pk}/convert/",
        {
            "opportunity_name": "Acme - 10 seats",
            "close_date": "2030-03-31",
            "stage": "Qualification",
            "products": [{"product": product.pk, "quantity": "10", "unit_price": "95.50"}],
            "converted_status": "Qualified",
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    conversion = LeadConversion.objects.get(lead=lead)
    assert (body["account"], body["contact"], body["opportunity"]) == (
        conversion.account_id,
        conversion.contact_id,
        conversion.opportunity_id,
    )
    opportunity = Opportunity.objects.get(pk=body["opportunity"])
    assert (opportunity.name, opportunity.stage, str(opportunity.amount)) == (
        "Acme - 10 seats",
        "Qualification",
        "955.00",
    )


def test_convert_into_existing_account_and_contact_without_opportunity(api, lead, rep):
    account = sales_services.account_create(data={"name": "Acme Corp"}, acting_user=rep, owner=rep)
    contact = sales_services.contact_create(data={"last_name": "Archer"}, account=account, acting_user=rep, owner=rep)

    response = api.post(
        f"/api/leads/{lead.pk}/convert/",
        {"account": account.pk, "contact": contact.pk, "create_opportunity": False},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["opportunity"] is None
    assert response.json()["account_created"] is False
    assert (Account.objects.count(), Contact.objects.count()) == (1, 1)


def test_convert_errors_are_a_400_and_nothing_is_written(api, lead, marketing_admin):
    custom_field_create(
        object_name="contact", label="Buying Role", field_type="text", is_required=True, acting_user=marketing_admin
    )

    response = api.post(f"/api/leads/{lead.pk}/convert/", {"stage": "Nope", "owner": 999999}, format="json")

    assert response.status_code == 400
    assert set(response.json()) >= {"stage", "owner"}
    second = api.post(f"/api/leads/{lead.pk}/convert/", {}, format="json")
    assert second.status_code == 400
    assert "Buying Role" in " ".join(second.json()["contact"])
    assert not Account.objects.exists()
    assert not Lead.objects.get(pk=lead.pk).is_converted


def test_malformed_input_is_a_400(api, lead):
    response = api.post(
        f"/api/leads/{lead.pk}/convert/",
        {"close_date": "someday", "products": [{"product": "x", "quantity": -1}], "account": "abc"},
        format="json",
    )

    assert response.status_code == 400
    assert set(response.json()) >= {"close_date", "products", "account"}


def test_lead_the_user_may_not_see_is_a_404(api, other_rep):
    hidden = LeadFactory(owner_user=other_rep)

    assert api.post(f"/api/leads/{hidden.pk}/convert/", {}, format="json").status_code == 404


def test_opportunity_required_setting_is_enforced(api, lead, opportunity_required):
    response = api.post(f"/api/leads/{lead.pk}/convert/", {"create_opportunity": False}, format="json")

    assert response.status_code == 400
    assert "create_opportunity" in response.json()


def test_bulk_answers_a_result_per_lead(api, rep, other_rep):
    leads = [LeadFactory(owner_user=rep, company=f"Bulk {i}") for i in range(3)]
    hidden = LeadFactory(owner_user=other_rep)

    response = api.post(
        "/api/leads/convert/",
        {
            "leads": [
                {"id": leads[0].pk},
                {"id": leads[1].pk, "converted_status": "Working"},
                {"id": hidden.pk},
                {"id": leads[2].pk, "create_opportunity": False},
                {"id": leads[0].pk},
                {"id": "x"},
            ]
        },
        format="json",
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["converted"], body["failed"]) == (2, 4)
    results = body["results"]
    assert [r["success"] for r in results] == [True, False, False, True, False, False]
    assert results[0]["account"] == LeadConversion.objects.get(lead=leads[0]).account_id
    assert "converted_status" in results[1]["errors"]
    assert "lead" in results[2]["errors"]
    assert results[3]["opportunity"] is None
    assert results[4]["errors"]  # converted a moment ago: no longer open to this rep
    assert LeadConversion.objects.filter(lead=leads[0]).count() == 1
    assert "id" in results[5]["errors"]
    assert not Lead.objects.get(pk=leads[1].pk).is_converted


def test_bulk_refuses_more_than_100_leads(api, rep):
    response = api.post("/api/leads/convert/", {"leads": [{"id": i} for i in range(1, 102)]}, format="json")

    assert response.status_code == 400
    assert "at most 100" in str(response.json())
    assert api.post("/api/leads/convert/", {"leads": []}, format="json").status_code == 400
    assert api.post("/api/leads/convert/", [1, 2], format="json").status_code == 400


def test_bulk_route_is_not_taken_by_the_lead_detail_route(api):
    response = api.get("/api/leads/convert/")

    assert response.status_code == 405
