"""The standard reports take the lead list's record type filter."""

import pytest
from django.urls import reverse

from leads.processes.services import lead_record_type_create
from reports.selectors import run_report
from tests.factories import LeadFactory

from .conftest import RANGE, at

pytestmark = pytest.mark.django_db


def test_a_report_is_narrowed_to_one_record_type(marketing_admin, rep):
    partner = lead_record_type_create(
        name="Partner", statuses=["New", "Working", "Qualified"], acting_user=marketing_admin
    )
    LeadFactory(owner_user=rep, lead_source="Website", created_at=at(3), record_type=partner)
    LeadFactory(owner_user=rep, lead_source="Website", created_at=at(3))
    LeadFactory(owner_user=rep, lead_source="Trade Show", created_at=at(4))

    _spec, everything, _all = run_report(
        user=marketing_admin, key="leads-created", data={**RANGE, "group": "lead_source"}
    )
    _spec, params, _result = run_report(
        user=marketing_admin,
        key="leads-created",
        data={**RANGE, "group": "lead_source", "record_type": str(partner.pk)},
    )

    assert everything.leads.count() == 3
    assert params.leads.count() == 1
    assert params.lead_filters["record_type"] == str(partner.pk)


def test_the_report_page_offers_the_record_type_filter(client, marketing_admin):
    lead_record_type_create(name="Partner", statuses=["New", "Qualified"], acting_user=marketing_admin)
    client.force_login(marketing_admin)

    html = client.get(reverse("reports:detail", args=["leads-created"])).content.decode()

    assert 'name="record_type"' in html
    assert ">Partner<" in html
