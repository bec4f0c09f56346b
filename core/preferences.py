"""A user's own profile: name, email, language, time zone and email signature (the "My profile"
page and ``/api/me/`` both write through ``user_profile_update``)."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .fields import validate_email
from .locale import language_codes, preferences_of, time_zone_names
from .models import UserPreferences
from .registry import run_user_rename_hooks

PROFILE_FIELDS = ("first_name", "last_name", "email", "language", "time_zone", "email_signature")
NAME_MAX_LENGTH = 150
SIGNATURE_MAX_LENGTH = 2000


def user_profile(*, user) -> dict:
    """The profile as the page and the API show it (empty language or time zone: the defaults)."""
    preferences = preferences_of(user)
    return {
        "username": user.get_username(),
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "language": preferences.language if preferences else "",
        "time_zone": preferences.time_zone if preferences else "",
        "email_signature": preferences.email_signature if preferences else "",
        "default_time_zone": settings.TIME_ZONE,
    }


def signature_block(*, user) -> str:
    """The user's email signature as it starts a message they write ("" without one): after two
    blank lines and the usual "-- " separator, which mail programs recognise."""
    preferences = preferences_of(user)
    signature = preferences.email_signature if preferences else ""
    return f"\n\n-- \n{signature}" if signature else ""


def _clean(data: dict) -> tuple[dict, dict]:
    values, errors = {}, {}
    for name in ("first_name", "last_name"):
        if name in data:
            text = str(data[name] or "").strip()
            if len(text) > NAME_MAX_LENGTH:
                errors[name] = [_("At most %(max)d characters.") % {"max": NAME_MAX_LENGTH}]
            values[name] = text
    if "email" in data:
        email = str(data["email"] or "").strip()
        if not email:
            errors["email"] = [_("Enter your email address.")]
        else:
            try:
                validate_email(email)
            except ValidationError:
                errors["email"] = [_("Enter a valid email address.")]
        values["email"] = email
    if "language" in data:
        language = str(data["language"] or "")
        if language and language not in language_codes():
            errors["language"] = [_("Choose one of the languages offered.")]
        values["language"] = language
    if "time_zone" in data:
        zone = str(data["time_zone"] or "")
        if zone and zone not in time_zone_names():
            errors["time_zone"] = [_("Choose a time zone from the list, such as Europe/Madrid.")]
        values["time_zone"] = zone
    if "email_signature" in data:
        signature = str(data["email_signature"] or "").replace("\r\n", "\n").strip()
        if len(signature) > SIGNATURE_MAX_LENGTH:
            errors["email_signature"] = [_("At most %(max)d characters.") % {"max": SIGNATURE_MAX_LENGTH}]
        values["email_signature"] = signature
    return values, errors


@transaction.atomic
def user_profile_update(*, user, data: dict, acting_user) -> dict:
    """Change the given fields of the user's own profile (any of ``PROFILE_FIELDS``; the others are
    kept). Only the user changes their profile here; an admin edits users in user administration.
    Raises ``ValidationError`` with a message per field. Answers the profile as stored."""
    if acting_user is None or acting_user.pk != user.pk:
        raise PermissionDenied(_("Only you can change your profile."))
    values, errors = _clean(data)
    if errors:
        raise ValidationError(errors)
    user_fields = [name for name in ("first_name", "last_name", "email") if name in values]
    renamed = any(getattr(user, name) != values[name] for name in user_fields if name != "email")
    for name in user_fields:
        setattr(user, name, values[name])
    if user_fields:
        user.save(update_fields=user_fields)
    if renamed:
        # What other apps keep of the name (the sort name of the leads the user owns) follows.
        run_user_rename_hooks(user=user)
    preference_values = {k: values[k] for k in ("language", "time_zone", "email_signature") if k in values}
    if preference_values:
        preferences, _created = UserPreferences.objects.select_for_update().get_or_create(user=user)
        for name, value in preference_values.items():
            setattr(preferences, name, value)
        preferences.save()
        # The request's user object carries the row it was read with: keep it current.
        user.preferences = preferences
    return user_profile(user=user)
