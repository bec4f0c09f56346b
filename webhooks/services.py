"""Webhooks: endpoints (Setup), the events a change of a lead makes, and their delivery.

A change of a lead writes Field History rows; the history hook turns them into events ("created",
"assigned", "updated"...) and writes one delivery row per event and subscribed endpoint in the same
transaction, handed to Celery on commit. A worker claims a row (pending -> sending, a conditional
UPDATE), POSTs the signed JSON, and marks it delivered, or pending again with a backoff, or failed
after ``MAX_ATTEMPTS``. The beat task ``sweep_webhooks`` hands over rows that never reached the
broker and takes back claims of a worker that died; an admin can send a delivery again.
"""

import ipaddress
import json
import logging
import socket
import time
import urllib.error
import urllib.request
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.breaker import BrokerUnavailable
from core.db import unique_as_field_error
from core.request_id import current_request_id, request_id_bound
from core.roles import require_system_admin

from .models import EVENT_NAMES, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from .signing import SIGNATURE_HEADER, new_secret, signature_header

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# Backoff after failed attempt n: 1, 2, 4, 8... minutes, at most six hours (about 4 hours to give up).
BACKOFF_BASE_SECONDS = 60
BACKOFF_MAX_SECONDS = 6 * 3600
SENDING_TIMEOUT = timedelta(minutes=5)
REPUBLISH_AFTER = timedelta(minutes=2)
SWEEP_BATCH = 500
RESPONSE_EXCERPT = 2000
SUBSCRIPTIONS_CACHE_KEY = "webhooks:subscriptions:v1"
SUBSCRIPTIONS_CACHE_SECONDS = 60

# History rows that mark an event rather than a field change.
MARKERS = {"created", "deleted", "restored", "merged", "is_converted", "owner"}
# Rows a service writes about something done to the record, not a field of it.
NOT_FIELDS = {"auto_response", "sla_status", "contact_roles", "products"}


def _actor(user):
    return user if getattr(user, "pk", None) else None


def _json(value):
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


# Endpoints ---------------------------------------------------------------------------------------


def _private_networks_allowed() -> bool:
    return bool(getattr(settings, "WEBHOOKS_ALLOW_PRIVATE_NETWORKS", False))


def _address_refusal(address: str) -> str:
    ip = ipaddress.ip_address(address)
    if ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast or ip.is_reserved or ip.is_unspecified:
        return _("The address %(address)s is on a private or local network.") % {"address": address}
    return ""


