"""The language and time zone a request is served in.

``django.middleware.locale.LocaleMiddleware`` picks the browser's language (Accept-Language) among
``settings.LANGUAGES``; for a signed-in user, ``UserLocaleMiddleware`` then applies the user's own
choices (``core.models.UserPreferences``): the language, and the time zone dates and times are
shown in (else the organisation's ``TIME_ZONE``). The user is read with the preferences in one
query (``PreferencesModelBackend``), so a page costs no query more for them.
"""

import zoneinfo
from functools import lru_cache

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone, translation


class PreferencesModelBackend(ModelBackend):
    """Django's model backend, reading the session's user together with the user's preferences."""

    def get_user(self, user_id):
        user = get_user_model()._default_manager.select_related("preferences").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None


def language_codes() -> set[str]:
    return {code for code, _name in settings.LANGUAGES}


@lru_cache(maxsize=1)
def time_zone_names() -> tuple[str, ...]:
    """The IANA time zone names this machine knows, sorted."""
    return tuple(sorted(zoneinfo.available_timezones() - {"localtime"}))


def preferences_of(user):
    """The user's preferences row, or None (never a query when the backend read it already)."""
    try:
        return user.preferences
    except ObjectDoesNotExist:
        return None


def apply_user_locale(request, user) -> None:
    """Serve the rest of ``request`` in ``user``'s language and time zone, where they chose them.
    The time zone stays active until ``UserLocaleMiddleware`` ends the request."""
    preferences = preferences_of(user)
    if preferences is None:
        return
    if preferences.language in language_codes():
        translation.activate(preferences.language)
        request.LANGUAGE_CODE = preferences.language
    zone = _zone(preferences.time_zone)
    if zone is not None:
        timezone.activate(zone)


class UserLocaleMiddleware:
    """After authentication: a signed-in user's language and time zone for the whole request.

    Only a request that carries a session cookie is asked for its user, so a public POST (Web-to-
    Lead, tracking) costs no session or user query here. An API request with a token is
    authenticated later, by DRF, whose token authentication applies the token user's choices
    (``core.api.authentication``); the time zone either activated ends with the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.SESSION_COOKIE_NAME in request.COOKIES and request.user.is_authenticated:
            apply_user_locale(request, request.user)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


def _zone(name: str):
    if not name:
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None
