"""Webhook signatures: HMAC-SHA256 of ``"<timestamp>.<body>"`` with the endpoint's secret, sent as
``X-LeadCRM-Signature: t=<unix seconds>,v1=<hex digest>``. A receiver recomputes the digest over
the raw body and checks the timestamp is recent (so that a captured request cannot be replayed
later)."""

import hashlib
import hmac
import secrets
import time

SIGNATURE_HEADER = "X-LeadCRM-Signature"
DEFAULT_TOLERANCE_SECONDS = 300


def new_secret() -> str:
    return "whsec_" + secrets.token_hex(24)


def signature(secret: str, body: bytes, timestamp: int) -> str:
    message = str(int(timestamp)).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(secret: str, body: bytes, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else int(timestamp)
    return f"t={timestamp},v1={signature(secret, body, timestamp)}"


def verify(secret: str, header: str, body: bytes, *, tolerance: int = DEFAULT_TOLERANCE_SECONDS, now=None) -> bool:
    """Whether ``header`` signs ``body`` with ``secret`` within ``tolerance`` seconds of ``now``."""
    parts: dict[str, list[str]] = {}
    for item in (header or "").split(","):
        key, sep, value = item.strip().partition("=")
        if sep:
            parts.setdefault(key, []).append(value)
    try:
        timestamp = int(parts.get("t", [""])[0])
    except ValueError:
        return False
    now = time.time() if now is None else now
    if abs(now - timestamp) > tolerance:
        return False
    expected = signature(secret, body, timestamp)
    return any(hmac.compare_digest(expected, given) for given in parts.get("v1", []))
