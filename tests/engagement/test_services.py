"""Engagement events: appended once per external id, refused with field errors, attached to the
lead a visitor became, and not recorded for a lead that opted out of tracking."""

import pytest
from django.core.exceptions import ValidationError

from engagement.models import EngagementEvent, TrackedVisitor
from engagement.services import engagement_event_record, lead_tracking_opt_out_set, visitor_attach
from engagement.services.events import web_url_or_empty

from .conftest import VISITOR

pytestmark = pytest.mark.django_db
Type = EngagementEvent.Type


def test_an_event_with_an_external_id_is_recorded_once_per_source(lead):
    first, created = engagement_event_record(event_type=Type.CUSTOM, source="api", lead=lead, external_id="x-1")
    again, created_again = engagement_event_record(event_type=Type.CUSTOM, source="api", lead=lead, external_id="x-1")
    other, created_other = engagement_event_record(event_type=Type.CUSTOM, source="crm2", lead=lead, external_id="x-1")

    assert (created, created_again, created_other) == (True, False, True)
    assert again.pk == first.pk
    assert other.pk != first.pk
    assert EngagementEvent.objects.count() == 2


def test_bad_input_is_refused_with_field_errors(lead):
    with pytest.raises(ValidationError) as caught:
        engagement_event_record(
            event_type="teleport", source="api", lead=lead, url="javascript:alert(1)", properties={"x": "y" * 5000}
        )

    assert set(caught.value.message_dict) == {"event_type", "url", "properties"}
    assert not EngagementEvent.objects.exists()


def test_an_event_needs_a_lead_or_a_visitor():
    with pytest.raises(ValidationError) as caught:
        engagement_event_record(event_type=Type.PAGE_VIEW, source="tracker", visitor_id="no")

    assert "lead" in caught.value.message_dict


def test_only_web_addresses_are_kept_as_urls():
    assert web_url_or_empty("https://www.example.com/a?b=1") == "https://www.example.com/a?b=1"
    assert web_url_or_empty("javascript:alert(1)") == ""
    assert web_url_or_empty("data:text/html,<script>") == ""
    assert web_url_or_empty('https://x.example/"><script>') == ""
    assert web_url_or_empty(42) == ""


def test_a_visitors_anonymous_visits_attach_to_the_lead_it_became(lead):
    for path in ("/", "/pricing"):
        engagement_event_record(
            event_type=Type.PAGE_VIEW, source="tracker", visitor_id=VISITOR, url=f"https://www.example.com{path}"
        )
    engagement_event_record(event_type=Type.PAGE_VIEW, source="tracker", visitor_id="someone-else-123")

    attached = visitor_attach(visitor_id=VISITOR, lead=lead)

    assert attached == 2
    assert EngagementEvent.objects.filter(lead=lead).count() == 2
    assert EngagementEvent.objects.filter(lead__isnull=True).count() == 1
    assert TrackedVisitor.objects.get(visitor_id=VISITOR).lead == lead


def test_a_lead_that_opted_out_is_not_tracked(lead, rep):
    lead_tracking_opt_out_set(lead=lead, opt_out=True, acting_user=rep)
    engagement_event_record(event_type=Type.PAGE_VIEW, source="tracker", visitor_id=VISITOR)

    event, created = engagement_event_record(event_type=Type.EMAIL_OPEN, source="email", lead=lead)
    attached = visitor_attach(visitor_id=VISITOR, lead=lead)

    assert (event, created, attached) == (None, False, 0)
    assert not EngagementEvent.objects.filter(lead=lead).exists()
    # What the lead's own integration reports is not tracking: it is kept.
    assert engagement_event_record(event_type=Type.CUSTOM, source="api", lead=lead)[1] is True


def test_the_database_refuses_an_event_of_nobody():
    from django.db import IntegrityError
    from django.utils import timezone

    now = timezone.now()
    with pytest.raises(IntegrityError):
        EngagementEvent.objects.create(event_type=Type.CUSTOM, source="api", occurred_at=now, recorded_at=now)


def test_properties_the_database_cannot_hold_are_refused(lead):
    for properties in ({"a": "nul\x00"}, {"a": "\ud800"}, {"a": float("nan")}):
        with pytest.raises(ValidationError) as caught:
            engagement_event_record(event_type=Type.CUSTOM, source="api", lead=lead, properties=properties)
        assert "properties" in caught.value.message_dict


def test_after_conversion_the_leads_events_belong_to_its_contact_too(lead):
    from types import SimpleNamespace

    from engagement.services import on_conversion
    from tests.factories import ContactFactory

    engagement_event_record(event_type=Type.PAGE_VIEW, source="api", lead=lead)
    contact = ContactFactory()

    on_conversion(conversion=SimpleNamespace(lead_id=lead.pk, contact_id=contact.pk))

    assert EngagementEvent.objects.get().contact == contact
