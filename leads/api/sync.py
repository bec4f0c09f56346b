"""Keeping another system in step with the leads: every lead changed since a time, page after page
by a cursor on ``(last_modified_at, id)``, and the leads deleted since a time.

The cursor is the position after the last lead answered, so a page never repeats a lead nor skips
one, whatever changes between two requests: a lead changed again later comes back once more with
its new ``last_modified_at``, after the cursor. A change is only answered once it is ``SYNC_SETTLE_SECONDS``
old: a transaction still open when a page is read may commit a change stamped a little earlier, and
that change must not fall behind a cursor already handed out.
"""

import base64
import binascii
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from rest_framework import serializers

from core.models import FieldHistory, OrgSettings, RecycleBinEntry
from core.roles import sees_all_records
from core.selectors import org_settings

from ..fields import OBJECT_NAME
from ..models import Lead


def settle_seconds() -> int:
    return int(getattr(settings, "SYNC_SETTLE_SECONDS", 5))


def parse_since(raw: str, field: str) -> datetime:
    value = parse_datetime((raw or "").strip().replace(" ", "+"))
    if value is None:
        raise serializers.ValidationError(
            {field: [_("Give a date and time in ISO 8601, such as 2026-01-31T09:00:00Z.")]}
        )
    if timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    return value


def encode_cursor(last_modified_at: datetime, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{last_modified_at.isoformat()}|{pk}".encode()).decode().rstrip("=")


def decode_cursor(raw: str) -> tuple[datetime, int]:
    try:
        text = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode()
        stamp, _sep, pk = text.partition("|")
        when = parse_datetime(stamp)
        if when is None or timezone.is_naive(when):
            raise ValueError(stamp)
        return when, int(pk)
    except (ValueError, UnicodeDecodeError, binascii.Error):
        raise serializers.ValidationError({"cursor": [_("This cursor is not one this API gave.")]}) from None


@dataclass(frozen=True)
class SyncPage:
    leads: list
    cursor: str
    more: bool
    until: datetime


def changed_leads(queryset: QuerySet[Lead], *, since: datetime, cursor: str, size: int, now=None) -> SyncPage:
    """One page of the leads of ``queryset`` changed at or after ``since`` (after ``cursor`` when
    given), oldest change first, up to the settle horizon."""
    until = (now or timezone.now()) - timedelta(seconds=settle_seconds())
    qs = queryset.filter(last_modified_at__gte=since, last_modified_at__lt=until)
    if cursor:
        at, pk = decode_cursor(cursor)
        qs = qs.filter(Q(last_modified_at__gt=at) | Q(last_modified_at=at, pk__gt=pk))
    rows = list(qs.order_by("last_modified_at", "pk")[: size + 1])
    page, more = rows[:size], len(rows) > size
    next_cursor = encode_cursor(page[-1].last_modified_at, page[-1].pk) if page else cursor
    return SyncPage(leads=page, cursor=next_cursor, more=more, until=until)


@dataclass(frozen=True)
class Deleted:
    id: int
    deleted_at: datetime
    name: str


def deleted_leads(*, user, since: datetime, limit: int = 2000) -> list[Deleted]:
    """Leads deleted at or after ``since`` that are still deleted (a restored lead is a change
    again), oldest first. Users who see every lead get every deletion; others those of the leads
    they owned or deleted themselves while the Recycle Bin keeps them."""
    rows = FieldHistory.objects.filter(object_name=OBJECT_NAME, field_name="deleted", changed_at__gte=since)
    everyone = sees_all_records(user) or org_settings().lead_access != OrgSettings.LeadAccess.PRIVATE
    if not everyone:
        mine = RecycleBinEntry.objects.filter(object_name=OBJECT_NAME).filter(Q(owner_user=user) | Q(deleted_by=user))
        rows = rows.filter(record_id__in=mine.values("record_id"))
    found = list(rows.order_by("changed_at", "record_id").values_list("record_id", "changed_at")[: limit * 2])
    alive = set(Lead.objects.filter(pk__in={pk for pk, _at in found}).values_list("pk", flat=True))
    names = dict(
        RecycleBinEntry.objects.filter(object_name=OBJECT_NAME, record_id__in={pk for pk, _at in found}).values_list(
            "record_id", "name"
        )
    )
    answer: dict[int, Deleted] = {}
    for pk, at in found:
        if pk not in alive:
            answer[pk] = Deleted(id=pk, deleted_at=at, name=names.get(pk, ""))
    return sorted(answer.values(), key=lambda item: (item.deleted_at, item.id))[:limit]
