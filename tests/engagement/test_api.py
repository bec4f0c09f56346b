"""The engagement API: integrations report events by lead id or email, idempotently; a lead's
events are read by those who can see the lead."""

import pytest

from core.services import org_settings_update
from engagement.models import EngagementEvent
from engagement.services import engagement_event_record
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db
URL = "/api/engagement-events/"


def test_an_event_is_reported_by_lead_id(api, rep, lead):
    response = api.as_user(rep).post(
        URL, {"lead": lead.pk, "event_type": "custom", "title": "Webinar attended"}, format="json"
    )

    assert response.status_code == 201, response.json()
    event = EngagementEvent.objects.get()
    assert (event.lead, event.source, event.title, event.created_by) == (lead, "api", "Webinar attended", rep)


def test_an_event_is_reported_by_email_and_once_per_external_id(api, rep, lead):
    client = api.as_user(rep)
    body = {
        "email": "GRACE@hopper.example",
        "event_type": "page_view",
        "url": "https://a.example/",
        "external_id": "e-9",
    }

    first = client.post(URL, body, format="json")
    again = client.post(URL, body, format="json")

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert EngagementEvent.objects.filter(lead=lead).count() == 1


def test_bad_input_is_a_400_with_field_errors(api, rep, lead):
    client = api.as_user(rep)

    no_lead = client.post(URL, {"event_type": "custom"}, format="json")
    bad = client.post(URL, {"lead": lead.pk, "event_type": "warp", "properties": {"a": 1}}, format="json")
    bad_url = client.post(URL, {"lead": lead.pk, "event_type": "custom", "url": "javascript:alert(1)"}, format="json")
    unknown = client.post(URL, {"email": "nobody@example.com", "event_type": "custom"}, format="json")

    assert no_lead.status_code == 400
    assert "lead" in no_lead.json()
    assert bad.status_code == 400
    assert "event_type" in bad.json()
    assert bad_url.status_code == 400
    assert "url" in bad_url.json()
    assert unknown.status_code == 400
    assert "email" in unknown.json()
    assert not EngagementEvent.objects.exists()


def test_a_lead_the_user_cannot_see_is_not_found(api, other_rep, lead, system_admin):
    org_settings_update(lead_access="private", acting_user=system_admin)
    client = api.as_user(other_rep)

    assert client.post(URL, {"lead": lead.pk, "event_type": "custom"}, format="json").status_code == 400
    assert client.get(f"/api/leads/{lead.pk}/engagement/").status_code == 404


def test_a_leads_events_are_listed_newest_first(api, rep, lead):
    engagement_event_record(event_type="custom", source="api", lead=lead, title="older")
    engagement_event_record(event_type="custom", source="api", lead=lead, title="newer")
    engagement_event_record(event_type="custom", source="api", lead=LeadFactory(owner_user=rep), title="other lead")

    response = api.as_user(rep).get(f"/api/leads/{lead.pk}/engagement/")

    assert response.status_code == 200
    assert [e["title"] for e in response.json()["results"]] == ["newer", "older"]


def test_the_endpoints_are_in_the_schema(api, rep):
    schema = api.as_user(rep).get("/api/schema/?format=json").json()

    assert "/api/engagement-events/" in schema["paths"]
    assert "/api/leads/{id}/engagement/" in schema["paths"]
