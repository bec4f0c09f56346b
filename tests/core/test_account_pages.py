"""The user's own pages: password reset by email and the API token list."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from core.models import ApiToken
from core.tokens import api_token_create

pytestmark = pytest.mark.django_db
PASSWORD = "demo-pass-123"


def _reset_link(message) -> str:
    return re.search(r"https?://\S+/password-reset/\S+/\S+/", message.body).group(0)


def test_login_page_links_to_the_password_reset(client):
    page = client.get(reverse("login")).content.decode()

    assert f'href="{reverse("password_reset")}"' in page


def test_a_reset_email_links_from_the_site_url_and_sets_a_new_password(client, rep, settings):
    settings.SITE_URL = "https://crm.example.com"
    rep.email = "riley@example.com"
    rep.save()
    api_token_create(user=rep)

    response = client.post(reverse("password_reset"), {"email": "riley@example.com"})

    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")
    [message] = mail.outbox
    assert message.to == ["riley@example.com"]
    link = _reset_link(message)
    assert link.startswith("https://crm.example.com/password-reset/")
    form = client.get(link.removeprefix("https://crm.example.com"), follow=True)
    assert form.context["validlink"]
    done = client.post(
        form.request["PATH_INFO"], {"new_password1": "brand-new-pass-789", "new_password2": "brand-new-pass-789"}
    )
    assert done.url == reverse("password_reset_complete")
    rep.refresh_from_db()
    assert rep.check_password("brand-new-pass-789")
    assert not ApiToken.objects.filter(user=rep).exists()


def test_an_unknown_address_gets_the_same_answer_and_no_email(client, rep):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.com"})

    assert response.url == reverse("password_reset_done")
    assert mail.outbox == []


def test_the_token_page_lists_creates_and_revokes_only_the_users_tokens(client, rep, other_rep):
    mine, _ = api_token_create(user=rep)
    theirs, _ = api_token_create(user=other_rep)
    client.force_login(rep)

    page = client.get(reverse("api_tokens")).content.decode()
    assert f"{mine.prefix}…" in page
    assert theirs.prefix not in page
    assert f'href="{reverse("api_tokens")}"' in page  # the user menu entry

    created = client.post(reverse("api_token_new")).content.decode()
    key = re.search(r'id="new-token-key" value="([0-9a-f]{40})"', created).group(1)
    assert ApiToken.objects.filter(user=rep, prefix=key[:8]).exists()

    assert client.post(reverse("api_token_revoke", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("api_token_revoke", args=[mine.pk])).status_code == 302
    assert set(ApiToken.objects.values_list("pk", flat=True)) == {theirs.pk, ApiToken.objects.get(user=rep).pk}
    assert ApiToken.objects.filter(pk=theirs.pk).exists()


def test_changing_the_password_keeps_the_session_and_ends_the_api_tokens(client, api, rep):
    _, key = api_token_create(user=rep)
    client.force_login(rep)
    assert f'href="{reverse("password_change")}"' in client.get(reverse("api_tokens")).content.decode()

    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "brand-new-pass-789", "new_password2": "brand-new-pass-789"},
    )

    assert response.url == reverse("password_change_done")
    assert client.get(reverse("api_tokens")).status_code == 200  # still signed in
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/leads/").status_code == 401
    assert not ApiToken.objects.filter(user=rep).exists()


def test_reset_requests_from_one_address_are_limited_per_hour(client, rep, settings):
    settings.PASSWORD_RESET_REQUESTS_PER_HOUR = 2
    rep.email = "riley@example.com"
    rep.save()

    answers = [
        client.post(reverse("password_reset"), {"email": "riley@example.com"}, REMOTE_ADDR="192.0.2.5")
        for _ in range(4)
    ]
    elsewhere = client.post(reverse("password_reset"), {"email": "riley@example.com"}, REMOTE_ADDR="192.0.2.6")

    assert {a.url for a in answers} == {elsewhere.url} == {reverse("password_reset_done")}
    assert len(mail.outbox) == 3
