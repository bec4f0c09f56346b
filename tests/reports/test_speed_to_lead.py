"""Speed to lead: creation to the first touch by a person."""

import datetime as dt

import pytest

from activities.models import Call
from core.models import FieldHistory
from emails.models import OutboundEmail
from leads.models import LeadNote
from reports.selectors import run_report
from tests.factories import LeadFactory

from .conftest import RANGE, at

pytestmark = pytest.mark.django_db
HOUR = dt.timedelta(hours=1)


def email(lead, when, user, key):
    OutboundEmail.objects.create(
        idempotency_key=key,
        kind="manual" if user else "auto_response",
        to_address="lead@example.com",
        subject="Hello",
        body_text="Hello",
        next_attempt_at=when,
        created_at=when,
        created_by=user,
        object_name="lead",
        record_id=lead.pk,
    )


def test_first_touch_by_a_person_per_owner(rep, other_rep, marketing_admin):
    # Given: a note at 2 h then a status change at 5 h; an automatic status change at 1 h then a
    # call at 4 h; an untouched lead; an auto-response at once then an email by the owner at 1 h.
    noted = LeadFactory(owner_user=rep, created_at=at(2))
    LeadNote.objects.create(lead=noted, body="Called back", created_by=rep, created_at=at(2) + 2 * HOUR)
    FieldHistory.objects.create(
        object_name="lead",
        record_id=noted.pk,
        field_name="status",
        field_label="Lead Status",
        old_value="New",
        new_value="Working",
        changed_by=rep,
        changed_at=at(2) + 5 * HOUR,
    )
    called = LeadFactory(owner_user=rep, created_at=at(3))
    FieldHistory.objects.create(
        object_name="lead",
        record_id=called.pk,
        field_name="status",
        field_label="Lead Status",
        old_value="New",
        new_value="Working",
        changed_by=None,
        changed_at=at(3) + HOUR,
    )
    Call.objects.create(
        lead=called,
        subject="Intro",
        assigned_to=rep,
        created_by=rep,
        created_at=at(3) + 4 * HOUR,
        last_modified_at=at(3) + 4 * HOUR,
        called_at=at(3) + 4 * HOUR,
    )
    LeadFactory(owner_user=rep, created_at=at(4))
    mailed = LeadFactory(owner_user=other_rep, created_at=at(5))
    email(mailed, at(5), None, "auto")
    email(mailed, at(5) + HOUR, other_rep, "manual")

    # When
    _spec, _params, result = run_report(user=marketing_admin, key="speed-to-lead", data=RANGE)

    # Then
    rows = {row["owner"]: row for row in result.rows}
    assert rows["Riley Rep"] == {
        "owner": "Riley Rep",
        "leads": 3,
        "touched": 2,
        "untouched": 1,
        "median_hours": 3.0,
        "p90_hours": 3.8,
    }
    assert rows["Olive Other"]["median_hours"] == 1.0
    assert rows["Total"]["touched"] == 3
    assert rows["Total"]["median_hours"] == 2.0
