"""Business rules of the sales services hold whichever way a write arrives: the API answers 400 with
the field error, the page shows the same message, and the database backs case-insensitive
uniqueness when two writes pass the friendly check together."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from core import record_types as core_record_types
from core.roles import SALES_REP
from sales.models import Opportunity, OpportunityContactRole, Product, RecordType, RecordTypeDefault
from sales.services import (
    opportunity_contact_role_add,
    opportunity_create,
    product_create,
    product_update,
    record_type_create,
    record_type_default_set,
    record_type_update,
)
from sales.services import products as product_services
from tests.factories import AccountFactory, ContactFactory, OpportunityFactory, ProductFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(rep):
    client = APIClient()
    client.force_authenticate(rep)
    return client


@pytest.fixture
def admin_api(marketing_admin):
    client = APIClient()
    client.force_authenticate(marketing_admin)
    return client


@pytest.fixture
def deal_and_stranger(rep):
    """An opportunity of Stark Industries and a contact of another account."""
    stark = AccountFactory(owner=rep, name="Stark Industries")
    opportunity = OpportunityFactory(account=stark, owner=rep, name="Stark - Reactors")
    stranger = ContactFactory(
        account=AccountFactory(owner=rep, name="Wayne Enterprises"), first_name="Lucius", last_name="Fox"
    )
    return opportunity, stranger


# Contact roles: contacts of the opportunity's account only -------------------------------------

CROSS_ACCOUNT = "Lucius Fox is not a contact of Stark Industries, the opportunity's account."


def test_api_refuses_a_contact_role_for_a_contact_of_another_account(api, deal_and_stranger):
    opportunity, stranger = deal_and_stranger

    response = api.post(
        f"/api/opportunities/{opportunity.pk}/contact-roles/",
        {"contact": stranger.pk, "role": "Evaluator"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"contact": [CROSS_ACCOUNT]}
    assert not OpportunityContactRole.objects.filter(opportunity=opportunity).exists()


def test_page_shows_the_services_message_for_a_contact_of_another_account(client, rep, deal_and_stranger):
    opportunity, stranger = deal_and_stranger
    client.force_login(rep)

    response = client.post(
        reverse("sales:opportunity_contact_role_add", args=[opportunity.pk]),
        {"contact": stranger.pk, "role": "Evaluator"},
        follow=True,
    )

    assert [str(m) for m in response.context["messages"]] == [CROSS_ACCOUNT]
    assert not OpportunityContactRole.objects.filter(opportunity=opportunity).exists()


def test_contact_role_form_offers_only_the_contacts_of_the_account(client, rep, deal_and_stranger):
    opportunity, _stranger = deal_and_stranger
    ContactFactory(account=opportunity.account, first_name="Pepper", last_name="Potts")
    client.force_login(rep)

    form = client.get(reverse("sales:opportunity_detail", args=[opportunity.pk])).context["contact_role_form"]

    offered = [label for value, label in form.fields["contact"].widget.choices if value]
    assert offered == ["Pepper Potts"]


def test_a_primary_contact_of_another_account_is_refused_when_the_opportunity_is_created(rep, deal_and_stranger):
    opportunity, stranger = deal_and_stranger

    with pytest.raises(ValidationError) as caught:
        opportunity_create(
            data={"name": "Second deal", "close_date": dt.date(2030, 6, 30)},
            account=opportunity.account,
            primary_contact=stranger,
            acting_user=rep,
        )

    assert caught.value.message_dict == {"contact": [CROSS_ACCOUNT]}


def test_api_refuses_to_move_an_opportunity_away_from_the_account_of_its_contact_roles(api, rep, deal_and_stranger):
    opportunity, stranger = deal_and_stranger
    pepper = ContactFactory(account=opportunity.account, first_name="Pepper", last_name="Potts")
    opportunity_contact_role_add(opportunity=opportunity, contact=pepper, acting_user=rep)
    opportunity.refresh_from_db()

    response = api.patch(
        f"/api/opportunities/{opportunity.pk}/",
        {"account": stranger.account_id, "version": opportunity.version},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "account": ["The contact roles must be contacts of Wayne Enterprises: remove the roles of Pepper Potts first."]
    }
    moved = Opportunity.objects.get(pk=opportunity.pk)
    assert (moved.account_id, moved.version) == (opportunity.account_id, opportunity.version)


def test_an_opportunity_without_contact_roles_moves_to_another_account(api, deal_and_stranger):
    opportunity, stranger = deal_and_stranger

    response = api.patch(f"/api/opportunities/{opportunity.pk}/", {"account": stranger.account_id}, format="json")

    assert response.status_code == 200
    assert response.json()["account"] == stranger.account_id


# Default record types: for a role or an active user ---------------------------------------------


def test_a_default_record_type_is_set_only_for_a_role(marketing_admin):
    smb = record_type_create(object_name="opportunity", name="SMB", acting_user=marketing_admin)
    team = Group.objects.create(name="Friday team")

    with pytest.raises(ValidationError) as caught:
        record_type_default_set(object_name="opportunity", record_type=smb, group=team, acting_user=marketing_admin)

    assert list(caught.value.message_dict) == ["group"]
    assert not RecordTypeDefault.objects.exists()
    role = Group.objects.get(name=SALES_REP)
    assert (
        record_type_default_set(
            object_name="opportunity", record_type=smb, group=role, acting_user=marketing_admin
        ).group
        == role
    )


def test_an_inactive_user_gets_no_default_record_type(marketing_admin):
    smb = record_type_create(object_name="opportunity", name="SMB", acting_user=marketing_admin)
    gone = UserFactory(is_active=False)

    with pytest.raises(ValidationError) as caught:
        record_type_default_set(object_name="opportunity", record_type=smb, user=gone, acting_user=marketing_admin)

    assert list(caught.value.message_dict) == ["user"]
    assert not RecordTypeDefault.objects.exists()


# Case-insensitive uniqueness backed by the database --------------------------------------------


def test_api_refuses_a_product_code_that_differs_only_in_case(admin_api, marketing_admin):
    product_create(data={"name": "Seat", "product_code": "CRM-PRO", "list_price": "900"}, acting_user=marketing_admin)

    response = admin_api.post("/api/products/", {"name": "Seat 2", "product_code": "crm-pro", "list_price": "1"})

    assert response.status_code == 400
    assert response.json() == {"product_code": ["Another product has the code crm-pro."]}


def test_product_code_taken_after_the_check_gives_the_same_field_error(marketing_admin, monkeypatch):
    product_create(data={"name": "Seat", "product_code": "CRM-PRO", "list_price": "900"}, acting_user=marketing_admin)
    other = product_create(
        data={"name": "Support", "product_code": "SUP", "list_price": "1"}, acting_user=marketing_admin
    )
    # As if a concurrent request took the code between the check and the write.
    monkeypatch.setattr(product_services, "_code_in_use", lambda product: False)

    with pytest.raises(ValidationError) as created:
        product_create(
            data={"name": "Seat 2", "product_code": "crm-pro", "list_price": "1"}, acting_user=marketing_admin
        )
    with pytest.raises(ValidationError) as updated:
        product_update(product=other, data={"product_code": "Crm-Pro"}, acting_user=marketing_admin)

    assert created.value.message_dict == {"product_code": ["Another product has the code crm-pro."]}
    assert updated.value.message_dict == {"product_code": ["Another product has the code Crm-Pro."]}
    assert sorted(Product.objects.values_list("product_code", flat=True)) == ["CRM-PRO", "SUP"]


def test_products_without_a_code_do_not_collide(marketing_admin, monkeypatch):
    monkeypatch.setattr(product_services, "_code_in_use", lambda product: False)

    product_create(data={"name": "A", "list_price": "1"}, acting_user=marketing_admin)
    product_create(data={"name": "B", "list_price": "1"}, acting_user=marketing_admin)

    assert Product.objects.filter(product_code="").count() == 2


def test_api_refuses_a_record_type_name_that_differs_only_in_case(admin_api, marketing_admin):
    record_type_create(object_name="opportunity", name="SMB", acting_user=marketing_admin)

    response = admin_api.post("/api/record-types/", {"object_name": "opportunity", "name": "smb"}, format="json")

    assert response.status_code == 400
    assert response.json() == {"name": ["A record type named smb already exists for this object."]}


def test_record_type_name_taken_after_the_check_gives_the_same_field_error(marketing_admin, monkeypatch):
    record_type_create(object_name="opportunity", name="SMB", acting_user=marketing_admin)
    enterprise = record_type_create(object_name="opportunity", name="Enterprise", acting_user=marketing_admin)
    monkeypatch.setattr(core_record_types, "_name_in_use", lambda record_type: False)

    with pytest.raises(ValidationError) as created:
        record_type_create(object_name="opportunity", name="smb", acting_user=marketing_admin)
    with pytest.raises(ValidationError) as updated:
        record_type_update(record_type=enterprise, name="Smb", acting_user=marketing_admin)
    same_name_elsewhere = record_type_create(object_name="account", name="smb", acting_user=marketing_admin)

    assert created.value.message_dict == {"name": ["A record type named smb already exists for this object."]}
    assert updated.value.message_dict == {"name": ["A record type named Smb already exists for this object."]}
    assert same_name_elsewhere.object_name == "account"
    assert sorted(RecordType.objects.exclude(object_name="lead").values_list("object_name", "name")) == [
        ("account", "smb"),
        ("opportunity", "Enterprise"),
        ("opportunity", "SMB"),
    ]


# Opportunity products and fields: the service's rules answer through the API -------------------


def test_api_refuses_an_inactive_product_a_negative_price_and_no_quantity(api, rep):
    opportunity = OpportunityFactory(account=AccountFactory(owner=rep), owner=rep)
    retired = ProductFactory(is_active=False)
    active = ProductFactory(list_price=10)
    url = f"/api/opportunities/{opportunity.pk}/products/"

    inactive = api.post(url, {"product": retired.pk, "quantity": "1"}, format="json")
    negative = api.post(url, {"product": active.pk, "quantity": "1", "unit_price": "-1"}, format="json")
    zero = api.post(url, {"product": active.pk, "quantity": "0"}, format="json")

    assert (inactive.status_code, inactive.json()) == (
        400,
        {"product": ["This product is inactive and cannot be added."]},
    )
    assert (negative.status_code, negative.json()) == (400, {"unit_price": ["The sales price cannot be negative."]})
    assert (zero.status_code, zero.json()) == (400, {"quantity": ["The quantity must be greater than zero."]})
    assert not opportunity.line_items.exists()


def test_api_refuses_what_the_opportunity_form_refuses(api, rep):
    account = AccountFactory(owner=rep)
    base = {"name": "Deal", "account": account.pk, "close_date": "2030-01-01"}

    negative = api.post("/api/opportunities/", {**base, "amount": "-5"}, format="json")
    too_likely = api.post("/api/opportunities/", {**base, "probability": 101}, format="json")
    no_date = api.post("/api/opportunities/", {**base, "close_date": None}, format="json")

    assert (negative.status_code, negative.json()) == (400, {"amount": ["The amount cannot be negative."]})
    assert too_likely.status_code == 400
    assert list(too_likely.json()) == ["probability"]
    assert (no_date.status_code, no_date.json()) == (400, {"close_date": ["Enter a close date."]})
