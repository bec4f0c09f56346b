"""The public tracking endpoint: 204 at once, the body stored as it came (one insert) and turned
into a page view by the drain; nothing stored while tracking is off; limited per client address;
never a 5xx, whatever the body."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engagement.models import EngagementEvent, TrackingIntake
from engagement.selectors import engagement_settings
from engagement.services import engagement_settings_update, tracking_process

from .conftest import VISITOR

pytestmark = pytest.mark.django_db
URL = "/t/events/"


def _post(client, body, content_type="text/plain", **extra):
    raw = body if isinstance(body, bytes | str) else json.dumps(body)
    return client.post(URL, data=raw, content_type=content_type, **extra)


def test_a_page_view_is_answered_204_and_becomes_an_anonymous_event(client, page_view):
    response = _post(client, page_view())

    assert response.status_code == 204
    row = TrackingIntake.objects.get()
    assert row.outcome == TrackingIntake.Outcome.RECEIVED
    assert tracking_process() == 1
    event = EngagementEvent.objects.get()
    assert (event.event_type, event.visitor_id, event.lead) == ("page_view", VISITOR, None)
    assert event.url.startswith("https://www.example.com/pricing")
    assert (event.title, event.referrer, event.campaign) == ("Pricing", "https://search.example/", "spring")
    assert event.properties["utm_source"] == "news"
    assert tracking_process() == 0  # idempotent


def test_the_commit_hands_the_stored_request_to_the_drain_task(client, page_view, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, page_view())

    assert response.status_code == 204
    # The drain task ran (inline in the tests) after the commit.
    assert TrackingIntake.objects.get().outcome == TrackingIntake.Outcome.RECORDED
    assert EngagementEvent.objects.get().visitor_id == VISITOR


def test_the_answer_costs_a_single_insert(client, page_view):
    engagement_settings()  # the settings row exists (its first save empties the snapshot)
    _post(client, page_view())  # warm-up: settings snapshot and prepared statement

    with CaptureQueriesContext(connection) as queries:
        response = _post(client, page_view())

    assert response.status_code == 204
    statements = [q["sql"] for q in queries.captured_queries]
    assert len(statements) == 1, statements
    assert 'INSERT INTO "engagement_trackingintake"' in statements[0]


def test_with_tracking_turned_off_the_answer_is_204_and_nothing_is_stored(client, page_view, marketing_admin):
    engagement_settings_update(tracking_enabled=False, acting_user=marketing_admin)

    response = _post(client, page_view())

    assert response.status_code == 204
    assert not TrackingIntake.objects.exists()
    assert not EngagementEvent.objects.exists()


def test_requests_over_the_per_address_limit_are_refused_and_not_stored(client, page_view, marketing_admin):
    engagement_settings_update(rate_limit_per_minute=3, acting_user=marketing_admin)

    codes = [_post(client, page_view(), REMOTE_ADDR="203.0.113.9").status_code for _ in range(5)]
    other = _post(client, page_view(), REMOTE_ADDR="203.0.113.10").status_code

    assert codes == [204, 204, 204, 429, 429]
    assert other == 204
    assert TrackingIntake.objects.count() == 4


def test_junk_is_stored_as_it_came_and_ignored_by_the_worker(client):
    for body in ('{"vid": 5}', "not json", "[1, 2]", json.dumps({"vid": VISITOR, "url": "javascript:alert(1)"})):
        assert _post(client, body).status_code == 204

    assert tracking_process() == 4
    assert set(TrackingIntake.objects.values_list("outcome", flat=True)) == {TrackingIntake.Outcome.IGNORED}
    assert not EngagementEvent.objects.exists()


def test_a_huge_body_is_answered_and_not_kept(client, page_view):
    response = _post(client, page_view(title="x" * 100_000))

    assert response.status_code == 204
    assert not TrackingIntake.objects.exists()


def test_the_endpoint_takes_only_post(client):
    assert client.get(URL).status_code == 405


def test_the_script_is_first_party_and_respects_the_browsers_privacy_signals(client):
    response = client.get("/t/track.js")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    script = response.content.decode()
    assert '"http://testserver/t/events/"' in script
    assert "doNotTrack" in script
    assert "globalPrivacyControl" in script
    assert "localStorage" in script
    assert "document.cookie" not in script
    assert "var enabled = true;" in script


def test_with_tracking_off_the_script_sends_nothing(client, marketing_admin):
    engagement_settings_update(tracking_enabled=False, acting_user=marketing_admin)

    assert "var enabled = false;" in client.get("/t/track.js").content.decode()


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
_bodies = st.one_of(
    st.binary(max_size=3000),
    st.text(max_size=500).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.fixed_dictionaries(
        {"vid": _json | st.just(VISITOR), "url": _json | st.just("https://a.example/\x00"), "title": _json},
        optional={"utm": _json, "type": _json, "referrer": _json},
    ).map(lambda d: json.dumps(d, allow_nan=True).encode()),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=_bodies, content_type=st.sampled_from(["text/plain", "application/json", "", "multipart/form-data"]))
def test_no_body_makes_the_endpoint_or_the_worker_fail(client, body, content_type):
    response = client.generic("POST", URL, body, content_type=content_type)

    assert response.status_code == 204
    tracking_process()
    assert not TrackingIntake.objects.filter(outcome=TrackingIntake.Outcome.RECEIVED).exists()
    assert not TrackingIntake.objects.filter(reason__startswith="Processing failed").exists()
