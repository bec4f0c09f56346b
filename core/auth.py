"""Client addresses behind trusted proxies, and login throttling per account and address, shared by
the login page and the API.

Failed logins are counted per (account, address) and per address. Past a few free failures each
further failure makes that pair (or address) wait longer, doubling up to a ceiling: nobody can lock
a colleague out from another address, and guessing from one address slows down fast. The counters
live in the cache; when the cache fails the attempt is let through with a log line, never a 500.
"""

import functools
import hashlib
import ipaddress
import logging
import math
import time

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import ngettext

logger = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@functools.lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip())


def _trusted_networks() -> tuple:
    return _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))


def _ip(text: str) -> IPAddress | None:
    text = (text or "").strip().strip('"')
    if text.startswith("[") and "]" in text:  # [2001:db8::1]:443
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # 192.0.2.1:443
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _trusted(address: IPAddress, networks: tuple) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return any(address.version == network.version and address in network for network in networks)


def client_address(request) -> str:
    """The address of the client that sent ``request``.

    ``X-Forwarded-For`` is read only when the direct peer (``REMOTE_ADDR``) is one of the
    ``TRUSTED_PROXIES``; it is walked from the right, skipping further trusted proxies, and the first
    other address is the client. Anyone else could write any address into that header. A hop that
    is not an address stops the walk at the last trusted hop.
    """
    remote = request.META.get("REMOTE_ADDR", "") or ""
    networks = _trusted_networks()
    peer = _ip(remote)
    if peer is None or not networks or not _trusted(peer, networks):
        return remote or "unknown"
    client = peer
    for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        address = _ip(hop)
        if address is None:
            break
        client = address
        if not _trusted(address, networks):
            break
    return str(client)


# Login throttling -----------------------------------------------------------------------------------


def _account_hash(username: str) -> str:
    return hashlib.sha256((username or "").strip().lower().encode()).hexdigest()[:32]


def _source(address: str) -> str:
    """The unit an address counts as: itself, or for IPv6 its /64, which one host usually holds whole."""
    ip = _ip(address)
    if isinstance(ip, ipaddress.IPv6Address) and not ip.ipv4_mapped:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip.ipv4_mapped) if isinstance(ip, ipaddress.IPv6Address) else address


def _counters(username: str, address: str) -> list[tuple[str, int]]:
    """The failure counters an attempt touches, each with the failures it allows before delays."""
    address = _source(address)
    return [
        (f"login-fail:pair:{_account_hash(username)}:{address}", settings.LOGIN_THROTTLE_ACCOUNT_LIMIT),
        (f"login-fail:addr:{address}", settings.LOGIN_THROTTLE_ADDRESS_LIMIT),
    ]


def _delay(failures: int, free: int) -> int:
    """Seconds to wait after the ``failures``-th failure: none before ``free``, then doubling."""
    if failures < free:
        return 0
    base = settings.LOGIN_THROTTLE_DELAY_SECONDS
    return min(settings.LOGIN_THROTTLE_MAX_DELAY_SECONDS, base * 2 ** min(failures - free, 20))


def login_wait(username: str, address: str) -> int:
    """Seconds before this account may try again from this address; 0 when it may try now."""
    keys = [f"{key}:until" for key, _limit in _counters(username, address)]
    try:
        until = cache.get_many(keys)
    except Exception:
        logger.warning("Login throttle unavailable (cache error); attempt for address %s let through", address)
        return 0
    now = time.time()
    return max((math.ceil(value - now) for value in until.values() if value > now), default=0)


def login_failed(username: str, address: str) -> None:
    window = settings.LOGIN_THROTTLE_WINDOW_SECONDS
    now = time.time()
    try:
        for key, free in _counters(username, address):
            if cache.add(key, 1, window):
                failures = 1
            else:
                try:
                    failures = cache.incr(key)
                except ValueError:  # expired between add and incr
                    cache.set(key, 1, window)
                    failures = 1
                # The count lives a window after the latest failure, not after the first one.
                cache.touch(key, window)
            wait = _delay(failures, free)
            if wait:
                cache.set(f"{key}:until", now + wait, wait)
    except Exception:
        logger.warning("Login throttle unavailable (cache error); failure from address %s not counted", address)


def login_succeeded(username: str, address: str) -> None:
    key = _counters(username, address)[0][0]
    try:
        cache.delete_many([key, f"{key}:until"])
    except Exception:
        logger.warning("Login throttle unavailable (cache error); counter for address %s not reset", address)


def throttled_message(wait: int) -> str:
    minutes = -(-wait // 60)
    if wait < 60:
        return ngettext(
            "Too many failed logins. Try again in %(count)d second.",
            "Too many failed logins. Try again in %(count)d seconds.",
            wait,
        ) % {"count": wait}
    return ngettext(
        "Too many failed logins. Try again in %(count)d minute.",
        "Too many failed logins. Try again in %(count)d minutes.",
        minutes,
    ) % {"count": minutes}


def over_hourly_limit(kind: str, address: str, limit: int) -> bool:
    """Count one more ``kind`` request from ``address`` in the current hour; whether it is past
    ``limit``. When the cache fails the request is let through with a log line."""
    key = f"hourly:{kind}:{_source(address)}:{int(time.time() // 3600)}"
    try:
        if cache.add(key, 1, 3600):
            return limit < 1
        return cache.incr(key) > limit
    except ValueError:
        return False
    except Exception:
        logger.warning("Rate limit %s unavailable (cache error); request from %s let through", kind, address)
        return False
