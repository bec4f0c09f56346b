import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from core.models import PicklistValue
from sales.models import Account, Opportunity
from sales.services import record_type_create
from tests.factories import AccountFactory, ContactFactory, OpportunityFactory, ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(rep):
    client = APIClient()
    client.force_authenticate(rep)
    return client


def test_anonymous_requests_are_refused():
    assert APIClient().get("/api/accounts/").status_code in (401, 403)


def test_account_crud_through_services(api, rep):
    created = api.post(
        "/api/accounts/", {"name": "Acme", "website": "https://www.acme.com", "industry": "Banking"}, format="json"
    )

    assert created.status_code == 201
    body = created.json()
    assert (body["owner"], body["website_domain"], body["version"]) == (rep.pk, "acme.com", 1)
    updated = api.patch(f"/api/accounts/{body['id']}/", {"phone": "555", "version": 1}, format="json")
    assert updated.status_code == 200
    assert updated.json()["version"] == 2
    listing = api.get("/api/accounts/", {"q": "ac"})
    assert [row["name"] for row in listing.json()["results"]] == ["Acme"]
    assert "count" not in listing.json()
    history = api.get(f"/api/accounts/{body['id']}/history/").json()
    assert {row["field_name"] for row in history} >= {"created", "phone"}


def test_account_errors_are_400_with_field_errors(api):
    response = api.post(
        "/api/accounts/", {"name": "", "rating": "Lukewarm", "annual_revenue": "x", "bogus": 1}, format="json"
    )

    assert response.status_code == 400
    assert set(response.json()) == {"bogus"}
    response = api.post("/api/accounts/", {"name": "", "rating": "Lukewarm", "annual_revenue": "x"}, format="json")
    assert set(response.json()) >= {"name", "rating", "annual_revenue"}
    assert Account.objects.count() == 0
    assert api.post("/api/accounts/", ["not", "an", "object"], format="json").status_code == 400
    assert api.post("/api/accounts/", {"name": "A", "owner": 999999}, format="json").status_code == 400


def test_stale_version_is_409_and_other_reps_record_is_403(api, rep, other_rep):
    mine = AccountFactory(owner=rep, version=2)
    theirs = AccountFactory(owner=other_rep)

    stale = api.patch(f"/api/accounts/{mine.pk}/", {"phone": "1", "version": 1}, format="json")
    forbidden = api.patch(f"/api/accounts/{theirs.pk}/", {"phone": "1"}, format="json")

    assert stale.status_code == 409
    assert forbidden.status_code == 403
    assert api.get(f"/api/accounts/{theirs.pk}/").status_code == 200


def test_contact_and_opportunity_creation_with_account(api, rep):
    account = AccountFactory(owner=rep)

    contact = api.post(
        "/api/contacts/", {"last_name": "Ng", "account": account.pk, "email": "ng@acme.com"}, format="json"
    )
    missing_account = api.post("/api/opportunities/", {"name": "Deal", "close_date": "2030-01-01"}, format="json")
    opp = api.post(
        "/api/opportunities/",
        {"name": "Deal", "close_date": "2030-01-01", "account": account.pk, "stage": "Qualification"},
        format="json",
    )

    assert contact.status_code == 201
    assert contact.json()["account"] == account.pk
    assert missing_account.status_code == 400
    assert "account" in missing_account.json()
    assert opp.status_code == 201
    assert (opp.json()["stage"], opp.json()["probability"]) == ("Qualification", 20)
    no_date = api.post("/api/opportunities/", {"name": "Deal", "account": account.pk}, format="json")
    assert no_date.json()["close_date"] == ["Enter a close date."]
    assert api.get("/api/contacts/", {"account": account.pk}).json()["results"][0]["last_name"] == "Ng"


def test_opportunity_products_and_contact_roles(api, rep):
    account = AccountFactory(owner=rep)
    opp = OpportunityFactory(account=account, owner=rep)
    product = ProductFactory(list_price=40)
    contact = ContactFactory(account=account)

    added = api.post(f"/api/opportunities/{opp.pk}/products/", {"product": product.pk, "quantity": "2"}, format="json")
    bad = api.post(f"/api/opportunities/{opp.pk}/products/", {"product": product.pk, "quantity": "0"}, format="json")
    role = api.post(
        f"/api/opportunities/{opp.pk}/contact-roles/",
        {"contact": contact.pk, "role": "Evaluator", "is_primary": True},
        format="json",
    )

    assert added.status_code == 201
    assert added.json()["total_price"] == "80.00"
    assert bad.status_code == 400
    assert "quantity" in bad.json()
    assert role.status_code == 201
    assert Opportunity.objects.get(pk=opp.pk).amount == 80
    item_id = added.json()["id"]
    changed = api.patch(
        f"/api/opportunities/{opp.pk}/products/{item_id}/", {"quantity": "3", "unit_price": "10"}, format="json"
    )
    assert changed.json()["total_price"] == "30.00"
    assert api.get(f"/api/opportunities/{opp.pk}/").json()["amount"] == "30.00"
    assert len(api.get(f"/api/opportunities/{opp.pk}/products/").json()) == 1
    assert api.delete(f"/api/opportunities/{opp.pk}/products/{item_id}/").status_code == 204
    assert api.delete(f"/api/opportunities/{opp.pk}/contact-roles/{role.json()['id']}/").status_code == 204


def test_rep_cannot_add_products_to_another_reps_opportunity(api, other_rep):
    opp = OpportunityFactory(account=AccountFactory(owner=other_rep), owner=other_rep)

    response = api.post(f"/api/opportunities/{opp.pk}/products/", {"product": ProductFactory().pk, "quantity": 1})

    assert response.status_code == 403


def test_products_and_record_types_are_admin_writes(api, marketing_admin):
    assert api.post("/api/products/", {"name": "X", "list_price": "1"}, format="json").status_code == 403
    admin = APIClient()
    admin.force_authenticate(marketing_admin)

    product = admin.post("/api/products/", {"name": "X", "product_code": "X1", "list_price": "1"}, format="json")
    duplicate = admin.post("/api/products/", {"name": "Y", "product_code": "x1", "list_price": "-1"}, format="json")
    stage = PicklistValue.objects.get(object_name="opportunity", field_name="stage", api_name="Qualification")
    record_type = admin.post(
        "/api/record-types/",
        {"object_name": "opportunity", "name": "SMB", "picklist_values": [stage.pk]},
        format="json",
    )

    assert product.status_code == 201
    assert duplicate.status_code == 400
    assert set(duplicate.json()) == {"product_code", "list_price"}
    assert record_type.status_code == 201
    assert record_type.json()["picklist_values"] == [stage.pk]
    assert api.get("/api/record-types/", {"object_name": "opportunity"}).json()["results"][0]["name"] == "SMB"
    assert api.get("/api/products/").json()["results"][0]["name"] == "X"


def test_record_type_picklist_subset_is_enforced_by_api(api, rep, marketing_admin):
    stage = PicklistValue.objects.get(object_name="opportunity", field_name="stage", api_name="Qualification")
    smb = record_type_create(
        object_name="opportunity", name="SMB", picklist_values=[stage], acting_user=marketing_admin
    )
    account = AccountFactory(owner=rep)

    response = api.post(
        "/api/opportunities/",
        {"name": "D", "account": account.pk, "close_date": "2030-01-01", "record_type": smb.pk, "stage": "Closed Won"},
        format="json",
    )

    assert response.status_code == 400
    assert "stage" in response.json()


def test_schema_builds(api):
    response = api.get(reverse("api-schema"))

    assert response.status_code == 200
    assert b"/api/opportunities/{id}/products/" in response.content
