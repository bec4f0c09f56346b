"""Writing engagement events: one service for every source (tracking script, email pixel and
links, Web-to-Lead, API), idempotent per source and external id; and attaching an anonymous
visitor's visits to the lead it became."""

import json
import re
from datetime import datetime
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.registry import run_engagement_event_hooks, run_engagement_event_hooks_many
from leads.models import Lead

from ..models import EngagementEvent, LeadTrackingPreference, TrackedVisitor
from ..selectors import lead_opted_out
from .last_activity import lead_last_activity_refresh, lead_last_activity_touch, leads_last_activity_touch

VISITOR_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
# Properties are a small bag of facts, not a document store.
MAX_PROPERTIES_BYTES = 4000
# Sources that track a person without their doing anything in the app: a lead's opt-out stops them.
TRACKING_SOURCES = {"tracker", "email"}


def visitor_id_or_empty(value) -> str:
    """A plausible first-party visitor id, or "" for anything else."""
    return value if isinstance(value, str) and VISITOR_ID.match(value) else ""


def web_url_or_empty(value, *, max_length: int = 2000) -> str:
    """An http(s) URL (never a ``javascript:`` or ``data:`` one a page could later run), or ""."""
    if not isinstance(value, str) or not value or len(value) > max_length:
        return ""
    try:
        parts = urlsplit(value)
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return ""
    if any(ch in value for ch in "\x00\r\n\t<>\"' ") or _UNSTORABLE.search(value):
        return ""
    return value


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _clean_text(value, max_length: int) -> str:
    """Text as the database can hold it: no NUL, no lone UTF-16 surrogate (a JSON body can carry
    both); anything else than text is ""."""
    if not isinstance(value, str):
        return ""
    return _UNSTORABLE.sub("\ufffd", value[:max_length])


def _validate(*, event_type: str, url: str, properties) -> dict:
    errors: dict[str, list[str]] = {}
    if event_type not in EngagementEvent.Type.values:
        errors["event_type"] = [_("Choose one of the event types.")]
    if url and not web_url_or_empty(url):
        errors["url"] = [_("Enter an http or https URL.")]
    if not isinstance(properties, dict):
        errors["properties"] = [_("Properties must be a JSON object.")]
    else:
        try:
            text = json.dumps(properties, ensure_ascii=False, allow_nan=False)
            size = len(text.encode())  # a lone surrogate fails here
        except (TypeError, ValueError):
            text, size = "", 0
            errors["properties"] = [_("Properties must be JSON text, numbers and lists that can be stored.")]
        if "\\u0000" in text:  # PostgreSQL's jsonb holds no NUL character
            errors["properties"] = [_("Properties may not contain NUL characters.")]
        elif size > MAX_PROPERTIES_BYTES:
            errors["properties"] = [_("Properties must be at most %(n)s bytes of JSON.") % {"n": MAX_PROPERTIES_BYTES}]
    return errors


def engagement_event_record(
    *,
    event_type: str,
    source: str,
    lead: Lead | None = None,
    lead_id: int | None = None,
    visitor_id: str = "",
    occurred_at: datetime | None = None,
    url: str = "",
    referrer: str = "",
    title: str = "",
    outbound_email=None,
    template=None,
    template_id: int | None = None,
    campaign: str = "",
    properties: dict | None = None,
    is_machine: bool = False,
    external_id: str = "",
    acting_user=None,
) -> tuple[EngagementEvent | None, bool]:
    """Append one event; answers ``(event, created)``.

    With an ``external_id``, a second call from the same source answers the first event and adds
    nothing. An event of a tracking source for a lead that opted out is not stored: ``(None, False)``.
    Raises ``ValidationError`` with field errors for an unknown type, a non-web URL or properties
    that are not a small JSON object."""
    properties = {} if properties is None else properties
    lead_id = lead.pk if lead is not None else lead_id
    errors = _validate(event_type=event_type, url=url, properties=properties)
    if lead_id is None and not visitor_id_or_empty(visitor_id):
        errors["lead"] = [_("Name the lead (or the visitor) the event belongs to.")]
    if errors:
        raise ValidationError(errors)
    if external_id:
        existing = EngagementEvent.objects.filter(source=source, external_id=external_id).first()
        if existing is not None:
            return existing, False
    if lead_id is not None and source in TRACKING_SOURCES and lead_opted_out(lead_id):
        return None, False
    now = timezone.now()
    event = EngagementEvent(
        lead_id=lead_id,
        contact_id=_contact_of(lead_id),
        visitor_id=visitor_id_or_empty(visitor_id),
        event_type=event_type,
        occurred_at=occurred_at or now,
        recorded_at=now,
        url=url,
        referrer=_clean_text(referrer, 2000),
        title=_clean_text(title, 500),
        outbound_email=outbound_email,
        template_id=template.pk if template is not None else template_id,
        campaign=_clean_text(campaign, 255),
        properties=properties,
        is_machine=is_machine,
        source=source,
        external_id=external_id[:200],
        created_by=acting_user if getattr(acting_user, "pk", None) else None,
    )
    try:
        with transaction.atomic():
            event.save(force_insert=True)
    except IntegrityError:
        # A concurrent call with the same external id won: answer its event.
        existing = (
            EngagementEvent.objects.filter(source=source, external_id=external_id).first() if external_id else None
        )
        if existing is None:
            raise
        return existing, False
    if event.lead_id is not None:
        lead_last_activity_touch(lead_id=event.lead_id, at=event.occurred_at)
    run_engagement_event_hooks(event=event)
    return event, True