def url_problem(url: str) -> str:
    """Why ``url`` cannot receive webhooks ("" when it can): HTTPS to a public host, unless the
    setting ``WEBHOOKS_ALLOW_PRIVATE_NETWORKS`` allows plain HTTP and private addresses."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError:
        return _("Enter a valid URL.")
    allowed = ("http", "https") if _private_networks_allowed() else ("https",)
    if parts.scheme not in allowed:
        return _("Use an https:// URL.") if not _private_networks_allowed() else _("Use an http:// or https:// URL.")
    if not host:
        return _("Enter a valid URL.")
    if parts.username or parts.password:
        return _("Put no user name or password in the URL: the signature authenticates each request.")
    if _private_networks_allowed():
        return ""
    if host == "localhost" or host.endswith(".localhost"):
        return _("The address %(address)s is on a private or local network.") % {"address": host}
    try:
        return _address_refusal(host)
    except ValueError:
        return ""  # a host name: checked again on every send, once resolved


def _validate_endpoint(*, name: str, url: str, events, description: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("Enter a name.")]
    elif len(name) > 120:
        errors["name"] = [_("Use at most 120 characters.")]
    if not url:
        errors["url"] = [_("Enter the URL that receives the events.")]
    elif len(url) > 500:
        errors["url"] = [_("Use at most 500 characters.")]
    elif problem := url_problem(url):
        errors["url"] = [problem]
    if not isinstance(events, list | tuple) or not events:
        errors["events"] = [_("Choose at least one event.")]
    else:
        unknown = [str(event) for event in events if event not in EVENT_NAMES]
        if unknown:
            errors["events"] = [_("Unknown events: %(events)s.") % {"events": ", ".join(unknown)}]
    if len(description or "") > 255:
        errors["description"] = [_("Use at most 255 characters.")]
    return errors


NAME_TAKEN = ("name", _("An endpoint with this name exists already."))


def _save_endpoint(endpoint: WebhookEndpoint, *, name, url, events, is_active, description) -> WebhookEndpoint:
    name, url, description = (name or "").strip(), (url or "").strip(), (description or "").strip()
    errors = _validate_endpoint(name=name, url=url, events=events, description=description)
    if "name" not in errors and WebhookEndpoint.objects.filter(name__iexact=name).exclude(pk=endpoint.pk).exists():
        errors["name"] = [NAME_TAKEN[1]]
    if errors:
        raise ValidationError(errors)
    endpoint.name, endpoint.url, endpoint.description = name, url, description
    endpoint.events = [event for event in EVENT_NAMES if event in set(events)]
    endpoint.is_active = bool(is_active)
    endpoint.updated_at = timezone.now()
    with unique_as_field_error({"webhook_endpoint_name_ci": NAME_TAKEN}):
        endpoint.save()
    _forget_subscriptions()  # now for this transaction, and again once others see the change
    transaction.on_commit(_forget_subscriptions)
    return endpoint


@transaction.atomic
def endpoint_create(*, name: str, url: str, events, is_active: bool = True, description: str = "", acting_user):
    require_system_admin(acting_user)
    now = timezone.now()
    endpoint = WebhookEndpoint(secret=new_secret(), created_by=_actor(acting_user), created_at=now, updated_at=now)
    return _save_endpoint(endpoint, name=name, url=url, events=events, is_active=is_active, description=description)


@transaction.atomic
def endpoint_update(
    *, endpoint: WebhookEndpoint, name: str, url: str, events, is_active: bool, description: str = "", acting_user
):
    require_system_admin(acting_user)
    locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    return _save_endpoint(locked, name=name, url=url, events=events, is_active=is_active, description=description)


@transaction.atomic
def endpoint_rotate_secret(*, endpoint: WebhookEndpoint, acting_user) -> WebhookEndpoint:
    """A new signing secret; deliveries not yet sent are signed with it."""
    require_system_admin(acting_user)
    locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    locked.secret = new_secret()
    locked.updated_at = timezone.now()
    locked.save(update_fields=["secret", "updated_at"])
    return locked


@transaction.atomic
def endpoint_delete(*, endpoint: WebhookEndpoint, acting_user) -> None:
    """Delete an endpoint with its delivery log."""
    require_system_admin(acting_user)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).delete()
    _forget_subscriptions()
    transaction.on_commit(_forget_subscriptions)


def _forget_subscriptions() -> None:
    cache.delete(SUBSCRIPTIONS_CACHE_KEY)


def _subscriptions() -> list[tuple[int, frozenset]]:
    """(endpoint id, events) of the active endpoints; read on every history write, so cached."""
    cached = cache.get(SUBSCRIPTIONS_CACHE_KEY)
    if cached is not None:
        return [(pk, frozenset(events)) for pk, events in cached]
    rows = list(WebhookEndpoint.objects.filter(is_active=True).values_list("pk", "events"))
    cache.set(SUBSCRIPTIONS_CACHE_KEY, rows, SUBSCRIPTIONS_CACHE_SECONDS)
    return [(pk, frozenset(events)) for pk, events in rows]


# Events ------------------------------------------------------------------------------------------


def _is_field_row(row) -> bool:
    if row.field_name in MARKERS or row.field_name in NOT_FIELDS:
        return False
    # "Send Email" records the email it sent under the Email field, noted "Email".
    return not (row.field_name == "email" and row.note == "Email")


def events_of(rows) -> list[str]:
    """The events one write of one record's history rows stands for, in a stable order."""
    fields = {row.field_name for row in rows}
    for marker, event in (("created", "created"), ("deleted", "deleted"), ("merged", "merged")):
        if marker in fields:
            return [event, "assigned"] if event == "created" and "owner" in fields else [event]
    if "restored" in fields:
        return ["restored"]
    if "is_converted" in fields:
        return ["converted"]
    events = []
    if "owner" in fields:
        events.append("assigned")
    if any(_is_field_row(row) for row in rows):
        events.append("updated")
    return events


