"""Login throttling: growing delays per (account, address) and per address, never an account lock,
and a login that keeps working when the cache (Redis) is down."""

import logging

import pytest
from django.urls import reverse

from core.auth import login_failed, login_wait

PASSWORD = "demo-pass-123"
pytestmark = pytest.mark.django_db


def _login(client, username, password, address):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


@pytest.fixture
def clock(monkeypatch):
    """The throttle's clock, moved by hand."""

    class Clock:
        now = 1_000_000.0

        def __call__(self):
            return self.now

    clock = Clock()
    monkeypatch.setattr("core.auth.time.time", clock)
    return clock


def test_delays_grow_with_each_failure_past_the_free_ones(settings, clock):
    settings.LOGIN_THROTTLE_ACCOUNT_LIMIT = 3
    settings.LOGIN_THROTTLE_ADDRESS_LIMIT = 100
    settings.LOGIN_THROTTLE_DELAY_SECONDS = 10
    settings.LOGIN_THROTTLE_MAX_DELAY_SECONDS = 35
    waits = []
    for _ in range(6):
        login_failed("rep", "192.0.2.1")
        waits.append(login_wait("rep", "192.0.2.1"))
        clock.now += 1000  # each next failure comes after the wait has passed

    assert waits == [0, 0, 10, 20, 35, 35]


def test_the_wait_ends_and_the_right_password_then_works(client, rep, settings, clock):
    settings.LOGIN_THROTTLE_ACCOUNT_LIMIT = 2
    settings.LOGIN_THROTTLE_DELAY_SECONDS = 30
    for _ in range(2):
        _login(client, "rep", "wrong", "192.0.2.2")
    assert "Try again in 30 seconds" in _login(client, "rep", PASSWORD, "192.0.2.2").content.decode()

    clock.now += 31

    assert _login(client, "rep", PASSWORD, "192.0.2.2").status_code == 302


def test_a_colleague_guessing_from_elsewhere_does_not_lock_the_owner_out(client, rep, settings):
    settings.LOGIN_THROTTLE_ACCOUNT_LIMIT = 5
    for _ in range(20):
        _login(client, "rep", "wrong", "198.51.100.66")
    assert login_wait("rep", "198.51.100.66") > 0

    response = _login(client, "rep", PASSWORD, "198.51.100.10")

    assert response.status_code == 302


def test_one_address_guessing_many_accounts_is_slowed_down(client, rep, settings):
    settings.LOGIN_THROTTLE_ADDRESS_LIMIT = 4
    for name in ("a", "b", "c", "d"):
        _login(client, name, "wrong", "203.0.113.5")

    blocked = _login(client, "rep", PASSWORD, "203.0.113.5")
    elsewhere = _login(client, "rep", PASSWORD, "203.0.113.6")

    assert "Too many failed logins" in blocked.content.decode()
    assert elsewhere.status_code == 302


def test_login_works_and_logs_when_the_cache_is_down(client, rep, settings, caplog):
    # A Redis nobody listens on: every cache call raises.
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }
    with caplog.at_level(logging.WARNING, logger="core.auth"):
        wrong = _login(client, "rep", "wrong", "192.0.2.9")
        right = _login(client, "rep", PASSWORD, "192.0.2.9")

    assert wrong.status_code == 200
    assert right.status_code == 302
    assert "_auth_user_id" in client.session
    assert "Login throttle unavailable" in caplog.text


def test_token_api_works_when_the_cache_is_down(api, rep, settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }

    response = api.post("/api/auth/token/", {"username": "rep", "password": PASSWORD}, format="json")

    assert response.status_code == 200


def test_ipv6_addresses_of_one_host_share_their_counter(settings):
    settings.LOGIN_THROTTLE_ADDRESS_LIMIT = 2
    login_failed("a", "2001:db8:1:2::10")
    login_failed("b", "2001:db8:1:2::99")

    assert login_wait("c", "2001:db8:1:2:abcd::1") > 0
    assert login_wait("c", "2001:db8:1:3::1") == 0
