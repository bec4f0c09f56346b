"""The client address behind trusted proxies: X-Forwarded-For is believed only from them."""

import pytest
from django.test import RequestFactory

from core.auth import client_address


def _request(remote, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = []

    assert client_address(_request("198.51.100.1", "203.0.113.9")) == "198.51.100.1"


def test_a_trusted_proxy_gives_the_forwarded_client(settings):
    settings.TRUSTED_PROXIES = ["172.16.0.0/12"]

    assert client_address(_request("172.18.0.5", "203.0.113.9")) == "203.0.113.9"


def test_an_untrusted_peer_cannot_forge_its_address(settings):
    settings.TRUSTED_PROXIES = ["172.16.0.0/12"]

    assert client_address(_request("198.51.100.1", "203.0.113.9")) == "198.51.100.1"


@pytest.mark.parametrize(
    ("forwarded", "client"),
    [
        # The visitor wrote a fake first hop; the proxy appended the real one.
        ("1.2.3.4, 203.0.113.9", "203.0.113.9"),
        # Two trusted proxies in a row are skipped.
        ("1.2.3.4, 203.0.113.9, 10.0.0.3", "203.0.113.9"),
        # Only trusted hops: the leftmost one is the best we know.
        ("10.0.0.4, 10.0.0.3", "10.0.0.4"),
        # Garbage stops the walk at the last trusted hop.
        ("203.0.113.9, not-an-address", "10.0.0.2"),
        ("[2001:db8::7]:443", "2001:db8::7"),
        ("203.0.113.9:5123", "203.0.113.9"),
        ("", "10.0.0.2"),
    ],
)
def test_the_header_is_walked_from_the_right(settings, forwarded, client):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "127.0.0.1"]

    assert client_address(_request("10.0.0.2", forwarded)) == client


def test_no_remote_address_is_unknown(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]

    assert client_address(_request("")) == "unknown"