def _changes(rows) -> list[dict]:
    return [
        {"field": row.field_name, "label": row.field_label, "old": row.old_value, "new": row.new_value}
        for row in rows
        if row.field_name not in {"created", "deleted", "restored"}
    ]


def on_history(*, rows) -> None:
    """History hook: the deliveries of the events these rows stand for, for every active endpoint
    subscribed to them, written in the caller's transaction."""
    subscriptions = _subscriptions()
    if not subscriptions:
        return
    wanted = {event for _pk, events in subscriptions for event in events}
    by_record: dict[tuple[str, int], list] = defaultdict(list)
    for row in rows:
        if row.object_name == "lead":
            by_record[(row.object_name, row.record_id)].append(row)
    found: list[tuple[str, str, int, list]] = []
    for (object_name, record_id), record_rows in by_record.items():
        for event in events_of(record_rows):
            name = f"{object_name}.{event}"
            if name in wanted:
                found.append((name, object_name, record_id, record_rows))
    if found:
        deliveries_create(found, subscriptions)


def _snapshots(record_ids: set[int]) -> dict[int, dict]:
    """Each lead as it stands: every column of its row (a foreign key as ``<name>_id``)."""
    from leads.models import Lead

    columns = [field.attname for field in Lead._meta.concrete_fields]
    return {row["id"]: _json(row) for row in Lead.objects.filter(pk__in=record_ids).values(*columns)}


def deliveries_create(found, subscriptions) -> list[WebhookDelivery]:
    now = timezone.now()
    snapshots = _snapshots({record_id for _e, _o, record_id, _r in found})
    request_id = current_request_id() or ""
    deliveries = []
    for name, object_name, record_id, record_rows in found:
        first = min(row.pk for row in record_rows)
        actor = record_rows[0].changed_by_id
        event_id = uuid.uuid5(uuid.NAMESPACE_URL, f"leadcrm-webhook:{name}:{object_name}:{record_id}:{first}")
        payload = {
            "id": str(event_id),
            "event": name,
            "occurred_at": _json(record_rows[0].changed_at),
            "object": object_name,
            "record_id": record_id,
            "actor_id": actor,
            "note": record_rows[0].note,
            "changes": _changes(record_rows),
            "data": snapshots.get(record_id),
        }
        for endpoint_id, events in subscriptions:
            if name not in events:
                continue
            deliveries.append(
                WebhookDelivery(
                    endpoint_id=endpoint_id,
                    event_id=event_id,
                    event=name,
                    object_name=object_name,
                    record_id=record_id,
                    idempotency_key=f"{endpoint_id}:{event_id}",
                    payload=payload,
                    next_attempt_at=now,
                    created_at=now,
                    request_id=request_id,
                )
            )
    saved = WebhookDelivery.objects.bulk_create(deliveries, ignore_conflicts=True, batch_size=1000)
    ids = [delivery.pk for delivery in saved if delivery.pk]
    if not ids:  # ignore_conflicts gives no ids on some databases: read them back
        keys = [delivery.idempotency_key for delivery in deliveries]
        ids = list(
            WebhookDelivery.objects.filter(idempotency_key__in=keys, status="pending").values_list("pk", flat=True)
        )
    if ids:
        transaction.on_commit(lambda: deliveries_publish(ids))
    return saved


