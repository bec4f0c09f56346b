"""Amounts, dates and times shown in the user's locale and time zone."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from core.fields import display_value, localized_amount
from core.models import FieldDefinition
from core.preferences import user_profile_update
from leads.selectors import Column, lead_list_rows
from tests.factories import LeadFactory, OpportunityFactory


@pytest.mark.parametrize(
    ("language", "shown"),
    [("en", "1,234,567.50"), ("es", "1\xa0234\xa0567,50"), ("fr", "1\xa0234\xa0567,50")],
)
def test_amounts_are_grouped_and_separated_for_the_language(language, shown):
    with translation.override(language):
        assert localized_amount(Decimal("1234567.5")) == shown


def test_a_custom_currency_field_is_shown_for_the_language(db):
    definition = FieldDefinition(object_name="lead", api_name="Budget__c", label="Budget", field_type="currency")

    with translation.override("es"):
        assert display_value(definition, 2500) == "2\xa0500,00"
    with translation.override("en"):
        assert display_value(definition, 12500.5) == "12,500.50"


def test_the_lead_page_shows_the_annual_revenue_in_the_users_locale(client, rep):
    lead = LeadFactory(owner_user=rep, annual_revenue=Decimal("1234567.50"))
    user_profile_update(user=rep, data={"language": "es"}, acting_user=rep)
    client.force_login(rep)

    page = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()

    assert "1\xa0234\xa0567,50" in page
    assert "1,234,567.50" not in page


def test_the_opportunity_page_shows_the_amount_in_the_users_locale(client, rep):
    opportunity = OpportunityFactory(owner=rep, amount=Decimal("98765.40"))
    user_profile_update(user=rep, data={"language": "fr"}, acting_user=rep)
    client.force_login(rep)

    page = client.get(reverse("sales:opportunity_detail", args=[opportunity.pk])).content.decode()

    assert "98\xa0765,40" in page


def test_list_times_are_shown_in_the_users_time_zone(rep):
    lead = LeadFactory(owner_user=rep)
    lead.created_at = datetime.datetime(2026, 12, 4, 23, 30, tzinfo=datetime.UTC)
    column = Column("created_at", "Created Date", "datetime", True)

    with timezone.override("Asia/Tokyo"):
        tokyo = lead_list_rows(leads=[lead], columns=[column], picklists={})[0][1][0]
    with timezone.override("America/New_York"):
        new_york = lead_list_rows(leads=[lead], columns=[column], picklists={})[0][1][0]

    assert tokyo == "2026-12-05 08:30"
    assert new_york == "2026-12-04 18:30"
