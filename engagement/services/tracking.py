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
from core.db import insert_row, update_rows
from core.memo import SharedConfig, memoized
from core.registry import run_engagement_event_hooks_many
from core.request_id import current_request_id, request_id_bound
from leads.models import Lead

from ..models import EngagementEvent, EngagementSettings, LeadTrackingPreference, TrackedVisitor, TrackingIntake
from ..selectors import engagement_settings, lead_opted_out, visitor_lead_id
from .events import _clean_text, _validate, engagement_event_record, visitor_id_or_empty, web_url_or_empty
from .last_activity import leads_last_activity_touch

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
    # A page view is telemetry: its commit does not wait for the disk (see ``insert_row``).
    insert_row(row, durable=False)
    transaction.on_commit(DRAIN.request)
    return row


# Under load one worker task drains the rows of many requests (see core.coalesce).
DRAIN = Coalescer.for_task("engagement.tasks.process_tracking", interval=1.0)


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


def _process_many(rows: list[TrackingIntake], settings_row: EngagementSettings) -> list[TrackingIntake]:
    """The batched form of ``_process`` over locked rows: the same outcomes, reasons and events as
    one row at a time, with one query per step for the whole batch (the visitors' leads, their
    opt-outs and contacts, the events already recorded, one multi-row insert of the events, one
    update of the leads' last activity, the event hooks once, one update of the rows). Answers the
    rows it leaves to ``_process`` (an event the checks of ``engagement_event_record`` refuse)."""
    Outcome = TrackingIntake.Outcome
    finished: list[TrackingIntake] = []
    alone: list[TrackingIntake] = []
    parsed: list[tuple[TrackingIntake, dict]] = []
    for row in rows:
        if not settings_row.tracking_enabled:
            row.outcome, row.reason, row.event = Outcome.IGNORED, "Website tracking is turned off.", None
            finished.append(row)
            continue
        fields, reason = _page_view_fields(row)
        if fields is None:
            row.outcome, row.reason, row.event = Outcome.IGNORED, reason[:300], None
            finished.append(row)
            continue
        fields["properties"] = {
            **fields["properties"],
            **({"user_agent": row.user_agent[:200]} if row.user_agent else {}),
        }
        if _validate(event_type=EngagementEvent.Type.PAGE_VIEW, url=fields["url"], properties=fields["properties"]):
            alone.append(row)
            continue
        parsed.append((row, fields))
    visitors = dict(
        TrackedVisitor.objects.filter(visitor_id__in={f["visitor_id"] for _row, f in parsed}).values_list(
            "visitor_id", "lead_id"
        )
    )
    lead_ids = set(visitors.values())
    opted_out = set(
        LeadTrackingPreference.objects.filter(lead_id__in=lead_ids, tracking_opt_out=True).values_list(
            "lead_id", flat=True
        )
    )
    contacts = dict(
        Lead.objects.filter(pk__in=lead_ids - opted_out, is_converted=True).values_list("pk", "conversion__contact_id")
    )
    keys = {row.pk: f"intake:{row.pk}" for row, _fields in parsed}
    recorded = dict(
        EngagementEvent.objects.filter(source="tracker", external_id__in=keys.values()).values_list("external_id", "pk")
    )
    now = timezone.now()
    new: list[tuple[TrackingIntake, EngagementEvent]] = []
    for row, fields in parsed:
        lead_id = visitors.get(fields["visitor_id"])
        if lead_id is not None and lead_id in opted_out:
            row.outcome, row.reason, row.event = Outcome.IGNORED, "The lead opted out of tracking.", None
        elif keys[row.pk] in recorded:
            row.outcome, row.reason, row.event_id = Outcome.RECORDED, "", recorded[keys[row.pk]]
        else:
            event = EngagementEvent(
                lead_id=lead_id,
                contact_id=contacts.get(lead_id),
                visitor_id=fields["visitor_id"],
                event_type=EngagementEvent.Type.PAGE_VIEW,
                occurred_at=row.received_at,
                recorded_at=now,
                url=fields["url"],
                referrer=fields["referrer"],
                title=fields["title"],
                campaign=fields["campaign"],
                properties=fields["properties"],
                source="tracker",
                external_id=keys[row.pk],
            )
            new.append((row, event))
            row.outcome, row.reason = Outcome.RECORDED, ""
        finished.append(row)
    events = EngagementEvent.objects.bulk_create([event for _row, event in new])
    for row, event in new:
        row.event = event
    times: dict[int, object] = {}
    for event in events:
        if event.lead_id is not None:
            times[event.lead_id] = max(times.get(event.lead_id, event.occurred_at), event.occurred_at)
    leads_last_activity_touch(times=times)
    run_engagement_event_hooks_many(events=events)
    processed_at = timezone.now()
    for row in finished:
        row.processed_at = processed_at
    update_rows(finished, ["outcome", "reason", "processed_at", "event"])
    return alone


def _process_alone(row: TrackingIntake, settings_row: EngagementSettings) -> bool:
    """``_process`` in a savepoint; a row that fails notes why and is tried again later."""
    try:
        with transaction.atomic():
            _process(row, settings_row)
    except Exception as exc:
        logger.exception("Tracking row %s could not be processed", row.pk)
        TrackingIntake.objects.filter(pk=row.pk).update(
            reason=f"Processing failed, to be tried again: {exc}"[:300], processed_at=timezone.now()
        )
        return False
    return True


def _process_claimed(rows: list[TrackingIntake], settings_row: EngagementSettings, *, batched: bool) -> int:
    """Process locked rows, together when they can be, else one by one; answers how many."""
    alone = rows
    if batched:
        try:
            with transaction.atomic():
                alone = _process_many(rows, settings_row)
        except Exception:
            logger.warning("A batch of %s tracking rows failed; processing them one by one.", len(rows), exc_info=True)
            alone = list(TrackingIntake.objects.filter(pk__in=[r.pk for r in rows]).order_by("received_at", "id"))
    by_pk = {row.pk: row for row in alone}
    done = 0
    for claimed in rows:
        row = by_pk.get(claimed.pk, claimed)
        # Each row's log lines carry the id of the request that stored it.
        with request_id_bound(row.request_id):
            if row.pk in by_pk and not _process_alone(row, settings_row):
                continue
            logger.info("Tracking row %s: %s", row.pk, row.outcome, extra={"tracking_intake_id": row.pk})
        done += 1
    return done


def tracking_process(*, batch_size: int = 200, batched: bool = True) -> int:
    """Turn received tracking rows into page-view events, oldest first, a batch of rows per
    transaction (``batched=False``: one row at a time, the reference the batched form is tested
    against); answers how many rows were processed. Safe to run concurrently and repeatedly: rows
    are claimed with ``skip_locked`` and a processed row is no longer received; a worker stopped in
    the middle of a batch leaves the whole batch received; a row whose processing failed is tried
    again later."""
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
            tried.update(row.pk for row in rows)
            done += _process_claimed(rows, settings_row, batched=batched)
