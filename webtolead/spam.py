"""Spam protection of the public endpoint: honeypot, signed fill time and a per-address rate limit."""

import secrets
import time

from django.core import signing
from django.core.cache import cache

from core.fields import is_blank

from .fields import HONEYPOT_FIELD, TIMESTAMP_FIELD
from .models import WebToLeadSettings

FILL_SALT = "webtolead.fill-time"


def fill_token(form_key: str, *, at: float | None = None) -> str:
    """A signed token of the moment the form was shown, bound to the form."""
    return signing.dumps({"f": form_key, "t": int(at if at is not None else time.time())}, salt=FILL_SALT)


def submission_key() -> str:
    return secrets.token_urlsafe(18)


def _scalar(value) -> str:
    if isinstance(value, list):
        value = value[-1] if value else ""
    return "" if value is None else str(value)


def rate_limited(address: str | None, limit: int) -> bool:
    """Count this submission against the address; answer whether it is over the per-minute limit."""
    if not limit or not address:
        return False
    key = f"w2l-rate:{address}:{int(time.time() // 60)}"
    cache.add(key, 0, 90)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, 90)
        count = 1
    return count > limit


def spam_reason(*, payload: dict, form_key: str, address: str | None, settings_row: WebToLeadSettings) -> str:
    """Why a submission looks like spam, or "" when it does not.

    A missing fill-time token is accepted: forms moved unchanged from Salesforce do not carry one.
    A token that is present must be genuine, belong to this form and be old enough.
    """
    if rate_limited(address, settings_row.rate_limit_per_minute):
        return f"More than {settings_row.rate_limit_per_minute} submissions per minute from this address."
    if settings_row.honeypot_enabled and not is_blank(_scalar(payload.get(HONEYPOT_FIELD))):
        return "The hidden honeypot field was filled in."
    token = _scalar(payload.get(TIMESTAMP_FIELD)).strip()
    if token and settings_row.min_fill_seconds:
        try:
            data = signing.loads(token, salt=FILL_SALT)
        except signing.BadSignature:
            return "The form's timestamp is forged or damaged."
        if not isinstance(data, dict) or data.get("f") != form_key or not isinstance(data.get("t"), int):
            return "The form's timestamp belongs to another form."
        elapsed = time.time() - data["t"]
        if elapsed < settings_row.min_fill_seconds:
            return f"Sent {max(elapsed, 0):.1f} s after the form was shown (minimum {settings_row.min_fill_seconds} s)."
    return ""
