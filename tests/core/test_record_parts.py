"""Higher apps add related lists to a record page through the registry, without the page's app
importing them."""

import pytest

from core import registry
from core.registry import RecordPart, record_parts, register_record_part


@pytest.fixture
def clean_parts():
    saved = dict(registry._record_parts)
    yield
    registry._record_parts.clear()
    registry._record_parts.update(saved)


def test_parts_come_in_order_and_only_for_their_object(clean_parts):
    register_record_part(RecordPart("lead", "later", lambda request, record: "B", order=20))
    register_record_part(RecordPart("lead", "first", lambda request, record: "A", order=10))
    register_record_part(RecordPart("contact", "other", lambda request, record: "C"))

    assert [p.key for p in record_parts("lead") if p.key in {"first", "later", "other"}] == ["first", "later"]


@pytest.mark.django_db
def test_the_lead_page_shows_registered_parts(clean_parts, client, rep):
    from tests.factories import LeadFactory

    lead = LeadFactory(owner_user=rep)
    register_record_part(
        RecordPart("lead", "probe", lambda request, record: f'<div id="probe">Part for {record.pk}</div>')
    )
    register_record_part(RecordPart("lead", "empty", lambda request, record: ""))
    client.force_login(rep)

    page = client.get(f"/leads/{lead.pk}/").content.decode()

    assert f'<div id="probe">Part for {lead.pk}</div>' in page
