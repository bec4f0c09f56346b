"""API tokens: stored as hashes, expiring, revoked at logout and at a password change, listed and
revoked by their owner, and throttled per token."""

import hashlib
import logging
from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import ApiToken
from core.tokens import api_token_create

pytestmark = pytest.mark.django_db

LEADS = "/api/leads/"


def _client(api, key):
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


def test_only_a_hash_of_the_key_is_stored(rep):
    token, key = api_token_create(user=rep)

    token.refresh_from_db()
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in {token.key_hash, token.prefix}
    assert token.expires_at - token.created_at == timedelta(days=90)


def test_an_expired_token_is_a_401(api, rep, settings):
    settings.API_TOKEN_TTL_DAYS = 1
    token, key = api_token_create(user=rep)
    assert _client(api, key).get(LEADS).status_code == 200

    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    response = _client(api, key).get(LEADS)
    assert response.status_code == 401
    assert response.json()["detail"] == "Invalid or expired token."


def test_logout_revokes_the_token_of_the_request_only(api, rep):
    _, key = api_token_create(user=rep)
    _, other_key = api_token_create(user=rep)

    assert _client(api, key).post("/api/auth/logout/").status_code == 204

    assert _client(api, key).get(LEADS).status_code == 401
    assert _client(api, other_key).get(LEADS).status_code == 200


def test_a_password_change_revokes_every_token(api, rep):
    _, key = api_token_create(user=rep)

    rep.set_password("a-new-pass-456")
    rep.save()

    assert _client(api, key).get(LEADS).status_code == 401
    assert not ApiToken.objects.filter(user=rep).exists()


def test_a_user_lists_and_revokes_only_their_own_tokens(api, rep, other_rep):
    mine, key = api_token_create(user=rep)
    older, _ = api_token_create(user=rep)
    theirs, _ = api_token_create(user=other_rep)
    client = _client(api, key)

    listed = client.get("/api/auth/tokens/").json()

    assert [row["id"] for row in listed] == [older.pk, mine.pk]
    assert [row["current"] for row in listed] == [False, True]
    assert set(listed[0]) == {"id", "prefix", "created_at", "last_used_at", "expires_at", "current"}
    assert listed[1]["last_used_at"] is not None
    assert client.delete(f"/api/auth/tokens/{theirs.pk}/").status_code == 404
    assert client.delete(f"/api/auth/tokens/{older.pk}/").status_code == 204
    assert set(ApiToken.objects.values_list("pk", flat=True)) == {mine.pk, theirs.pk}


def test_requests_are_throttled_per_token(api, rep, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"token": "3/min", "user": "3/min", "anon": "3/min"},
    }
    _, first = api_token_create(user=rep)
    _, second = api_token_create(user=rep)

    answers = [_client(api, first).get(LEADS).status_code for _ in range(4)]

    assert answers == [200, 200, 200, 429]
    assert "Retry-After" in _client(api, first).get(LEADS).headers
    assert _client(api, second).get(LEADS).status_code == 200


def test_the_throttle_lets_requests_through_when_the_cache_is_down(api, rep, settings, caplog):
    _, key = api_token_create(user=rep)
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }

    with caplog.at_level(logging.WARNING, logger="core.api.throttling"):
        response = _client(api, key).get(LEADS)

    assert response.status_code == 200
    assert "API throttle token unavailable" in caplog.text


def test_the_token_endpoints_are_in_the_schema(api, rep):
    schema = api.as_user(rep).get("/api/schema/?format=json").json()

    assert {"/api/auth/tokens/", "/api/auth/tokens/{id}/", "/api/auth/logout/"} <= set(schema["paths"])
