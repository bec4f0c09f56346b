"""The batched drain of stored tracking requests gives each row the outcome, reason and event that
processing it alone gives (hypothesis draws the rows: page views of known, unknown and opted-out
visitors, malformed bodies, oversized properties), with a handful of statements per batch."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engagement.models import EngagementEvent, LeadTrackingPreference, TrackedVisitor, TrackingIntake
from engagement.services import engagement_settings_update, tracking_process
from leads.models import Lead
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db

KNOWN, OPTED_OUT, ANONYMOUS = "visitorknown0001", "visitoroptout001", "visitoranon00001"
EVENT_FIELDS = (
    "lead_id",
    "contact_id",
    "visitor_id",
    "event_type",
    "occurred_at",
    "url",
    "referrer",
    "title",
    "campaign",
    "properties",
    "is_machine",
    "source",
)

page_views = st.fixed_dictionaries(
    {
        "type": st.sampled_from(["page_view", "page_view", "page_view", "form_submit"]),
        "vid": st.sampled_from([KNOWN, OPTED_OUT, ANONYMOUS, "bad id!", None]),
        "url": st.sampled_from(["https://www.example.com/pricing", "javascript:alert(1)", "", None]),
        "title": st.text(max_size=20),
        "referrer": st.sampled_from(["https://search.example/", "ftp://x", None]),
        # Control characters grow sixfold in JSON: enough of them make the properties too big.
        "utm": st.dictionaries(
            st.sampled_from(["utm_source", "utm_campaign", "utm_medium", "other"]),
            st.sampled_from(["news", "spring", "\x01" * 255]),
            max_size=4,
        ),
    }
)
bodies = st.one_of(page_views.map(json.dumps), st.sampled_from(["", "not json", "[1, 2]", '{"type": 1}']))


@pytest.fixture
def visitors(rep):
    known, opted_out = LeadFactory(owner_user=rep), LeadFactory(owner_user=rep)
    now = timezone.now()
    TrackedVisitor.objects.create(visitor_id=KNOWN, lead=known, linked_at=now)
    TrackedVisitor.objects.create(visitor_id=OPTED_OUT, lead=opted_out, linked_at=now)
    LeadTrackingPreference.objects.create(lead=opted_out, tracking_opt_out=True)
    return known, opted_out


def _store(texts: list[str], received_at) -> list[int]:
    rows = TrackingIntake.objects.bulk_create(
        [
            TrackingIntake(body=text, received_at=received_at, user_agent="Agent/1.0" if n % 2 else "")
            for n, text in enumerate(texts)
        ]
    )
    return [row.pk for row in rows]


def _results(pks: list[int]) -> list[tuple]:
    rows = TrackingIntake.objects.in_bulk(pks)
    events = EngagementEvent.objects.in_bulk([rows[pk].event_id for pk in pks if rows[pk].event_id])
    out = []
    for pk in pks:
        row = rows[pk]
        event = events.get(row.event_id)
        fields = None if event is None else tuple(getattr(event, name) for name in EVENT_FIELDS)
        out.append((row.outcome, row.reason, row.processed_at is not None, fields))
    return out


def _run(texts: list[str], *, batched: bool, received_at) -> tuple[list[tuple], dict]:
    Lead.objects.update(last_activity_at=None)
    pks = _store(texts, received_at)
    tracking_process(batched=batched, batch_size=7)
    return _results(pks), dict(Lead.objects.values_list("pk", "last_activity_at"))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(bodies, min_size=1, max_size=20))
def test_a_batch_gives_every_row_what_one_row_at_a_time_gives(visitors, texts):
    received_at = timezone.now()

    alone, alone_activity = _run(texts, batched=False, received_at=received_at)
    together, together_activity = _run(texts, batched=True, received_at=received_at)

    assert together == alone
    assert together_activity == alone_activity
    assert not TrackingIntake.objects.filter(outcome=TrackingIntake.Outcome.RECEIVED, processed_at__isnull=True)


def test_a_batch_of_page_views_costs_a_few_statements_however_many_rows(visitors):
    known, _opted_out = visitors
    texts = [json.dumps({"vid": KNOWN, "url": f"https://www.example.com/{n}"}) for n in range(150)]
    _store(texts, timezone.now())

    with CaptureQueriesContext(connection) as queries:
        assert tracking_process() == 150

    assert len(queries) < 25
    assert EngagementEvent.objects.filter(lead=known, source="tracker").count() == 150
    known.refresh_from_db()
    assert known.last_activity_at == TrackingIntake.objects.order_by("-received_at").first().received_at


def test_tracking_turned_off_ignores_the_whole_batch(visitors, marketing_admin):
    engagement_settings_update(tracking_enabled=False, acting_user=marketing_admin)
    pks = _store([json.dumps({"vid": KNOWN, "url": "https://www.example.com/"})] * 3, timezone.now())

    assert tracking_process() == 3

    assert {r[:2] for r in _results(pks)} == {("ignored", "Website tracking is turned off.")}
    assert not EngagementEvent.objects.exists()


def test_a_row_whose_event_was_recorded_before_is_not_recorded_twice(visitors):
    known, _opted_out = visitors
    (pk,) = _store([json.dumps({"vid": KNOWN, "url": "https://www.example.com/"})], timezone.now())
    earlier = EngagementEvent.objects.create(
        lead=known,
        event_type="page_view",
        occurred_at=timezone.now(),
        recorded_at=timezone.now(),
        source="tracker",
        external_id=f"intake:{pk}",
    )

    assert tracking_process() == 1

    assert TrackingIntake.objects.get(pk=pk).event_id == earlier.pk
    assert EngagementEvent.objects.count() == 1
