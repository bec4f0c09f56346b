"""Login throttling per account and per source address, shared by the login page and the API."""

import hashlib

from django.conf import settings
from django.core.cache import cache


def client_address(request) -> str:
    # Behind the production proxy REMOTE_ADDR is the proxy; gunicorn is run with
    # --forwarded-allow-ips so that REMOTE_ADDR is the client's address.
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _keys(username: str, address: str) -> tuple[str, str]:
    user_hash = hashlib.sha256((username or "").strip().lower().encode()).hexdigest()[:32]
    return f"login-fail:user:{user_hash}", f"login-fail:addr:{address}"


def login_blocked(username: str, address: str) -> bool:
    user_key, addr_key = _keys(username, address)
    return (cache.get(user_key, 0) >= settings.LOGIN_THROTTLE_ACCOUNT_LIMIT) or (
        cache.get(addr_key, 0) >= settings.LOGIN_THROTTLE_ADDRESS_LIMIT
    )


def login_failed(username: str, address: str) -> None:
    window = settings.LOGIN_THROTTLE_WINDOW_SECONDS
    for key in _keys(username, address):
        cache.add(key, 0, window)
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, window)


def login_succeeded(username: str, address: str) -> None:
    cache.delete(_keys(username, address)[0])


THROTTLED_MESSAGE = "Too many failed logins. Wait 15 minutes and try again, or ask an admin to reset your password."
