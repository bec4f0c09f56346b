"""Merging leads: the master takes the chosen values, related rows move to it, the losing leads go to
the Recycle Bin; undoing the merge restores the exact state before it."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from campaigns.models import CampaignMember
from campaigns.services import campaign_create, campaign_members_add
from core.models import FieldHistory, RecycleBinEntry
from dedupe import services
from dedupe.models import LeadMerge
from engagement.models import EngagementEvent
from leads.fields import WRITABLE_FIELDS
from leads.models import Lead, LeadNote
from leads.services import lead_create, lead_note_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def trio(marketing_admin):
    """Three leads of the marketing admin, each with a note and an engagement event; the master and
    the first loser are both in the campaign "Spring", the first loser alone in "Autumn"."""
    leads = [
        lead_create(
            data={"first_name": f, "last_name": "Lovelace", "company": c, "email": e, "title": t},
            acting_user=marketing_admin,
        )
        for f, c, e, t in (
            ("Ada", "Engines", "ada@example.net", ""),
            ("Augusta", "Engines Ltd", "ada+2@example.net", "Countess"),
            ("A.", "Analytical", "", "Mathematician"),
        )
    ]
    for lead in leads:
        lead_note_create(lead=lead, body=f"Note on {lead.first_name}", acting_user=marketing_admin)
        now = timezone.now()
        EngagementEvent.objects.create(
            lead=lead, event_type="page_view", occurred_at=now, recorded_at=now, source="test", url="https://x.test/"
        )
    spring = campaign_create(data={"name": "Spring"}, acting_user=marketing_admin)
    autumn = campaign_create(data={"name": "Autumn"}, acting_user=marketing_admin)
    campaign_members_add(campaign=spring, leads=leads[:2], acting_user=marketing_admin)
    campaign_members_add(campaign=autumn, leads=[leads[1]], acting_user=marketing_admin)
    return leads


def _state(lead_ids):
    """Everything a merge touches, per lead: fields, notes, events, memberships, history rows."""
    leads = {
        lead.pk: {name: getattr(lead, name) for name in [*WRITABLE_FIELDS, "owner_user_id", "custom_fields"]}
        for lead in Lead.objects.filter(pk__in=lead_ids)
    }
    return {
        "leads": leads,
        "notes": sorted(LeadNote.objects.filter(lead_id__in=lead_ids).values_list("pk", "lead_id", "body")),
        "events": sorted(EngagementEvent.objects.filter(lead_id__in=lead_ids).values_list("pk", "lead_id")),
        "members": sorted(
            CampaignMember.objects.filter(lead_id__in=lead_ids).values_list("pk", "lead_id", "campaign_id")
        ),
        "history": sorted(
            FieldHistory.objects.filter(object_name="lead", record_id__in=lead_ids)
            .exclude(field_name__in=["deleted", "restored"])
            .exclude(note__startswith="Merge")
            .values_list("pk", "record_id")
        ),
    }


def test_merge_moves_related_rows_to_the_master_and_bins_the_losers(trio, marketing_admin):
    master, loser, third = trio
    merge = services.lead_merge(
        master_id=master.pk,
        merged_ids=[loser.pk, third.pk],
        value_from={"title": loser.pk, "company": third.pk},
        acting_user=marketing_admin,
    )
    master.refresh_from_db()
    assert (master.title, master.company, master.email) == ("Countess", "Analytical", "ada@example.net")
    assert not Lead.objects.filter(pk__in=[loser.pk, third.pk]).exists()
    assert RecycleBinEntry.objects.filter(pk__in=merge.recycle_entry_ids).count() == 2
    assert LeadNote.objects.filter(lead=master).count() == 3
    assert EngagementEvent.objects.filter(lead=master).count() == 3
    # The master keeps its own Spring membership; the loser's Autumn one moves to it.
    assert sorted(CampaignMember.objects.filter(lead=master).values_list("campaign__name", flat=True)) == [
        "Autumn",
        "Spring",
    ]
    assert FieldHistory.objects.filter(object_name="lead", record_id=master.pk, field_name="created").count() == 3


def test_undo_restores_the_exact_state_before_the_merge(trio, marketing_admin):
    ids = [lead.pk for lead in trio]
    before = _state(ids)
    merge = services.lead_merge(
        master_id=ids[0], merged_ids=ids[1:], values={"title": "Chosen", "city": "London"}, acting_user=marketing_admin
    )
    assert _state(ids) != before
    services.lead_merge_undo(merge=merge, acting_user=marketing_admin)
    assert _state(ids) == before
    assert not RecycleBinEntry.objects.filter(pk__in=merge.recycle_entry_ids).exists()
    merge.refresh_from_db()
    assert merge.undone_at is not None
    with pytest.raises(ValidationError):
        services.lead_merge_undo(merge=merge, acting_user=marketing_admin)


def test_a_merge_is_atomic(trio, marketing_admin):
    ids = [lead.pk for lead in trio]
    before = _state(ids)
    with pytest.raises(ValidationError):
        services.lead_merge(
            master_id=ids[0], merged_ids=ids[1:], values={"email": "not an email"}, acting_user=marketing_admin
        )
    assert _state(ids) == before
    assert not LeadMerge.objects.exists()


def test_at_most_three_leads_and_each_once(trio, marketing_admin, make_lead):
    ids = [lead.pk for lead in trio]
    with pytest.raises(ValidationError):
        services.lead_merge(master_id=ids[0], merged_ids=[ids[1], ids[2], make_lead().pk], acting_user=marketing_admin)
    with pytest.raises(ValidationError):
        services.lead_merge(master_id=ids[0], merged_ids=[ids[0]], acting_user=marketing_admin)


def test_a_rep_merges_only_leads_they_may_edit(rep, other_rep, make_lead):
    from core.models import OrgSettings

    OrgSettings.objects.update(lead_access=OrgSettings.LeadAccess.PRIVATE)
    mine = make_lead(owner_user=rep)
    theirs = make_lead(owner_user=other_rep)
    with pytest.raises(PermissionError):
        services.lead_merge(master_id=mine.pk, merged_ids=[theirs.pk], acting_user=rep)
    assert Lead.objects.filter(pk=theirs.pk).exists()
