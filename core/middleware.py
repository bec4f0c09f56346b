"""Request middleware of the project: security headers on every answer, and replay of API POSTs
sent again with the same ``Idempotency-Key``."""

import hashlib
import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import IntegrityError, transaction
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from rest_framework import exceptions

from .api.authentication import ApiTokenAuthentication
from .models import IdempotencyKey

logger = logging.getLogger(__name__)


def content_security_policy() -> str:
    # No inline script anywhere (scripts are files under static/); inline style attributes are
    # still common in the templates, so styles allow 'unsafe-inline'. Framing is left to
    # X-Frame-Options, which the public Web-to-Lead pages relax on purpose.
    directives = {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self' 'unsafe-inline'",
        "img-src": "'self' data:",
        "font-src": "'self'",
        "connect-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
)


class SecurityHeadersMiddleware:
    """``Content-Security-Policy`` and ``Permissions-Policy`` on every answer (Django 5.2 sends
    neither). A view that sets its own policy keeps it."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = content_security_policy()

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


# Idempotency keys ------------------------------------------------------------------------------------

API_PREFIX = "/api/"
KEY_MAX_LENGTH = 255
# Answers that say nothing about the request itself are not kept: the retry is handled afresh.
NOT_KEPT = frozenset({401, 403, 409, 429})


def _api_user(request):
    """The user the API view will see: the token's, else the session's; ``None`` if neither."""
    try:
        found = ApiTokenAuthentication().authenticate(request)
    except exceptions.AuthenticationFailed:
        return None
    if found is not None:
        return found[0]
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def _problem(detail: str, status: int) -> JsonResponse:
    return JsonResponse({"detail": detail}, status=status)


# Headers that belong to the answer itself, replayed with its body.
KEPT_HEADERS = ("Content-Type", "Location")


def _replay(record: IdempotencyKey) -> HttpResponse:
    response = HttpResponse(bytes(record.body), status=record.status_code)
    for name, value in record.headers.items():
        response[name] = value
    response["Idempotent-Replayed"] = "true"
    return response


class IdempotencyKeyMiddleware:
    """An API POST with an ``Idempotency-Key`` header is answered once per (user, key): a retry
    gets the first answer (status and body) instead of doing the work again; the same key with a
    different request is a 422.

    The key row is inserted before the view runs, in the transaction that holds the view's writes:
    a concurrent duplicate blocks on the unique constraint until the first commits, then replays
    its answer; if the first fails (5xx), its writes and its key roll back together, so a retry
    runs afresh. Keys are forgotten after ``IDEMPOTENCY_KEY_HOURS``.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request.headers.get("Idempotency-Key")
        if key is None or request.method != "POST" or not request.path_info.startswith(API_PREFIX):
            return self.get_response(request)
        key = key.strip()
        if not key or len(key) > KEY_MAX_LENGTH:
            return _problem(f"An Idempotency-Key has 1 to {KEY_MAX_LENGTH} characters.", 400)
        user = _api_user(request)
        if user is None:
            return self.get_response(request)  # the view answers 401
        try:
            body = request.body
        except RequestDataTooBig:
            return self.get_response(request)  # the view answers 400
        request_hash = hashlib.sha256(b"\n".join([request.get_full_path().encode(), body])).hexdigest()
        with transaction.atomic():
            record, answer = self._claim(user, key, request_hash)
            if answer is not None:
                return answer
            response = self.get_response(request)
            if response.status_code >= 500 or response.status_code in NOT_KEPT or response.streaming:
                transaction.set_rollback(True)
                return response
            record.status_code = response.status_code
            record.headers = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
            record.body = response.content
            record.save(update_fields=["status_code", "headers", "body"])
        return response

    def _claim(self, user, key: str, request_hash: str):
        now = timezone.now()
        for _attempt in range(2):
            try:
                with transaction.atomic():
                    return IdempotencyKey.objects.create(
                        user=user, key=key, request_hash=request_hash, created_at=now
                    ), None
            except IntegrityError:
                pass
            first = IdempotencyKey.objects.filter(user=user, key=key).first()
            if first is None:
                continue  # purged meanwhile: claim it again
            if first.created_at < now - timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS):
                IdempotencyKey.objects.filter(pk=first.pk).delete()
                continue
            if first.request_hash != request_hash:
                return None, _problem("This Idempotency-Key was already used with a different request.", 422)
            logger.info("Idempotency-Key %r of user %s replayed", key, user.pk)
            return None, _replay(first)
        return None, _problem("This Idempotency-Key is in use by another request; retry.", 409)


def idempotency_keys_purge_expired() -> int:
    cutoff = timezone.now() - timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS)
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
