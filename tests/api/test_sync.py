"""Sync: the leads changed since a time, page after page by a cursor that never skips or repeats a
lead, and the leads deleted since a time."""

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import OrgSettings
from leads.models import Lead
from leads.services import lead_delete, lead_restore
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db

BASE = timezone.now() - timedelta(days=1)


@pytest.fixture(autouse=True)
def _no_settling(settings):
    settings.SYNC_SETTLE_SECONDS = 0


@pytest.fixture
def private_sharing(db):
    OrgSettings.objects.update_or_create(singleton=1, defaults={"lead_access": OrgSettings.LeadAccess.PRIVATE})


def stamp(lead, minutes: float):
    Lead.objects.filter(pk=lead.pk).update(last_modified_at=BASE + timedelta(minutes=minutes))


def read_all(client, since, cursor="", size=3):
    """Every page from ``cursor``: (ids in order, the last cursor)."""
    ids = []
    while True:
        params = {"modified_since": since.isoformat(), "page_size": size}
        if cursor:
            params["cursor"] = cursor
        answer = client.get("/api/leads/", params)
        assert answer.status_code == 200, answer.content
        body = answer.json()
        ids += [row["id"] for row in body["results"]]
        cursor = body["cursor"]
        if not body["next"]:
            return ids, cursor


def test_pages_give_every_changed_lead_once_oldest_change_first(api, system_admin):
    leads = [LeadFactory(owner_user=system_admin) for _ in range(8)]
    for n, lead in enumerate(leads):
        stamp(lead, minutes=[5, 1, 3, 3, 7, 2, 6, 0][n])  # two leads share a time: the id breaks the tie
    stamp(leads[7], minutes=-30)  # changed before the time asked for
    client = api.as_user(system_admin)

    ids, _cursor = read_all(client, BASE)

    expected = sorted(leads[:7], key=lambda lead: (Lead.objects.get(pk=lead.pk).last_modified_at, lead.pk))
    assert ids == [lead.pk for lead in expected]


def test_the_last_cursor_continues_with_later_changes_and_a_lead_changed_again_comes_back_once(api, system_admin):
    leads = [LeadFactory(owner_user=system_admin) for _ in range(4)]
    for n, lead in enumerate(leads):
        stamp(lead, minutes=n)
    client = api.as_user(system_admin)
    first, cursor = read_all(client, BASE)
    assert first == [lead.pk for lead in leads]

    stamp(leads[1], minutes=10)
    new = LeadFactory(owner_user=system_admin)
    stamp(new, minutes=11)
    later, cursor = read_all(client, BASE, cursor)
    assert later == [leads[1].pk, new.pk]
    assert read_all(client, BASE, cursor)[0] == []


def test_changes_interleaved_with_paging_are_never_skipped(api, system_admin):
    """Whatever changes between pages, every lead is read again after its last change, and no page
    gives a lead twice for one change."""
    rng = random.Random(7)
    leads = [LeadFactory(owner_user=system_admin) for _ in range(12)]
    clock = 0.0
    changed_in = {}
    for lead in leads:
        clock += 1
        stamp(lead, clock)
        changed_in[lead.pk] = 0
    client = api.as_user(system_admin)
    read_in: dict[int, int] = {}
    reads: list[tuple[int, int]] = []
    cursor = ""
    for round_ in range(1, 16):
        for lead in rng.sample(leads, 2):
            clock += 1
            stamp(lead, clock)
            changed_in[lead.pk] = round_
        params = {"modified_since": BASE.isoformat(), "page_size": 2, **({"cursor": cursor} if cursor else {})}
        body = client.get("/api/leads/", params).json()
        for row in body["results"]:
            read_in[row["id"]] = round_
            reads.append((row["id"], changed_in[row["id"]]))
        cursor = body["cursor"]
    rest, _cursor = read_all(client, BASE, cursor, size=50)
    for pk in rest:
        read_in[pk] = 99
        reads.append((pk, changed_in[pk]))
    assert all(read_in.get(pk, -1) >= changed_in[pk] for pk in changed_in)
    assert len(reads) == len(set(reads))


def test_a_change_shows_once_it_has_settled(api, system_admin, settings):
    settings.SYNC_SETTLE_SECONDS = 60
    lead = LeadFactory(owner_user=system_admin)
    client = api.as_user(system_admin)
    assert read_all(client, BASE)[0] == []
    Lead.objects.filter(pk=lead.pk).update(last_modified_at=timezone.now() - timedelta(minutes=2))
    assert read_all(client, BASE)[0] == [lead.pk]


def test_sync_follows_sharing_and_includes_converted_leads(api, rep, other_rep, private_sharing):
    mine = LeadFactory(owner_user=rep)
    converted = LeadFactory(owner_user=rep, is_converted=True, status="Qualified", converted_at=timezone.now())
    LeadFactory(owner_user=other_rep)
    for lead in Lead.objects.all():
        stamp(lead, 1)
    ids, _ = read_all(api.as_user(rep), BASE)
    assert set(ids) <= {mine.pk, converted.pk}
    assert mine.pk in ids


def test_bad_times_and_cursors_are_400s_with_field_errors(api, system_admin):
    client = api.as_user(system_admin)
    answer = client.get("/api/leads/", {"modified_since": "yesterday"})
    assert answer.status_code == 400
    assert "modified_since" in answer.json()
    answer = client.get("/api/leads/", {"modified_since": BASE.isoformat(), "cursor": "!!not-ours"})
    assert answer.status_code == 400
    assert "cursor" in answer.json()
    answer = client.get("/api/leads/deleted/", {"since": ""})
    assert answer.status_code == 400
    assert "since" in answer.json()


def test_the_deleted_feed_lists_leads_still_deleted(api, system_admin):
    _kept, gone, back = (LeadFactory(owner_user=system_admin) for _ in range(3))
    lead_delete(lead=gone, acting_user=system_admin)
    entry = lead_delete(lead=back, acting_user=system_admin)
    lead_restore(entry=entry, acting_user=system_admin)
    answer = api.as_user(system_admin).get("/api/leads/deleted/", {"since": BASE.isoformat()})
    assert answer.status_code == 200
    assert [row["id"] for row in answer.json()] == [gone.pk]
    assert answer.json()[0]["name"]
    later = (timezone.now() + timedelta(minutes=1)).isoformat()
    assert api.as_user(system_admin).get("/api/leads/deleted/", {"since": later}).json() == []


def test_a_rep_hears_only_of_the_deletions_of_leads_they_owned(api, rep, other_rep, private_sharing, system_admin):
    own, others = LeadFactory(owner_user=rep), LeadFactory(owner_user=other_rep)
    lead_delete(lead=own, acting_user=system_admin)
    lead_delete(lead=others, acting_user=system_admin)
    ids = [row["id"] for row in api.as_user(rep).get("/api/leads/deleted/", {"since": BASE.isoformat()}).json()]
    assert ids == [own.pk]