def _contact_of(lead_id: int | None) -> int | None:
    """The contact a converted lead became, so its later events belong to both."""
    if lead_id is None:
        return None
    return Lead.objects.filter(pk=lead_id, is_converted=True).values_list("conversion__contact_id", flat=True).first()


@transaction.atomic
def visitor_attach(*, visitor_id: str, lead: Lead) -> int:
    """Make ``visitor_id`` the lead's: its anonymous visits become the lead's and its later page
    views go to the lead. A visitor already linked to another lead moves to this one (the browser's
    latest submission wins). Answers how many earlier events were attached. A lead that opted out
    of tracking gets none: the anonymous visits are left as they were."""
    visitor_id = visitor_id_or_empty(visitor_id)
    if not visitor_id or lead_opted_out(lead.pk):
        return 0
    TrackedVisitor.objects.update_or_create(visitor_id=visitor_id, defaults={"lead": lead, "linked_at": timezone.now()})
    attached = EngagementEvent.objects.filter(visitor_id=visitor_id, lead__isnull=True).update(
        lead=lead, contact_id=_contact_of(lead.pk)
    )
    if attached:
        lead_last_activity_refresh(lead_ids=[lead.pk])
    return attached


@transaction.atomic
def lead_tracking_opt_out_set(*, lead: Lead, opt_out: bool, acting_user) -> LeadTrackingPreference:
    """Record whether the lead may be tracked (website visits, email opens and clicks)."""
    preference, _ = LeadTrackingPreference.objects.select_for_update().get_or_create(lead=lead)
    preference.tracking_opt_out = opt_out
    preference.updated_by = acting_user if getattr(acting_user, "pk", None) else None
    preference.save()
    return preference


LEAD_MADE_VISITOR_FIELD = "lcrm_vid"


def on_web_to_lead(*, lead: Lead, intake, acting_user=None) -> list[str]:
    """Web-to-Lead hook, run after a submission made (or matched) a lead: the submitting browser's
    visitor id, posted in the form's ``lcrm_vid`` field, brings its earlier visits to the lead, and
    the submission itself is recorded as a form-submit event. Answers notes for the intake row."""
    payload = intake.payload if isinstance(intake.payload, dict) else {}
    visitor_id = visitor_id_or_empty(payload.get(LEAD_MADE_VISITOR_FIELD))
    attached = visitor_attach(visitor_id=visitor_id, lead=lead) if visitor_id else 0
    engagement_event_record(
        event_type=EngagementEvent.Type.FORM_SUBMIT,
        source="webtolead",
        lead=lead,
        visitor_id=visitor_id,
        title=_clean_text(getattr(intake.form, "name", ""), 500),
        campaign=_clean_text(getattr(intake, "campaign", "") or getattr(intake.form, "campaign", ""), 255),
        external_id=f"intake:{intake.pk}",
    )
    return [f"{attached} earlier website visits attached to the lead."] if attached else []


def on_web_to_lead_many(*, items, acting_user=None) -> dict[int, list[str]]:
    """``on_web_to_lead`` for a batch of (lead, intake) pairs: the form-submit events of new leads
    without a visitor id are written in one insert, with their leads' last activity; any other pair
    (a visitor to attach, a converted lead) goes through ``on_web_to_lead``. Notes by intake id."""
    notes: dict[int, list[str]] = {}
    plain = []
    for lead, intake in items:
        payload = intake.payload if isinstance(intake.payload, dict) else {}
        if visitor_id_or_empty(payload.get(LEAD_MADE_VISITOR_FIELD)) or lead.is_converted:
            notes[intake.pk] = on_web_to_lead(lead=lead, intake=intake, acting_user=acting_user)
        else:
            plain.append((lead, intake))
    if not plain:
        return notes
    keys = {intake.pk: f"intake:{intake.pk}" for _lead, intake in plain}
    recorded = set(
        EngagementEvent.objects.filter(source="webtolead", external_id__in=keys.values()).values_list(
            "external_id", flat=True
        )
    )
    now = timezone.now()
    events = [
        EngagementEvent(
            lead_id=lead.pk,
            event_type=EngagementEvent.Type.FORM_SUBMIT,
            occurred_at=now,
            recorded_at=now,
            title=_clean_text(getattr(intake.form, "name", ""), 500),
            campaign=_clean_text(getattr(intake, "campaign", "") or getattr(intake.form, "campaign", ""), 255),
            properties={},
            source="webtolead",
            external_id=keys[intake.pk],
            created_by=acting_user if getattr(acting_user, "pk", None) else None,
        )
        for lead, intake in plain
        if keys[intake.pk] not in recorded
    ]
    EngagementEvent.objects.bulk_create(events, batch_size=1000)
    leads_last_activity_touch(times={event.lead_id: now for event in events})
    run_engagement_event_hooks_many(events=events)
    return notes


def on_conversion(*, conversion, acting_user=None) -> None:
    """Conversion hook: the lead's events also belong to the contact it became."""
    if conversion.contact_id:
        EngagementEvent.objects.filter(lead_id=conversion.lead_id).update(contact_id=conversion.contact_id)
