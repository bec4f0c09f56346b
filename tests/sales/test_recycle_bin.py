"""Deleting accounts, contacts and opportunities to the Recycle Bin and restoring them."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from conversion.models import LeadConversion
from core.models import FieldHistory, RecycleBinEntry
from sales.models import Account, Contact, Opportunity, OpportunityContactRole, OpportunityLineItem
from sales.services import (
    account_delete,
    account_restore,
    contact_delete,
    contact_restore,
    opportunity_contact_role_add,
    opportunity_delete,
    opportunity_line_item_add,
    opportunity_restore,
)
from tests.factories import AccountFactory, ContactFactory, LeadFactory, OpportunityFactory, ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def deal(rep):
    account = AccountFactory(owner=rep, name="Stark Industries", billing_city="Malibu")
    contact = ContactFactory(account=account, owner=rep, first_name="Pepper", last_name="Potts")
    opportunity = OpportunityFactory(account=account, owner=rep, name="Stark - Reactors")
    opportunity_line_item_add(
        opportunity=opportunity, product=ProductFactory(name="Arc"), quantity=Decimal("2"), acting_user=rep
    )
    opportunity_contact_role_add(
        opportunity=opportunity, contact=contact, role="Decision Maker", is_primary=True, acting_user=rep
    )
    opportunity.refresh_from_db()
    return account, contact, opportunity


def test_an_opportunity_comes_back_with_its_products_contact_roles_amount_and_history(rep, deal):
    _, contact, opportunity = deal
    amount = opportunity.amount

    entry = opportunity_delete(opportunity=opportunity, acting_user=rep)

    assert not Opportunity.objects.filter(pk=opportunity.pk).exists()
    assert not OpportunityLineItem.objects.exists()
    assert not OpportunityContactRole.objects.exists()
    assert (entry.name, entry.detail, entry.owner_user) == ("Stark - Reactors", "Stark Industries", rep)

    restored = opportunity_restore(entry=entry, acting_user=rep)

    assert restored.pk == opportunity.pk
    assert Opportunity.objects.get(pk=opportunity.pk).amount == amount
    assert OpportunityLineItem.objects.get().opportunity_id == opportunity.pk
    role = OpportunityContactRole.objects.get()
    assert (role.contact_id, role.role, role.is_primary) == (contact.pk, "Decision Maker", True)
    fields = set(
        FieldHistory.objects.filter(object_name="opportunity", record_id=opportunity.pk).values_list(
            "field_name", flat=True
        )
    )
    assert {"deleted", "restored"} <= fields
    assert not RecycleBinEntry.objects.exists()


def test_an_account_with_opportunities_is_not_deleted(rep, deal):
    account, _, _ = deal

    with pytest.raises(ValidationError, match="This account has 1 opportunity"):
        account_delete(account=account, acting_user=rep)

    assert Account.objects.filter(pk=account.pk).exists()
    assert not RecycleBinEntry.objects.exists()


def test_an_account_gives_its_contacts_and_lead_conversions_back_when_restored(rep, deal):
    account, contact, opportunity = deal
    lead = LeadFactory(owner_user=rep, is_converted=True, converted_at=timezone.now())
    conversion = LeadConversion.objects.create(
        lead=lead, account=account, contact=contact, converted_status="Qualified", converted_at=timezone.now()
    )
    opportunity_delete(opportunity=opportunity, acting_user=rep)

    entry = account_delete(account=account, acting_user=rep)

    contact.refresh_from_db()
    conversion.refresh_from_db()
    assert (contact.account_id, conversion.account_id) == (None, None)

    account_restore(entry=entry, acting_user=rep)

    contact.refresh_from_db()
    conversion.refresh_from_db()
    assert (contact.account_id, conversion.account_id) == (account.pk, account.pk)


def test_an_opportunity_whose_account_is_gone_asks_for_the_account_first(rep, deal):
    account, _, opportunity = deal
    opportunity_entry = opportunity_delete(opportunity=opportunity, acting_user=rep)
    account_entry = account_delete(account=account, acting_user=rep)

    with pytest.raises(ValidationError, match=r"its account was deleted\. Restore that first"):
        opportunity_restore(entry=opportunity_entry, acting_user=rep)
    assert RecycleBinEntry.objects.count() == 2

    account_restore(entry=account_entry, acting_user=rep)
    opportunity_restore(entry=opportunity_entry, acting_user=rep)
    assert Opportunity.objects.get(pk=opportunity.pk).account_id == account.pk


def test_a_contact_role_deleted_with_a_contact_and_an_opportunity_comes_back_once(rep, deal):
    _, contact, opportunity = deal
    contact_entry = contact_delete(contact=contact, acting_user=rep)
    opportunity_entry = opportunity_delete(opportunity=opportunity, acting_user=rep)

    # The role went with the contact; the opportunity comes back first, without it.
    opportunity_restore(entry=opportunity_entry, acting_user=rep)
    assert not OpportunityContactRole.objects.exists()
    contact_restore(entry=contact_entry, acting_user=rep)

    assert OpportunityContactRole.objects.get().contact_id == contact.pk
    assert Contact.objects.get(pk=contact.pk).account_id is not None


def test_only_the_owner_or_an_admin_deletes_and_restores(rep, other_rep, marketing_admin, deal):
    _, contact, _ = deal

    with pytest.raises(PermissionError):
        contact_delete(contact=contact, acting_user=other_rep)
    entry = contact_delete(contact=contact, acting_user=marketing_admin)
    with pytest.raises(ValidationError, match="no longer in your Recycle Bin"):
        contact_restore(entry=entry, acting_user=other_rep)

    contact_restore(entry=entry, acting_user=rep)
    assert Contact.objects.filter(pk=contact.pk).exists()


# Pages and API ----------------------------------------------------------------------------------


def test_record_page_delete_asks_then_moves_the_record_to_the_bin(client, rep, other_rep, deal):
    account, contact, opportunity = deal
    client.force_login(rep)

    account_page = client.get(reverse("sales:account_delete", args=[account.pk])).content.decode()
    assert (
        'data-testid="delete-record"' in client.get(reverse("sales:contact_detail", args=[contact.pk])).content.decode()
    )
    response = client.post(reverse("sales:contact_delete", args=[contact.pk]), follow=True)
    client.force_login(other_rep)
    forbidden = client.get(reverse("sales:opportunity_delete", args=[opportunity.pk]))

    assert "This account has 1 opportunity" in account_page
    assert 'data-testid="confirm-delete"' not in account_page
    assert response.redirect_chain[-1][0] == reverse("sales:contact_list")
    assert "Contact “Pepper Potts” was moved to the Recycle Bin." in response.content.decode()
    assert forbidden.status_code == 403


def test_the_recycle_bin_page_restores_a_sales_record_to_its_page(client, rep, deal):
    _, _, opportunity = deal
    opportunity_delete(opportunity=opportunity, acting_user=rep)
    client.force_login(rep)

    page = client.get(reverse("core:recycle_bin"), {"object": "opportunity"}).content.decode()
    entry = RecycleBinEntry.objects.get()
    restored = client.post(reverse("core:recycle_bin_restore", args=[entry.pk]), follow=True)

    assert f'data-testid="bin-row-opportunity-{opportunity.pk}"' in page
    assert restored.redirect_chain[-1][0] == reverse("sales:opportunity_detail", args=[opportunity.pk])
    assert "Opportunity “Stark - Reactors” was restored." in restored.content.decode()


def test_api_deletes_and_restores_sales_records(api, rep, deal):
    account, _, opportunity = deal
    client = api.as_user(rep)

    refused = client.delete(f"/api/accounts/{account.pk}/")
    deleted = client.delete(f"/api/opportunities/{opportunity.pk}/")
    listed = client.get("/api/recycle-bin/", {"object": "opportunity"}).json()
    restored = client.post(f"/api/recycle-bin/{listed[0]['id']}/restore/")

    assert refused.status_code == 400
    assert "This account has 1 opportunity" in refused.json()["non_field_errors"][0]
    assert deleted.status_code == 204
    assert [(row["object"], row["record_id"]) for row in listed] == [("opportunity", opportunity.pk)]
    assert restored.json() == {"object": "opportunity", "record_id": opportunity.pk}
    assert client.get(f"/api/opportunities/{opportunity.pk}/").status_code == 200
