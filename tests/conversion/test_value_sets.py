"""Conversion keeps shared picklist values, and the convert page warns about values it cannot keep."""

import pytest
from django.urls import reverse

from core.services import picklist_value_create
from tests.conversion.test_views import _post

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_a_lead_source_added_to_the_lead_is_kept_on_contact_and_opportunity(lead, rep, marketing_admin, convert):
    picklist_value_create(object_name="lead", field_name="lead_source", label="Podcast", acting_user=marketing_admin)
    lead.lead_source = "Podcast"
    lead.save(update_fields=["lead_source"])

    conversion = convert(lead, rep)

    assert conversion.contact.lead_source == "Podcast"
    assert conversion.opportunity.lead_source == "Podcast"


def test_the_preview_warns_about_a_value_the_target_cannot_take(client, lead, rep, marketing_admin):
    # Industry is not a shared value set: a value added to the lead's picklist only is not the account's.
    picklist_value_create(object_name="lead", field_name="industry", label="Aerospace", acting_user=marketing_admin)
    lead.industry = "Aerospace"
    lead.save(update_fields=["industry"])
    client.force_login(rep)

    page = client.get(reverse("conversion:convert", args=[lead.pk])).content.decode()
    preview = client.post(
        reverse("conversion:convert", args=[lead.pk]), _post(lead, rep, action="preview"), **HTMX
    ).content.decode()

    assert 'data-testid="mapping-warnings"' in page
    assert "Account Industry: “Aerospace” is not a value of this picklist" in page
    assert 'data-testid="preview-warnings"' in preview
    assert "Account Industry: “Aerospace” is not a value of this picklist, so it is left empty." in preview
    assert 'class="table-warning"' in preview


def test_the_preview_has_no_warning_when_every_value_is_carried_over(client, lead, rep):
    client.force_login(rep)

    page = client.get(reverse("conversion:convert", args=[lead.pk])).content.decode()
    preview = client.post(
        reverse("conversion:convert", args=[lead.pk]), _post(lead, rep, action="preview"), **HTMX
    ).content.decode()

    assert "mapping-warnings" not in page
    assert "preview-warnings" not in preview


def test_a_lead_source_added_to_the_lead_is_offered_by_the_contact_and_opportunity_forms(client, rep, marketing_admin):
    picklist_value_create(object_name="lead", field_name="lead_source", label="Podcast", acting_user=marketing_admin)
    client.force_login(rep)

    for name in ("sales:contact_create", "sales:opportunity_create"):
        body = client.get(reverse(name)).content.decode()
        assert '<option value="Podcast">Podcast</option>' in body, name
