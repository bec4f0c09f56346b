import pytest
from django.urls import reverse

from core.models import ApiToken
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/auth/token/"


def test_token_for_good_credentials_opens_the_api(api, rep):
    response = api.post(TOKEN_URL, {"username": "rep", "password": "demo-pass-123"}, format="json")

    assert response.status_code == 200
    assert set(response.json()) == {"token", "expires_at"}
    assert ApiToken.objects.get(user=rep).prefix == response.json()["token"][:8]
    api.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert api.get("/api/leads/").status_code == 200


def test_each_request_issues_a_new_token_and_both_work(api, rep):
    # Only a hash of a key is stored, so a key cannot be handed out twice.
    first = api.post(TOKEN_URL, {"username": "rep", "password": "demo-pass-123"}, format="json").json()
    second = api.post(TOKEN_URL, {"username": "rep", "password": "demo-pass-123"}, format="json").json()

    assert first["token"] != second["token"]
    for key in (first["token"], second["token"]):
        api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        assert api.get("/api/leads/").status_code == 200


def test_bad_password_is_a_400_with_an_error_and_no_token(api, rep):
    response = api.post(TOKEN_URL, {"username": "rep", "password": "wrong"}, format="json")

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Unable to log in with the given username and password."]}
    assert not ApiToken.objects.exists()


def test_missing_fields_are_field_errors(api):
    response = api.post(TOKEN_URL, {"username": ""}, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"username", "password"}


def test_inactive_user_gets_no_token(api, rep):
    rep.is_active = False
    rep.save()

    response = api.post(TOKEN_URL, {"username": "rep", "password": "demo-pass-123"}, format="json")

    assert response.status_code == 400


def test_too_many_failures_for_an_account_are_throttled_even_with_the_right_password(api, rep, settings):
    settings.LOGIN_THROTTLE_ACCOUNT_LIMIT = 3
    for _ in range(3):
        assert api.post(TOKEN_URL, {"username": "rep", "password": "nope"}, format="json").status_code == 400

    response = api.post(TOKEN_URL, {"username": "rep", "password": "demo-pass-123"}, format="json")

    assert response.status_code == 429
    assert "Too many failed logins" in response.json()["detail"]
    assert "Retry-After" in response.headers
    assert not ApiToken.objects.exists()


def test_failures_from_one_address_are_throttled_across_accounts(api, rep, other_rep, settings):
    settings.LOGIN_THROTTLE_ADDRESS_LIMIT = 4
    for name in ("a", "b", "c", "d"):
        api.post(TOKEN_URL, {"username": name, "password": "x"}, format="json", REMOTE_ADDR="10.0.0.9")

    blocked = api.post(
        TOKEN_URL, {"username": "other", "password": "demo-pass-123"}, format="json", REMOTE_ADDR="10.0.0.9"
    )
    elsewhere = api.post(
        TOKEN_URL, {"username": "other", "password": "demo-pass-123"}, format="json", REMOTE_ADDR="10.0.0.10"
    )

    assert blocked.status_code == 429
    assert elsewhere.status_code == 200


def test_browser_login_failures_count_towards_the_api_throttle(client, api, rep, settings):
    settings.LOGIN_THROTTLE_ACCOUNT_LIMIT = 2
    for _ in range(2):
        client.post(reverse("login"), {"username": "rep", "password": "nope"})

    response = api.post(TOKEN_URL, {"username": "rep", "password": "demo-pass-123"}, format="json")

    assert response.status_code == 429


def test_anonymous_requests_are_refused(api):
    assert api.get("/api/leads/").status_code == 401


def test_wrong_token_is_refused(api, rep):
    api.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

    assert api.get("/api/leads/").status_code == 401


def test_session_login_also_works(client, rep):
    LeadFactory(owner_user=rep, company="Session Co")
    client.force_login(rep)

    response = client.get("/api/leads/")

    assert response.status_code == 200
    assert [row["company"] for row in response.json()["results"]] == ["Session Co"]
