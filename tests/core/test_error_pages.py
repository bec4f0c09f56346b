"""403, 404 and 500 pages use the app's layout and say what to do next (production: DEBUG off)."""

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.views.defaults import server_error


@pytest.fixture(autouse=True)
def _production(settings):
    settings.DEBUG = False


def test_not_found_page_has_the_layout_and_next_steps(client, rep):
    client.force_login(rep)

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    body = response.content.decode()
    assert 'class="navbar' in body
    assert 'data-testid="user-menu"' in body
    assert "Page not found" in body
    assert "Recycle Bin" in body
    assert f'href="{reverse("home")}"' in body


def test_not_found_page_for_a_visitor_offers_the_home_page(client, db):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert 'data-testid="user-menu"' not in response.content.decode()


def test_forbidden_page_says_why_and_whom_to_ask(client, rep):
    client.force_login(rep)

    response = client.get(reverse("conversion:mapping"))

    assert response.status_code == 403
    body = response.content.decode()
    assert 'data-testid="user-menu"' in body
    assert "Only marketing and system admins may change the setup." in body
    assert "owner or an administrator" in body


def test_server_error_page_renders_without_a_database_or_request_context():
    # No db fixture: any database access here fails the test.
    response = server_error(RequestFactory().get("/leads/"))

    assert response.status_code == 500
    body = response.content.decode()
    assert "Something went wrong" in body
    assert "/static/css/app.css" in body
    assert "tell your administrator" in body
