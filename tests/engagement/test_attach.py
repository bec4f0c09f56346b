"""A browser that visited the site and then submits a Web-to-Lead form brings its earlier visits
to the lead; its later visits go straight to the lead."""

import pytest

from engagement.models import EngagementEvent, TrackingIntake
from engagement.services import tracking_process
from leads.models import Lead

from .conftest import VISITOR

pytestmark = pytest.mark.django_db


def _visit(client, path):
    body = f'{{"type": "page_view", "vid": "{VISITOR}", "url": "https://www.example.com{path}", "title": "{path}"}}'
    assert client.post("/t/events/", data=body, content_type="text/plain").status_code == 204


def test_earlier_visits_attach_to_the_lead_the_visitor_becomes(client, web_form, fields_for):
    _visit(client, "/")
    _visit(client, "/pricing")
    tracking_process()
    assert EngagementEvent.objects.filter(visitor_id=VISITOR, lead__isnull=True).count() == 2

    response = client.post("/web-to-lead/", fields_for(web_form, lcrm_vid=VISITOR))

    assert response.status_code == 303
    lead = Lead.objects.get()
    types = list(EngagementEvent.objects.filter(lead=lead).order_by("id").values_list("event_type", flat=True))
    assert types == ["page_view", "page_view", "form_submit"]
    assert EngagementEvent.objects.get(event_type="form_submit").campaign == "Spring launch"

    _visit(client, "/thanks")
    tracking_process()
    assert EngagementEvent.objects.filter(lead=lead, event_type="page_view").count() == 3
    assert TrackingIntake.objects.filter(outcome=TrackingIntake.Outcome.RECORDED).count() == 3


def test_a_submission_without_a_visitor_id_attaches_nothing(client, web_form, fields_for):
    _visit(client, "/")
    tracking_process()

    client.post("/web-to-lead/", fields_for(web_form, lcrm_vid="<script>"))

    lead = Lead.objects.get()
    assert list(EngagementEvent.objects.filter(lead=lead).values_list("event_type", flat=True)) == ["form_submit"]
    assert EngagementEvent.objects.filter(lead__isnull=True).count() == 1