@transaction.atomic
def endpoint_send_test(*, endpoint: WebhookEndpoint, acting_user) -> WebhookDelivery:
    """A "ping" event to one endpoint, to check that it receives and verifies our requests."""
    require_system_admin(acting_user)
    now = timezone.now()
    event_id = uuid.uuid4()
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        event_id=event_id,
        event="ping",
        object_name="",
        record_id=0,
        idempotency_key=f"{endpoint.pk}:{event_id}",
        payload={"id": str(event_id), "event": "ping", "occurred_at": _json(now), "endpoint": endpoint.name},
        next_attempt_at=now,
        created_at=now,
        request_id=current_request_id() or "",
    )
    transaction.on_commit(lambda: deliveries_publish([delivery.pk]))
    return delivery


@transaction.atomic
def delivery_replay(*, delivery: WebhookDelivery, acting_user) -> WebhookDelivery:
    """Send a delivery again (delivered or failed): a full set of attempts, now."""
    require_system_admin(acting_user)
    locked = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
    if locked.status in (WebhookDelivery.Status.PENDING, WebhookDelivery.Status.SENDING):
        raise ValidationError({"__all__": [_("This delivery is already waiting to be sent.")]})
    locked.status = WebhookDelivery.Status.PENDING
    locked.attempts = 0
    locked.next_attempt_at = timezone.now()
    locked.published_at = None
    locked.claim_token = ""
    locked.save(update_fields=["status", "attempts", "next_attempt_at", "published_at", "claim_token"])
    transaction.on_commit(lambda: deliveries_publish([locked.pk]))
    return locked


# Delivery ----------------------------------------------------------------------------------------


def backoff_seconds(attempts: int) -> int:
    return min(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_MAX_SECONDS)


def deliveries_publish(delivery_ids: list[int], *, countdown: int | None = None) -> bool:
    """Hand deliveries to the broker. Never raises: with the broker down they stay pending and the
    sweeper hands them over later."""
    from .tasks import deliver_webhooks

    try:
        deliver_webhooks.apply_async(args=[list(delivery_ids)], countdown=countdown)
    except BrokerUnavailable:
        return False
    except Exception:
        logger.warning("Could not hand webhook deliveries to the broker; the sweeper will retry.", exc_info=True)
        return False
    WebhookDelivery.objects.filter(pk__in=delivery_ids, status=WebhookDelivery.Status.PENDING).update(
        published_at=timezone.now()
    )
    return True


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # a 3xx is an answer like any other: never followed to another host


_opener = urllib.request.build_opener(_NoRedirects)


@dataclass(frozen=True)
class Answer:
    status: int | None
    body: str
    error: str


def _resolved_refusal(url: str) -> str:
    if _private_networks_allowed():
        return ""
    parts = urlsplit(url)
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except OSError as exc:
        return _("The host could not be resolved: %(error)s") % {"error": exc}
    for info in infos:
        refusal = _address_refusal(info[4][0])
        if refusal:
            return refusal
    return ""


def post(url: str, *, body: bytes, headers: dict[str, str]) -> Answer:
    """POST ``body`` to ``url``; whatever happens is an Answer, never an exception."""
    refusal = url_problem(url) or _resolved_refusal(url)
    if refusal:
        return Answer(None, "", refusal)
    # url_problem() allowed only http(s) URLs.
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    timeout = getattr(settings, "WEBHOOK_TIMEOUT", 10)
    try:
        with _opener.open(request, timeout=timeout) as response:
            return Answer(response.status, response.read(RESPONSE_EXCERPT).decode("utf-8", "replace"), "")
    except urllib.error.HTTPError as exc:
        text = ""
        try:
            text = exc.read(RESPONSE_EXCERPT).decode("utf-8", "replace")
        except Exception:
            text = ""
        return Answer(exc.code, text, "")
    except Exception as exc:
        return Answer(None, "", f"{type(exc).__name__}: {exc}"[:RESPONSE_EXCERPT])


