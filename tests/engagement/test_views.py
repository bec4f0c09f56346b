"""The lead page shows the Engagement timeline, newest first and paged with htmx; the Setup page
changes the tracking settings."""

import datetime as dt

import pytest
from django.utils import timezone

from engagement.models import EngagementEvent, LeadTrackingPreference
from engagement.selectors import engagement_settings
from engagement.services import engagement_event_record

pytestmark = pytest.mark.django_db


def _events(lead, count):
    start = timezone.now() - dt.timedelta(days=1)
    for n in range(count):
        engagement_event_record(
            event_type=EngagementEvent.Type.PAGE_VIEW if n % 2 else EngagementEvent.Type.EMAIL_OPEN,
            source="api",
            lead=lead,
            title=f"Event {n:02d}",
            url="https://www.example.com/",
            occurred_at=start + dt.timedelta(minutes=n),
        )


def test_the_lead_page_shows_the_newest_events_with_their_icons(client, rep, lead):
    _events(lead, 12)
    client.force_login(rep)

    page = client.get(f"/leads/{lead.pk}/").content.decode()

    assert 'id="lead-engagement"' in page
    # The Engagement related list (the Activity History above it shows the events too).
    html = page[page.index('id="lead-engagement"') :]
    assert "Engagement (12)" in html
    assert html.index("Event 11") < html.index("Event 10")
    assert "Event 01" not in html  # on the second page
    assert "bi-envelope-open" in html
    assert "bi-eye" in html
    assert "?page=2" in html


def test_the_next_page_is_an_htmx_partial_of_older_events(client, rep, lead):
    _events(lead, 12)
    client.force_login(rep)

    response = client.get(f"/leads/{lead.pk}/engagement/?page=2", HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Event 01" in html
    assert "Event 00" in html
    assert "Event 11" not in html
    assert "<html" not in html


def test_the_timeline_of_a_lead_one_cannot_see_is_404(client, other_rep, lead, system_admin):
    from core.services import org_settings_update

    org_settings_update(lead_access="private", acting_user=system_admin)
    client.force_login(other_rep)

    assert client.get(f"/leads/{lead.pk}/engagement/").status_code == 404


def test_the_owner_opts_the_lead_out_of_tracking(client, rep, lead):
    client.force_login(rep)

    response = client.post(f"/leads/{lead.pk}/engagement/opt-out/", {"opt_out": "1"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert "opted out of tracking" in response.content.decode()
    assert LeadTrackingPreference.objects.get(lead=lead).tracking_opt_out is True


def test_an_admin_turns_tracking_off_on_the_setup_page(client, marketing_admin):
    client.force_login(marketing_admin)
    page = client.get("/setup/engagement/")
    assert page.status_code == 200
    assert "/t/track.js" in page.content.decode()

    response = client.post("/setup/engagement/", {"email_tracking_enabled": "on", "rate_limit_per_minute": "60"})

    assert response.status_code == 302
    settings_row = engagement_settings()
    assert (settings_row.tracking_enabled, settings_row.rate_limit_per_minute) == (False, 60)


def test_a_rep_may_not_open_the_setup_page(client, rep):
    client.force_login(rep)

    assert client.get("/setup/engagement/").status_code == 403
