"""A small known data set for the standard reports (dates in November 2026, UTC)."""

import datetime as dt

import pytest

from core.models import FieldHistory
from tests.factories import LeadFactory


def at(day: int, month: int = 11) -> dt.datetime:
    return dt.datetime(2026, month, day, 12, 0, tzinfo=dt.UTC)


def status_change(lead, old: str, new: str, when: dt.datetime) -> None:
    FieldHistory.objects.create(
        object_name="lead",
        record_id=lead.pk,
        field_name="status",
        field_label="Lead Status",
        old_value=old,
        new_value=new,
        changed_at=when,
    )


def lead_with_history(*, day: int, source: str, changes, converted: bool, **owner):
    """A lead created on ``day`` with the status changes ``changes`` ((new status, hours after the
    previous one), reopenings and changes on the day of creation, 0 hours, included), then, when
    ``converted``, Qualified an hour later and converted an hour after that; owned as ``owner``."""
    created = at(day)
    status, when, steps = "New", created, []
    for new, hours in changes:
        when = when + dt.timedelta(hours=hours)
        steps.append((status, new, when))
        status = new
    if converted:
        steps.append((status, "Qualified", when + dt.timedelta(hours=1)))
        status = "Qualified"
    lead = LeadFactory(
        **owner,
        lead_source=source,
        status=status,
        created_at=created,
        is_converted=converted,
        converted_at=when + dt.timedelta(hours=2) if converted else None,
    )
    for old, new, moment in steps:
        status_change(lead, old, new, moment)
    return lead


RANGE = {"created_from": "2026-11-02", "created_to": "2026-11-15"}


@pytest.fixture
def known_leads(rep, other_rep):
    """rep: L1 New; L2 New->Working; L3 New->Working->Qualified, converted after 4 days; L6 converted
    after 2 days without history. other_rep: L4 New->Qualified, converted after 2 days. L5 is
    outside the date range."""
    leads = {
        "L1": LeadFactory(owner_user=rep, lead_source="Website", status="New", created_at=at(2), last_name="One"),
        "L2": LeadFactory(owner_user=rep, lead_source="Website", status="Working", created_at=at(2), last_name="Two"),
        "L3": LeadFactory(
            owner_user=rep,
            lead_source="Phone Inquiry",
            status="Qualified",
            created_at=at(3),
            is_converted=True,
            converted_at=at(7),
        ),
        "L4": LeadFactory(
            owner_user=other_rep,
            lead_source="Website",
            status="Qualified",
            created_at=at(9),
            is_converted=True,
            converted_at=at(11),
        ),
        "L5": LeadFactory(owner_user=rep, lead_source="Website", status="New", created_at=at(1, 10)),
        "L6": LeadFactory(
            owner_user=rep,
            lead_source="Phone Inquiry",
            status="Qualified",
            created_at=at(3),
            is_converted=True,
            converted_at=at(5),
        ),
    }
    status_change(leads["L2"], "New", "Working", at(3))
    status_change(leads["L3"], "New", "Working", at(4))
    status_change(leads["L3"], "Working", "Qualified", at(6))
    status_change(leads["L4"], "New", "Qualified", at(10))
    return leads
