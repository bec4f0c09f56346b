"""Deleting leads to the Recycle Bin, restoring them, and purging the bin (services, pages, API)."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from core.models import FieldHistory, RecycleBinEntry
from core.recycle_bin import recycle_bin_purge, recycle_bin_purge_expired
from core.services import custom_field_create
from core.tasks import purge_recycle_bin
from leads.models import Lead, LeadNote
from leads.services import lead_create, lead_delete, lead_note_create, lead_restore, lead_update
from tests.factories import LeadFactory, QueueFactory, UserFactory
from webtolead.models import Intake

pytestmark = pytest.mark.django_db


def _lead(rep, **data):
    values = {"last_name": "Lovelace", "first_name": "Ada", "company": "Engines", **data}
    return lead_create(data=values, acting_user=rep)


# Services ---------------------------------------------------------------------------------------


def test_delete_keeps_the_lead_whole_and_restore_brings_back_id_fields_notes_links_and_history(rep, marketing_admin):
    custom_field_create(object_name="lead", label="Score", field_type="number", acting_user=marketing_admin)
    lead = lead_create(
        data={"last_name": "Lovelace", "company": "Engines", "annual_revenue": "1250.50", "rating": "Hot"},
        custom_fields={"Score__c": 7},
        acting_user=rep,
    )
    lead = lead_update(lead=lead, data={"title": "Countess"}, acting_user=rep)
    lead_note_create(lead=lead, title="Call", body="Interested in engines", acting_user=rep)
    intake = Intake.objects.create(
        form_key="k",
        payload={},
        received_at=timezone.now(),
        public_ref="ref-1",
        lead=lead,
        outcome="created",
        processed_at=timezone.now(),
    )

    entry = lead_delete(lead=lead, acting_user=rep)

    assert not Lead.objects.filter(pk=lead.pk).exists()
    assert not LeadNote.objects.filter(lead_id=lead.pk).exists()
    intake.refresh_from_db()
    assert intake.lead_id is None
    assert (entry.record_id, entry.name, entry.detail, entry.owner_user, entry.deleted_by) == (
        lead.pk,
        "Lovelace",
        "Engines",
        rep,
        rep,
    )

    restored = lead_restore(entry=entry, acting_user=rep)

    assert restored.pk == lead.pk
    fresh = Lead.objects.get(pk=lead.pk)
    assert (fresh.title, fresh.rating, str(fresh.annual_revenue), fresh.custom_fields) == (
        "Countess",
        "Hot",
        "1250.50",
        {"Score__c": 7},
    )
    assert fresh.owner_user == rep
    assert fresh.version == lead.version + 1
    assert [n.body for n in LeadNote.objects.filter(lead=fresh)] == ["Interested in engines"]
    intake.refresh_from_db()
    assert intake.lead_id == lead.pk
    history = set(FieldHistory.objects.filter(record_id=lead.pk).values_list("field_name", flat=True))
    assert {"created", "title", "deleted", "restored"} <= history
    assert not RecycleBinEntry.objects.exists()


def test_only_the_owner_or_an_admin_deletes_and_public_read_write_does_not_grant_it(rep, other_rep, system_admin):
    from core.services import org_settings_update

    org_settings_update(lead_access="public_read_write", acting_user=system_admin)
    lead = _lead(rep)

    with pytest.raises(PermissionError):
        lead_delete(lead=lead, acting_user=other_rep)
    assert Lead.objects.filter(pk=lead.pk).exists()

    lead_delete(lead=lead, acting_user=system_admin)
    assert not Lead.objects.filter(pk=lead.pk).exists()


def test_a_queue_member_deletes_a_lead_of_the_queue(rep, other_rep):
    queue = QueueFactory(name="Inbound")
    queue.members.add(other_rep)
    lead = LeadFactory(owner_user=None, owner_queue=queue)

    entry = lead_delete(lead=lead, acting_user=other_rep)

    assert entry.owner_user is None
    assert entry.deleted_by == other_rep


def test_converted_leads_are_not_deleted(rep):
    lead = LeadFactory(owner_user=rep, is_converted=True, converted_at=timezone.now())

    with pytest.raises(ValidationError, match="Converted leads cannot be deleted"):
        lead_delete(lead=lead, acting_user=rep)

    assert Lead.objects.filter(pk=lead.pk).exists()
    assert not RecycleBinEntry.objects.exists()


def test_a_failed_delete_leaves_the_lead_and_no_entry(rep, monkeypatch):
    lead = _lead(rep)
    lead_note_create(lead=lead, body="Keep me", acting_user=rep)

    def broken(self, *args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(Lead, "delete", broken)
    with pytest.raises(RuntimeError):
        lead_delete(lead=lead, acting_user=rep)

    assert Lead.objects.filter(pk=lead.pk).exists()
    assert LeadNote.objects.filter(lead=lead).count() == 1
    assert not RecycleBinEntry.objects.exists()
    assert not FieldHistory.objects.filter(record_id=lead.pk, field_name="deleted").exists()


def test_restore_gives_a_lead_whose_owner_left_to_the_restoring_user(rep, system_admin):
    leaver = UserFactory(role="Sales rep", username="leaver")
    lead = _lead(leaver)
    entry = lead_delete(lead=lead, acting_user=system_admin)
    leaver.is_active = False
    leaver.save()

    restored = lead_restore(entry=entry, acting_user=system_admin)

    assert restored.owner_user == system_admin
    note = FieldHistory.objects.get(record_id=lead.pk, field_name="restored").new_value
    assert "its owner no longer exists or is inactive" in note


def test_the_bin_shows_a_rep_what_they_deleted_or_owned_and_others_cannot_restore_it(rep, other_rep, marketing_admin):
    from core.selectors import recycle_bin_entries

    mine = _lead(rep, last_name="Mine")
    theirs = _lead(other_rep, last_name="Theirs")
    my_entry = lead_delete(lead=mine, acting_user=marketing_admin)
    their_entry = lead_delete(lead=theirs, acting_user=other_rep)

    assert list(recycle_bin_entries(user=rep)) == [my_entry]
    assert set(recycle_bin_entries(user=marketing_admin)) == {my_entry, their_entry}
    with pytest.raises(ValidationError, match="no longer in your Recycle Bin"):
        lead_restore(entry=their_entry, acting_user=rep)
    with pytest.raises(ValidationError, match="no longer in your Recycle Bin"):
        recycle_bin_purge(entry=their_entry, acting_user=rep)
    assert not Lead.objects.filter(pk=theirs.pk).exists()


def test_purge_removes_entries_past_the_retention_with_their_history(rep, settings):
    settings.RECYCLE_BIN_DAYS = 15
    old, recent = _lead(rep, last_name="Old"), _lead(rep, last_name="Recent")
    old_entry = lead_delete(lead=old, acting_user=rep)
    lead_delete(lead=recent, acting_user=rep)
    RecycleBinEntry.objects.filter(pk=old_entry.pk).update(deleted_at=timezone.now() - dt.timedelta(days=16))

    assert purge_recycle_bin.delay().get() == 1
    assert list(RecycleBinEntry.objects.values_list("name", flat=True)) == ["Ada Recent"]
    assert not FieldHistory.objects.filter(record_id=old.pk).exists()
    assert FieldHistory.objects.filter(record_id=recent.pk).exists()
    assert recycle_bin_purge_expired() == 0


# Pages ------------------------------------------------------------------------------------------


@pytest.fixture
def rep_client(client, rep):
    client.force_login(rep)
    return client


def test_record_page_offers_delete_only_to_whoever_may_delete(rep_client, rep, other_rep, system_admin):
    from core.services import org_settings_update

    org_settings_update(lead_access="public_read_write", acting_user=system_admin)
    mine, theirs = _lead(rep), _lead(other_rep)

    assert 'data-testid="delete-lead"' in rep_client.get(reverse("leads:detail", args=[mine.pk])).content.decode()
    assert 'data-testid="delete-lead"' not in rep_client.get(reverse("leads:detail", args=[theirs.pk])).content.decode()
    assert rep_client.get(reverse("leads:delete", args=[theirs.pk])).status_code == 403


def test_delete_page_asks_then_moves_the_lead_to_the_bin_where_it_is_restored(rep_client, rep):
    lead = _lead(rep)
    url = reverse("leads:delete", args=[lead.pk])

    confirm = rep_client.get(url)
    deleted = rep_client.post(url, follow=True)
    bin_page = rep_client.get(reverse("core:recycle_bin"))
    entry = RecycleBinEntry.objects.get()
    restored = rep_client.post(reverse("core:recycle_bin_restore", args=[entry.pk]), follow=True)

    assert "Are you sure you want to delete this lead?" in confirm.content.decode()
    assert deleted.redirect_chain[-1][0] == reverse("leads:list")
    assert "was moved to the Recycle Bin" in deleted.content.decode()
    assert f'data-testid="bin-row-lead-{lead.pk}"' in bin_page.content.decode()
    assert restored.redirect_chain[-1][0] == reverse("leads:detail", args=[lead.pk])
    assert "Lead “Ada Lovelace” was restored." in restored.content.decode()
    assert Lead.objects.filter(pk=lead.pk).exists()


def test_recycle_bin_empty_state_search_and_permanent_delete(rep_client, rep):
    empty = rep_client.get(reverse("core:recycle_bin"))
    lead_delete(lead=_lead(rep, company="Engines"), acting_user=rep)
    lead_delete(lead=_lead(rep, last_name="Babbage", company="Analytical"), acting_user=rep)
    found = rep_client.get(reverse("core:recycle_bin"), {"q": "analyt"})
    entry = RecycleBinEntry.objects.get(name="Ada Babbage")
    purged = rep_client.post(reverse("core:recycle_bin_purge", args=[entry.pk]), follow=True)

    assert "The Recycle Bin is empty." in empty.content.decode()
    assert "Babbage" in found.content.decode()
    assert "Lovelace" not in found.content.decode()
    assert "was deleted permanently" in purged.content.decode()
    assert list(RecycleBinEntry.objects.values_list("name", flat=True)) == ["Ada Lovelace"]


def test_mass_delete_skips_converted_leads_and_leads_of_others(rep_client, rep, other_rep, system_admin):
    from core.services import org_settings_update

    org_settings_update(lead_access="public_read_write", acting_user=system_admin)
    mine = _lead(rep)
    converted = LeadFactory(owner_user=rep, is_converted=True, converted_at=timezone.now())
    theirs = _lead(other_rep)

    response = rep_client.post(
        reverse("leads:mass_action"), {"action": "delete", "ids": [mine.pk, converted.pk, theirs.pk]}, follow=True
    )

    assert "Moved 1 lead to the Recycle Bin. 1 skipped" in response.content.decode()
    assert set(Lead.objects.values_list("pk", flat=True)) == {converted.pk, theirs.pk}


# API ----------------------------------------------------------------------------------------------


def test_api_deletes_lists_restores_and_purges(api, rep, other_rep):
    lead, other = _lead(rep), _lead(other_rep)
    client = api.as_user(rep)

    hidden = client.delete(f"/api/leads/{other.pk}/")
    deleted = client.delete(f"/api/leads/{lead.pk}/")
    gone = client.get(f"/api/leads/{lead.pk}/")
    listed = client.get("/api/recycle-bin/", {"object": "lead"})
    entry_id = listed.json()[0]["id"]
    restored = client.post(f"/api/recycle-bin/{entry_id}/restore/")
    again = client.post(f"/api/recycle-bin/{entry_id}/restore/")

    assert hidden.status_code == 404
    assert deleted.status_code == 204
    assert gone.status_code == 404
    assert listed.json()[0]["record_id"] == lead.pk
    assert listed.json()[0]["deleted_by"] == "Riley Rep"
    assert restored.status_code == 200
    assert restored.json() == {"object": "lead", "record_id": lead.pk}
    assert again.status_code == 404

    client.delete(f"/api/leads/{lead.pk}/")
    entry_id = client.get("/api/recycle-bin/").json()[0]["id"]
    assert client.delete(f"/api/recycle-bin/{entry_id}/").status_code == 204
    assert client.get("/api/recycle-bin/").json() == []


def test_api_refuses_converted_and_non_owned_deletes_with_clear_errors(api, rep, other_rep, system_admin):
    from core.services import org_settings_update

    org_settings_update(lead_access="public_read_write", acting_user=system_admin)
    theirs = _lead(other_rep)
    converted = LeadFactory(owner_user=rep, is_converted=True, converted_at=timezone.now())
    client = api.as_user(system_admin)
    refused = client.delete(f"/api/leads/{converted.pk}/")
    forbidden = api.as_user(rep).delete(f"/api/leads/{theirs.pk}/")

    assert refused.status_code == 400
    assert "Converted leads cannot be deleted" in refused.json()["non_field_errors"][0]
    assert forbidden.status_code == 403
    assert Lead.objects.filter(pk__in=[theirs.pk, converted.pk]).count() == 2


# A real worker --------------------------------------------------------------------------------------


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_purges_expired_entries(celery_worker_process):
    import time

    now = timezone.now()

    def entry(record_id, age_days):
        FieldHistory.objects.create(
            object_name="lead", record_id=record_id, field_name="deleted", field_label="Deleted", changed_at=now
        )
        return RecycleBinEntry.objects.create(
            object_name="lead",
            record_id=record_id,
            name=f"Lead {record_id}",
            payload={"records": [], "links": {}},
            deleted_at=now - dt.timedelta(days=age_days),
        )

    entry(9001, 20)
    kept = entry(9002, 1)

    purge_recycle_bin.delay()

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and RecycleBinEntry.objects.count() > 1:
        time.sleep(0.3)
    assert list(RecycleBinEntry.objects.all()) == [kept]
    assert list(FieldHistory.objects.values_list("record_id", flat=True)) == [9002]


def test_restore_gives_a_lead_of_a_deleted_queue_to_the_restoring_user(other_rep, marketing_admin):
    from leads.routing.services import queue_delete

    queue = QueueFactory(name="Closing down")
    queue.members.add(other_rep)
    lead = LeadFactory(owner_user=None, owner_queue=queue)
    entry = lead_delete(lead=lead, acting_user=other_rep)
    queue_delete(queue=queue, acting_user=marketing_admin)

    restored = lead_restore(entry=entry, acting_user=marketing_admin)

    assert (restored.owner_user, restored.owner_queue) == (marketing_admin, None)
    assert Lead.objects.get(pk=lead.pk).owner_user == marketing_admin


def test_a_restore_that_cannot_happen_says_why_and_keeps_the_entry(rep):
    lead = _lead(rep)
    entry = lead_delete(lead=lead, acting_user=rep)
    squatter = LeadFactory(owner_user=rep, last_name="Squatter")
    Lead.objects.filter(pk=squatter.pk).update(id=lead.pk)

    with pytest.raises(ValidationError, match="a record with its id or unique values exists"):
        lead_restore(entry=entry, acting_user=rep)
    assert RecycleBinEntry.objects.filter(pk=entry.pk).exists()

    RecycleBinEntry.objects.filter(pk=entry.pk).update(payload={"records": [{"model": "gone.Model", "pk": 1}]})
    Lead.objects.filter(pk=lead.pk).delete()
    with pytest.raises(ValidationError, match="can no longer be restored"):
        lead_restore(entry=entry, acting_user=rep)
