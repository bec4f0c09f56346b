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


@pytest.fixture(autouse=True)
def _english_afterwards():
    # A signed-in request activates the user's language for the rest of the thread.
    yield
    translation.activate("en-us")


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

    with timezone.override("Asia/Tokyo"), translation.override("en"):
        tokyo = lead_list_rows(leads=[lead], columns=[column], picklists={})[0][1][0]
    with timezone.override("America/New_York"), translation.override("en"):
        new_york = lead_list_rows(leads=[lead], columns=[column], picklists={})[0][1][0]

    assert tokyo == "12/05/2026 8:30 a.m."
    assert new_york == "12/04/2026 6:30 p.m."


@pytest.mark.parametrize(
    ("language", "shown"), [("en", "12/04/2026 6:30 p.m."), ("es", "04/12/2026 18:30"), ("fr", "04/12/2026 18:30")]
)
def test_list_times_are_shown_in_the_users_locale(rep, language, shown):
    lead = LeadFactory(owner_user=rep)
    lead.last_modified_at = datetime.datetime(2026, 12, 4, 23, 30, tzinfo=datetime.UTC)
    column = Column("last_modified_at", "Last Modified Date", "datetime", True)

    with timezone.override("America/New_York"), translation.override(language):
        cell = lead_list_rows(leads=[lead], columns=[column], picklists={})[0][1][0]

    assert cell == shown


@pytest.mark.parametrize(("language", "shown"), [("en", "03/01/2026"), ("fr", "01/03/2026")])
def test_a_custom_date_field_is_shown_in_the_users_locale(db, language, shown):
    definition = FieldDefinition(object_name="lead", api_name="Renewal__c", label="Renewal", field_type="date")

    with translation.override(language):
        assert display_value(definition, "2026-03-01") == shown


def test_the_csv_export_keeps_one_fixed_form_whatever_the_locale(client, system_admin):
    LeadFactory(owner_user=system_admin, created_at=datetime.datetime(2026, 12, 4, 23, 30, tzinfo=datetime.UTC))
    user_profile_update(
        user=system_admin, data={"language": "fr", "time_zone": "Europe/Paris"}, acting_user=system_admin
    )
    client.force_login(system_admin)

    body = b"".join(client.get("/api/leads/export.csv", {"view": "all"}).streaming_content).decode("utf-8-sig")

    assert "2026-12-05 00:30" in body


def test_related_lists_show_times_in_the_users_locale_and_time_zone(client, rep):
    from leads.models import LeadNote

    lead = LeadFactory(owner_user=rep)
    LeadNote.objects.create(
        lead=lead, body="Called", created_by=rep, created_at=datetime.datetime(2026, 12, 4, 23, 30, tzinfo=datetime.UTC)
    )
    user_profile_update(user=rep, data={"language": "es", "time_zone": "Europe/Madrid"}, acting_user=rep)
    client.force_login(rep)

    page = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()

    assert "05/12/2026 00:30" in page
