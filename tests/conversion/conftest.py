"""Fixtures of the conversion tests: a well-filled lead, products, and a helper that converts."""

from decimal import Decimal

import pytest

from conversion.services import ConvertOptions, lead_convert
from sales.models import Product
from tests.factories import LeadFactory


@pytest.fixture
def lead(rep):
    return LeadFactory(
        owner_user=rep,
        salutation="Ms.",
        first_name="Ann",
        last_name="Archer",
        title="CTO",
        company="Acme Corp",
        email="ann@acme-corp.example",
        phone="+1 555 0100",
        mobile="+1 555 0101",
        website="www.acme-corp.example",
        street="1 Main St",
        city="Springfield",
        state="IL",
        postal_code="62701",
        country="USA",
        industry="Banking",
        annual_revenue=Decimal("1500000.00"),
        number_of_employees=250,
        rating="Hot",
        lead_source="Website",
        description="Wants a demo.",
        do_not_call=True,
        status="Working",
    )


@pytest.fixture
def product(db):
    return Product.objects.create(name="Widget Pro", product_code="WP-1", list_price=Decimal("100.00"))


@pytest.fixture
def convert():
    def _convert(lead, user, **options):
        return lead_convert(lead=lead, acting_user=user, options=ConvertOptions(**options))

    return _convert


@pytest.fixture
def opportunity_required(db):
    from leads.routing.selectors import lead_settings

    row = lead_settings()
    row.opportunity_required_on_convert = True
    row.save()
    return row
