import pytest
from django.contrib.auth.models import AnonymousUser

from sales.selectors import (
    account_matches,
    accounts_visible_to,
    contact_matches,
    domain_of,
    opportunities_visible_to,
    record_is_editable_by,
)
from tests.factories import AccountFactory, ContactFactory, OpportunityFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("raw", "domain"),
    [
        ("https://www.acme.com/x", "acme.com"),
        ("www.Acme.com", "acme.com"),
        ("acme.com", "acme.com"),
        ("jo@acme.com", "acme.com"),
        ("http://shop.acme.co.uk:8080/path?q=1", "shop.acme.co.uk"),
        ("not a website", ""),
        ("", ""),
    ],
)
def test_domain_of(raw, domain):
    assert domain_of(raw) == domain


def test_every_user_reads_but_only_owner_and_admins_edit(rep, other_rep, marketing_admin):
    account = AccountFactory(owner=other_rep)

    assert list(accounts_visible_to(rep)) == [account]
    assert not record_is_editable_by(account, rep)
    assert record_is_editable_by(account, other_rep)
    assert record_is_editable_by(account, marketing_admin)
    assert not accounts_visible_to(AnonymousUser()).exists()


def test_account_matches_by_name_exact_prefix_and_contains(rep):
    exact = AccountFactory(name="Acme")
    prefix = AccountFactory(name="ACME Holdings")
    contains = AccountFactory(name="The Acme Group")
    AccountFactory(name="Globex")

    assert account_matches(user=rep, name="acme") == [exact, prefix, contains]


def test_account_matches_by_website_and_email_domain(rep):
    by_site = AccountFactory(name="Umbrella", website_domain="umbrella.com")
    by_contact = AccountFactory(name="Initech")
    ContactFactory(account=by_contact, email="peter@initech.com")
    AccountFactory(name="Not umbrella", website_domain="notumbrella.com")

    assert account_matches(user=rep, name="", website="https://www.umbrella.com/about") == [by_site]
    assert account_matches(user=rep, name="Nothing alike", email="bill@initech.com") == [by_contact]
    assert account_matches(user=rep, name="Zzz", email="someone@gmail.com") == []


def test_contact_matches_by_email_then_name(rep):
    account = AccountFactory()
    jo = ContactFactory(account=account, first_name="Jo", last_name="Ng", email="jo@acme.com")
    namesake = ContactFactory(account=account, first_name="jo", last_name="NG", email="other@acme.com")
    ContactFactory(first_name="Jo", last_name="Ng", email="jo@acme.com")  # another account

    assert contact_matches(user=rep, account=account, email="JO@acme.com") == [jo]
    assert contact_matches(user=rep, account=account, email="new@acme.com", first_name="Jo", last_name="Ng") == [
        jo,
        namesake,
    ]
    assert contact_matches(user=rep, account=account) == []


def test_opportunities_visible_to_any_signed_in_user():
    opp = OpportunityFactory()
    reader = UserFactory(role="Sales rep")

    assert list(opportunities_visible_to(reader)) == [opp]
