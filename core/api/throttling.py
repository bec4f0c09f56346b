"""API rate limits, kept in the cache (Redis in production): per token for token clients, per user
for browser sessions, per client address for anonymous calls. Rates are ``DEFAULT_THROTTLE_RATES``.

A throttle that cannot reach the cache lets the request through with a log line: an outage of the
cache must not turn every API call into a 500.
"""

import logging

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from core.auth import client_address
from core.models import ApiToken

logger = logging.getLogger(__name__)


class _CacheSafeThrottle(SimpleRateThrottle):
    def get_rate(self):
        # DRF binds the rates when the module is imported; read them when the throttle is made.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_ident(self, request) -> str:
        # DRF's own get_ident believes any X-Forwarded-For; ours only a trusted proxy's.
        return client_address(request)

    def allow_request(self, request, view) -> bool:
        try:
            return super().allow_request(request, view)
        except Exception:
            logger.warning("API throttle %s unavailable (cache error); request let through", self.scope)
            return True


class TokenRateThrottle(_CacheSafeThrottle):
    """Requests per API token."""

    scope = "token"

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": f"token-{request.auth.pk}"}


class SessionRateThrottle(_CacheSafeThrottle):
    """Requests per signed-in user of the browser session (no token)."""

    scope = "user"

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken) or not request.user or not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": f"user-{request.user.pk}"}


class AnonymousRateThrottle(_CacheSafeThrottle):
    """Requests per client address of callers that are not signed in."""

    scope = "anon"

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
