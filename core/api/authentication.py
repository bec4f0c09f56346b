"""``Authorization: Token <key>`` against the hashed, expiring API tokens of ``core.tokens``."""

from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from core.tokens import api_token_for_key


class ApiTokenAuthentication(TokenAuthentication):
    """DRF's token header, checked against ``ApiToken``: unknown, expired or revoked keys are a 401."""

    def authenticate_credentials(self, key):
        token = api_token_for_key(key)
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid or expired token.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        return token.user, token