def request_of(delivery: WebhookDelivery, endpoint: WebhookEndpoint, *, timestamp: int | None = None):
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "LeadCRM-Webhooks/1",
        "X-LeadCRM-Event": delivery.event,
        "X-LeadCRM-Delivery": str(delivery.event_id),
        SIGNATURE_HEADER: signature_header(endpoint.secret, body, timestamp),
    }
    return body, headers


def delivery_deliver(*, delivery_id: int) -> str:
    """Send one delivery: ``delivered``, ``retry``, ``failed`` or ``skipped`` (not due, or taken by
    another worker). Claimed with a conditional UPDATE committed before the POST, so two workers
    send it once; a worker that dies mid-POST leaves it ``sending`` and the sweeper sends it again
    later (receivers drop repeats by ``X-LeadCRM-Delivery``)."""
    now = timezone.now()
    delivery = (
        WebhookDelivery.objects.select_related("endpoint")
        .filter(pk=delivery_id, status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now)
        .first()
    )
    if delivery is None:
        return "skipped"
    token = uuid.uuid4().hex
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id, status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now
    ).update(status=WebhookDelivery.Status.SENDING, claim_token=token, claimed_at=now, attempts=F("attempts") + 1)
    if not claimed:
        return "skipped"
    attempts = delivery.attempts + 1
    with request_id_bound(delivery.request_id):
        duration = 0
        if not delivery.endpoint.is_active:
            answer = Answer(None, "", _("The endpoint is inactive."))
        else:
            body, headers = request_of(delivery, delivery.endpoint)
            started = time.monotonic()
            answer = post(delivery.endpoint.url, body=body, headers=headers)
            duration = int((time.monotonic() - started) * 1000)
        ok = answer.status is not None and 200 <= answer.status < 300
        WebhookAttempt.objects.create(
            delivery_id=delivery_id,
            attempted_at=now,
            response_status=answer.status,
            response_body=answer.body,
            error=answer.error,
            duration_ms=duration,
        )
        mine = WebhookDelivery.objects.filter(pk=delivery_id, status=WebhookDelivery.Status.SENDING, claim_token=token)
        error = answer.error or (f"HTTP {answer.status}" if not ok else "")
        if ok:
            mine.update(
                status=WebhookDelivery.Status.DELIVERED,
                delivered_at=timezone.now(),
                response_status=answer.status,
                last_error="",
                claim_token="",
            )
            logger.info("Webhook delivery %s delivered", delivery_id, extra={"event": delivery.event})
            return "delivered"
        if attempts >= MAX_ATTEMPTS or not delivery.endpoint.is_active:
            mine.update(
                status=WebhookDelivery.Status.FAILED, response_status=answer.status, last_error=error, claim_token=""
            )
            logger.warning("Webhook delivery %s failed for good: %s", delivery_id, error)
            return "failed"
        wait = backoff_seconds(attempts)
        mine.update(
            status=WebhookDelivery.Status.PENDING,
            next_attempt_at=timezone.now() + timedelta(seconds=wait),
            published_at=None,
            response_status=answer.status,
            last_error=error,
            claim_token="",
        )
    deliveries_publish([delivery_id], countdown=wait)
    return "retry"


@dataclass(frozen=True)
class SweepResult:
    requeued: int
    published: int


def webhooks_sweep(*, now=None) -> SweepResult:
    """Take back claims of a worker that died, and hand over due deliveries not (or long ago)
    handed to the broker."""
    now = now or timezone.now()
    requeued = WebhookDelivery.objects.filter(
        status=WebhookDelivery.Status.SENDING, claimed_at__lt=now - SENDING_TIMEOUT
    ).update(status=WebhookDelivery.Status.PENDING, claim_token="", published_at=None, next_attempt_at=now)
    due = list(
        WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now)
        .filter(Q(published_at__isnull=True) | Q(published_at__lt=now - REPUBLISH_AFTER))
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    published = len(due) if due and deliveries_publish(due) else 0
    return SweepResult(requeued=requeued, published=published)
