"""The consent ledger: the newest line wins, a withdrawal wins over an older grant, and the
record's email opt-out follows through the lead's update service (Field History)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from consent.models import ConsentRecord, Purpose
from consent.services import consent_record, consent_state, effective_action, email_hash
from core.models import FieldHistory
from core.registry import register_email_opt_out_hook
from engagement.models import EngagementEvent
from tests.factories import LeadFactory

GRANTED, PENDING, WITHDRAWN = "granted", "pending", "withdrawn"
BASE = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)

lines = st.lists(
    st.tuples(st.integers(min_value=0, max_value=50), st.sampled_from([GRANTED, PENDING, WITHDRAWN])), max_size=12
)


@given(lines, st.integers(min_value=0, max_value=50), st.integers(min_value=0, max_value=50), st.randoms())
def test_a_withdrawal_always_wins_over_an_older_grant(history, grant_at, later, rnd):
    # given any ledger, a grant, and a withdrawal at the same time or later
    withdrawn_at = grant_at + later
    ledger = [(BASE + dt.timedelta(minutes=m), a) for m, a in history]
    ledger += [(BASE + dt.timedelta(minutes=grant_at), GRANTED), (BASE + dt.timedelta(minutes=withdrawn_at), WITHDRAWN)]
    # whatever lines come after the withdrawal are not grants
    ledger = [(at, a) for at, a in ledger if not (a != WITHDRAWN and at > BASE + dt.timedelta(minutes=withdrawn_at))]
    rnd.shuffle(ledger)
    # then, read in any order, the state is withdrawn
    assert effective_action(ledger) == WITHDRAWN


@given(lines, st.randoms())
def test_the_newest_line_decides_whatever_the_order_lines_arrive_in(history, rnd):
    ledger = [(BASE + dt.timedelta(minutes=m), a) for m, a in history]
    shuffled = list(ledger)
    rnd.shuffle(shuffled)
    assert effective_action(shuffled) == effective_action(ledger)
    if ledger:
        newest = max(at for at, _ in ledger)
        assert effective_action(ledger) in {a for at, a in ledger if at == newest}
    else:
        assert effective_action(ledger) is None


def test_a_newer_grant_lifts_a_withdrawal():
    then = timezone.now() - dt.timedelta(days=1)
    assert effective_action([(then, WITHDRAWN), (timezone.now(), GRANTED)]) == GRANTED


def test_withdrawal_sets_the_opt_out_with_field_history_an_event_and_the_opt_out_hooks(db):
    lead = LeadFactory()
    told = []
    register_email_opt_out_hook(told_hook := lambda **kw: told.append(kw))
    try:
        line = consent_record(
            lead=lead,
            purpose=Purpose.MARKETING_EMAIL,
            action=WITHDRAWN,
            source="preference_page",
            ip_address="203.0.113.5",
        )
    finally:
        from core import registry

        registry._email_opt_out_hooks.remove(told_hook)
    lead.refresh_from_db()
    assert lead.email_opt_out is True
    assert line.email_hash == email_hash(lead.email)
    assert line.ip_address == "203.0.113.5"
    history = FieldHistory.objects.get(object_name="lead", record_id=lead.pk, field_name="email_opt_out")
    assert history.old_value != history.new_value
    assert "Consent withdrawn" in history.note
    assert EngagementEvent.objects.filter(lead=lead, event_type="unsubscribe").count() == 1
    assert told == [{"object_name": "lead", "record_id": lead.pk, "reason": "Preference page", "acting_user": None}]


def test_an_older_grant_recorded_late_does_not_undo_a_withdrawal(db):
    lead = LeadFactory()
    consent_record(lead=lead, purpose=Purpose.MARKETING_EMAIL, action=WITHDRAWN, source="api")
    consent_record(
        lead=lead,
        purpose=Purpose.MARKETING_EMAIL,
        action=GRANTED,
        source="import",
        occurred_at=timezone.now() - dt.timedelta(days=30),
    )
    lead.refresh_from_db()
    assert lead.email_opt_out is True
    assert consent_state(lead=lead, purpose=Purpose.MARKETING_EMAIL) == WITHDRAWN


def test_a_newer_grant_clears_the_opt_out(db):
    lead = LeadFactory()
    consent_record(lead=lead, purpose=Purpose.MARKETING_EMAIL, action=WITHDRAWN, source="api")
    consent_record(lead=lead, purpose=Purpose.MARKETING_EMAIL, action=GRANTED, source="preference_page")
    lead.refresh_from_db()
    assert lead.email_opt_out is False


def test_the_ledger_of_an_address_covers_every_record_with_it(db):
    # given a withdrawal on one lead
    first = LeadFactory(email="Same@Example.com")
    consent_record(lead=first, purpose=Purpose.MARKETING_EMAIL, action=WITHDRAWN, source="api")
    # then another record with the same address (a duplicate, a merged record) is withdrawn too
    second = LeadFactory(email="same@example.com")
    assert consent_state(lead=second, address=second.email, purpose=Purpose.MARKETING_EMAIL) == WITHDRAWN


def test_phone_consent_does_not_touch_the_email_opt_out(db):
    lead = LeadFactory()
    consent_record(lead=lead, purpose=Purpose.PHONE, action=WITHDRAWN, source="api")
    lead.refresh_from_db()
    assert lead.email_opt_out is False
    assert not EngagementEvent.objects.filter(lead=lead).exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"purpose": "fax"}, "purpose"),
        ({"action": "maybe"}, "action"),
        ({"source": "rumour"}, "source"),
        ({"occurred_at": timezone.now() + dt.timedelta(days=2)}, "occurred_at"),
    ],
)
def test_bad_input_is_refused_with_field_errors(db, changes, field):
    lead = LeadFactory()
    values = {"purpose": Purpose.MARKETING_EMAIL, "action": GRANTED, "source": "api", **changes}
    with pytest.raises(ValidationError) as caught:
        consent_record(lead=lead, **values)
    assert field in caught.value.message_dict
    assert not ConsentRecord.objects.exists()
