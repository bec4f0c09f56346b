"""URL fields, standard and custom, accept only http(s) web addresses through every path."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.fields import validate_web_address
from core.services import custom_field_create
from leads.models import Lead

pytestmark = pytest.mark.django_db

BAD = [
    "javascript:alert(1)",
    "JavaScript://x.com/%0Aalert(1)",
    "data:text/html,<b>x</b>",
    "ftp://x.com",
    "mailto:a@b.c",
]
GOOD = ["www.example.com", "https://example.com/path?q=1", "http://example.com:8080/", "example.com:8080"]


@pytest.mark.parametrize("value", BAD)
def test_other_schemes_are_refused(value):
    with pytest.raises(ValidationError):
        validate_web_address(value)


@pytest.mark.parametrize("value", GOOD)
def test_web_addresses_pass(value):
    validate_web_address(value)


@pytest.mark.parametrize("value", ["javascript:alert(1)", "ftp://files.example.com/"])
def test_lead_api_refuses_a_website_that_is_not_http(api, rep, value):
    response = api.as_user(rep).post(
        "/api/leads/", {"last_name": "Ng", "company": "Acme", "website": value}, format="json"
    )

    assert response.status_code == 400
    assert set(response.json()) == {"website"}
    assert not Lead.objects.exists()


def test_lead_api_keeps_a_bare_host(api, rep):
    response = api.as_user(rep).post(
        "/api/leads/", {"last_name": "Ng", "company": "Acme", "website": "www.acme.example"}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["website"] == "www.acme.example"


def test_custom_url_field_refuses_other_schemes_through_the_api(api, rep, marketing_admin):
    custom_field_create(object_name="lead", label="Portal", field_type="url", acting_user=marketing_admin)

    response = api.as_user(rep).post(
        "/api/leads/",
        {"last_name": "Ng", "company": "Acme", "custom_fields": {"Portal__c": "javascript:alert(1)"}},
        format="json",
    )

    assert response.status_code == 400
    assert "Portal__c" in str(response.json())


def test_account_api_refuses_a_javascript_website(api, rep):
    response = api.as_user(rep).post(
        "/api/accounts/", {"name": "Acme", "website": "javascript://acme.com/%0Aalert(1)"}, format="json"
    )

    assert response.status_code == 400
    assert set(response.json()) == {"website"}


def test_lead_form_shows_the_error_on_the_website_field(client, rep):
    client.force_login(rep)

    response = client.post(
        reverse("leads:create"),
        {
            "last_name": "Ng",
            "company": "Acme",
            "status": "New",
            "website": "javascript:alert(1)",
            "owner": f"user:{rep.pk}",
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors["website"]
    assert not Lead.objects.exists()
