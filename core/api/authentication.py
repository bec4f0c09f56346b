"""``Authorization: Token <key>`` against the hashed, expiring API tokens of ``core.tokens``."""

from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from core.locale import apply_user_locale
from core.tokens import api_token_for_key


class ApiTokenAuthentication(TokenAuthentication):
    """DRF's token header, checked against ``ApiToken``: unknown, expired or revoked keys are a 401.

    The rest of the request speaks the token user's language and time zone (their profile), as a
    signed-in page does; without a language of their own, ``Accept-Language`` still chooses."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            # A DRF request wraps Django's; the idempotency middleware asks with Django's own.
            apply_user_locale(getattr(request, "_request", request), result[0])
        return result

    def authenticate_credentials(self, key):
        token = api_token_for_key(key)
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid or expired token.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        return token.user, token
