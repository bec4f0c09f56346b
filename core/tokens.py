"""API tokens: issue, authenticate, list and revoke. A key is shown once; only its hash is kept."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from .models import ApiToken

# ``last_used_at`` is written at most this often per token, not on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def password_stamp(user) -> str:
    """Changes whenever the user's password changes (any way: reset, admin, ``changepassword``)."""
    return _hash(user.password or "")


@transaction.atomic
def api_token_create(*, user, acting_user=None) -> tuple[ApiToken, str]:
    """A new token for ``user``; answers it and its key, which is not stored and never shown again."""
    key = secrets.token_hex(20)
    now = timezone.now()
    token = ApiToken.objects.create(
        user=user,
        key_hash=_hash(key),
        prefix=key[:8],
        password_stamp=password_stamp(user),
        created_at=now,
        expires_at=now + timedelta(days=settings.API_TOKEN_TTL_DAYS),
    )
    return token, key


def api_token_for_key(key: str) -> ApiToken | None:
    """The live token with this key (its user loaded), or ``None``: unknown, expired, or issued
    before its user's password last changed. A dead token is deleted on the way."""
    token = ApiToken.objects.select_related("user", "user__preferences").filter(key_hash=_hash(key)).first()
    if token is None:
        return None
    now = timezone.now()
    if token.expires_at <= now or token.password_stamp != password_stamp(token.user):
        ApiToken.objects.filter(pk=token.pk).delete()
        return None
    if token.last_used_at is None or token.last_used_at < now - LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def api_tokens_of(*, user) -> QuerySet[ApiToken]:
    """The user's live tokens, newest first."""
    return ApiToken.objects.filter(
        user=user, expires_at__gt=timezone.now(), password_stamp=password_stamp(user)
    ).order_by("-created_at", "-id")


@transaction.atomic
def api_token_revoke(*, token_id: int, acting_user) -> bool:
    """Revoke one of ``acting_user``'s own tokens; ``False`` when there is no such token."""
    deleted, _ = ApiToken.objects.filter(pk=token_id, user=acting_user).delete()
    return bool(deleted)


@transaction.atomic
def api_tokens_revoke_all(*, user) -> int:
    """Revoke every token of ``user`` (their password changed)."""
    deleted, _ = ApiToken.objects.filter(user=user).delete()
    return deleted


def api_tokens_purge_expired() -> int:
    deleted, _ = ApiToken.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted
