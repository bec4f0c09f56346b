"""Which events a write of history rows stands for (no database)."""

from core.models import FieldHistory
from webhooks.services import events_of


def rows(*fields, note=""):
    return [FieldHistory(object_name="lead", record_id=1, field_name=f, field_label=f, note=note) for f in fields]


def test_a_created_lead_is_created_and_assigned_when_its_owner_was_chosen_in_the_same_write():
    assert events_of(rows("created")) == ["created"]
    assert events_of(rows("created", "owner")) == ["created", "assigned"]


def test_field_changes_are_an_update_and_an_owner_change_an_assignment():
    assert events_of(rows("status", "city")) == ["updated"]
    assert events_of(rows("owner")) == ["assigned"]
    assert events_of(rows("owner", "city")) == ["assigned", "updated"]


def test_conversion_deletion_restore_and_merge_are_their_own_events():
    assert events_of(rows("status", "is_converted")) == ["converted"]
    assert events_of(rows("deleted")) == ["deleted"]
    assert events_of(rows("restored")) == ["restored"]
    assert events_of(rows("merged", "city")) == ["merged"]


def test_rows_about_something_done_to_the_lead_are_no_update():
    assert events_of(rows("auto_response")) == []
    assert events_of(rows("sla_status")) == []
    assert events_of(rows("email", note="Email")) == []
    assert events_of(rows("email")) == ["updated"]
