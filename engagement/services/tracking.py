"""The public tracking endpoint's write and its worker, in Web-to-Lead's store-first pattern: the
request stores the body as it came in one insert and answers; a coalesced worker task drains the
received rows, checks each one afresh and turns it into a page-view event.

Whatever a row holds (malformed JSON, wrong types, unknown visitor ids, a URL that is not a web
address), processing marks it ignored with a reason and never raises for it."""

import ipaddress
import json
import logging
import time
from datetime import timedelta

from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.coalesce import Coalescer
from core.db import insert_row
from core.memo import SharedConfig, memoized
from core.request_id import current_request_id, request_id_bound

from ..models import EngagementEvent, EngagementSettings, TrackingIntake
from ..selectors import engagement_settings, lead_opted_out, visitor_lead_id
from .events import _clean_text, engagement_event_record, visitor_id_or_empty, web_url_or_empty

logger = logging.getLogger(__name__)

# A page view is a few hundred bytes; anything longer is not from our script and is not kept.
MAX_BODY_BYTES = 8192
UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
RETRY_FAILED_AFTER_SECONDS = 300

# Read by the hot public path once per process every few seconds; the worker reads afresh.
PUBLIC_CONFIG = SharedConfig(ttl=5.0)


def public_settings() -> EngagementSettings:
    with PUBLIC_CONFIG.scope():
        return memoized(("engagement_settings",), engagement_settings)


def rate_limited(address: str | None, limit: int) -> bool:
    """Count this request against the client address; whether it is over the per-minute limit."""
    if not limit or not address:
        return False
    key = f"engagement-rate:{address}:{int(time.time() // 60)}"
    cache.add(key, 0, 90)
    try:
        count = cache.incr(key)
    except ValueError:
        return False  # the cache is unreachable: tracking is not worth refusing for it
    return count > limit


def _address_or_none(address: str | None) -> str | None:
    if not address:
        return None
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return None
    return address


def tracking_receive(
    *, body: bytes, content_type: str = "", source_address: str | None = None, user_agent: str = ""
) -> TrackingIntake:
    """Store one request of the tracking script as it came (one insert) and ask for a drain run
    after the commit. The caller has checked the settings and the rate limit."""
    text = body[:MAX_BODY_BYTES].decode("utf-8", errors="replace").replace("\x00", "\ufffd")
    row = TrackingIntake(
        body=text,
        content_type=_clean_text(content_type, 100),
        source_address=_address_or_none(source_address),
        user_agent=_clean_text(user_agent, 500),
        received_at=timezone.now(),
        outcome=TrackingIntake.Outcome.RECEIVED,
        reason="",
        request_id=current_request_id() or "",
    )
    insert_row(row)
    transaction.on_commit(DRAIN.request)
    return row


def _publish_drain(delay: float) -> None:
    from ..tasks import process_tracking

    process_tracking.apply_async(countdown=delay or None)


# Under load one worker task drains the rows of many requests (see core.coalesce).
DRAIN = Coalescer(_publish_drain, interval=1.0)


def _page_view_fields(row: TrackingIntake) -> tuple[dict | None, str]:
    """The page view a row describes, or ``None`` and why it is ignored."""
    try:
        data = json.loads(row.body or "null", parse_constant=lambda name: None)
    except (ValueError, RecursionError):
        return None, "The body is not JSON."
    if not isinstance(data, dict):
        return None, "The body is not a JSON object."
    if data.get("type", "page_view") != "page_view":
        return None, "Only page views are accepted here."
    visitor_id = visitor_id_or_empty(data.get("vid"))
    if not visitor_id:
        return None, "No valid visitor id."
    url = web_url_or_empty(data.get("url"))
    if not url:
        return None, "No web page URL."
    utm = data.get("utm") if isinstance(data.get("utm"), dict) else {}
    properties = {k: _clean_text(utm.get(k), 255) for k in UTM_KEYS if isinstance(utm.get(k), str) and utm.get(k)}
    return {
        "visitor_id": visitor_id,
        "url": url,
        "title": _clean_text(data.get("title"), 500),
        "referrer": web_url_or_empty(data.get("referrer")),
        "campaign": properties.get("utm_campaign", ""),
        "properties": properties,
    }, ""


def _finish(row: TrackingIntake, outcome: str, reason: str = "", event=None) -> None:
    row.outcome, row.reason, row.processed_at, row.event = outcome, reason[:300], timezone.now(), event
    row.save(update_fields=["outcome", "reason", "processed_at", "event"])


def _process(row: TrackingIntake, settings_row: EngagementSettings) -> None:
    Outcome = TrackingIntake.Outcome
    if not settings_row.tracking_enabled:
        _finish(row, Outcome.IGNORED, "Website tracking is turned off.")
        return
    fields, reason = _page_view_fields(row)
    if fields is None:
        _finish(row, Outcome.IGNORED, reason)
        return
    lead_id = visitor_lead_id(fields["visitor_id"])
    if lead_id is not None and lead_opted_out(lead_id):
        _finish(row, Outcome.IGNORED, "The lead opted out of tracking.")
        return
    event, _ = engagement_event_record(
        event_type=EngagementEvent.Type.PAGE_VIEW,
        source="tracker",
        lead_id=lead_id,
        occurred_at=row.received_at,
        external_id=f"intake:{row.pk}",
        properties={**fields.pop("properties"), **({"user_agent": row.user_agent[:200]} if row.user_agent else {})},
        **fields,
    )
    _finish(row, Outcome.RECORDED, event=event)


def tracking_process(*, batch_size: int = 200) -> int:
    """Turn received tracking rows into page-view events, oldest first; answers how many rows were
    processed. Safe to run concurrently and repeatedly: rows are claimed with ``skip_locked`` and a
    processed row is no longer received; a row whose processing failed is tried again later."""
    done = 0
    tried: set[int] = set()
    while True:
        retry_before = timezone.now() - timedelta(seconds=RETRY_FAILED_AFTER_SECONDS)
        with transaction.atomic():
            settings_row = engagement_settings()
            rows = list(
                TrackingIntake.objects.select_for_update(skip_locked=True)
                .filter(outcome=TrackingIntake.Outcome.RECEIVED)
                .filter(Q(processed_at__isnull=True) | Q(processed_at__lt=retry_before))
                .exclude(pk__in=tried)
                .order_by("received_at", "id")[:batch_size]
            )
            if not rows:
                return done
            for row in rows:
                tried.add(row.pk)
                # Each row's log lines carry the id of the request that stored it.
                with request_id_bound(row.request_id):
                    try:
                        with transaction.atomic():
                            _process(row, settings_row)
                    except Exception as exc:
                        logger.exception("Tracking row %s could not be processed", row.pk)
                        TrackingIntake.objects.filter(pk=row.pk).update(
                            reason=f"Processing failed, to be tried again: {exc}"[:300], processed_at=timezone.now()
                        )
                        continue
                    logger.info("Tracking row %s: %s", row.pk, row.outcome, extra={"tracking_intake_id": row.pk})
                done += 1
