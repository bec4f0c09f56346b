"""The rollups give the standard reports the same answers as reading the leads."""

import datetime as dt

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.models import FieldHistory
from leads.models import Lead
from reports.models import LeadDailyCount, LeadFact, StatusStay
from reports.rollups import rollups_backfill, rollups_refresh, rollups_sweep
from reports.selectors import run_report
from tests.factories import LeadFactory, LeadNoteFactory

from .conftest import RANGE, at, lead_with_history, status_change

pytestmark = pytest.mark.django_db

REPORTS = [
    ("leads-created", {"group": "lead_source", "period": "week"}),
    ("leads-created", {"group": "owner", "period": "day"}),
    ("leads-created", {"group": "status", "period": "month"}),
    ("funnel", {"by": "lead_source"}),
    ("funnel", {"by": "owner"}),
    ("conversion-by-source", {}),
    ("time-in-status", {"stuck_days": "3"}),
    ("speed-to-lead", {}),
]


def answers(user, extra=None) -> dict:
    out = {}
    for key, options in REPORTS:
        _spec, params, result = run_report(user=user, key=key, data={**RANGE, **options, **(extra or {})})
        out[(key, tuple(options.items()))] = (params.rollups, result.rows, result.extra.get("stuck_total"))
    return out


def same_answers(user, extra=None) -> None:
    from reports.models import RollupState

    RollupState.objects.filter(singleton=1).update(swept_until=None)
    raw = answers(user, extra)
    rollups_backfill()
    # The facts' exact answers; the duration histograms' (within their error) are held equal in
    # test_histograms.py.
    RollupState.objects.filter(singleton=1).update(histograms_ready=False)
    rolled = answers(user, extra)
    assert all(not used for used, _rows, _stuck in raw.values())
    assert all(used for used, _rows, _stuck in rolled.values())
    for key in raw:
        assert rolled[key][1:] == raw[key][1:], key


def test_known_leads_answer_the_same_from_the_rollups(known_leads, rep, marketing_admin):
    # First touches: a note by a person on L1, an automatic note on L2, a status change by a person on L3.
    LeadNoteFactory(lead=known_leads["L1"], created_by=rep, created_at=at(2) + dt.timedelta(hours=5))
    LeadNoteFactory(lead=known_leads["L2"], created_by=None, created_at=at(2) + dt.timedelta(hours=1))
    FieldHistory.objects.filter(record_id=known_leads["L3"].pk, new_value="Working").update(changed_by=rep)
    same_answers(marketing_admin)
    same_answers(marketing_admin, {"lead_source": "Website"})
    assert LeadFact.objects.count() == Lead.objects.count()


def test_a_rep_under_private_sharing_never_reads_the_rollups(known_leads, rep, marketing_admin):
    from core.models import OrgSettings

    OrgSettings.objects.update_or_create(singleton=1, defaults={"lead_access": OrgSettings.LeadAccess.PRIVATE})
    rollups_backfill()

    _spec, params, result = run_report(user=rep, key="funnel", data=RANGE)

    assert params.rollups is False
    assert result.rows[-1]["created"] == 4  # L1, L2, L3 and L6; not the other rep's L4
    _spec, params, result = run_report(user=marketing_admin, key="funnel", data=RANGE)
    assert params.rollups is True
    assert result.rows[-1]["created"] == 5


STATUSES = ["New", "Working", "Nurturing", "Qualified", "Unqualified"]
lead_story = st.tuples(
    st.integers(min_value=2, max_value=15),  # creation day
    st.sampled_from(["Website", "Phone Inquiry", ""]),
    st.lists(st.tuples(st.sampled_from(STATUSES), st.integers(min_value=0, max_value=72)), max_size=4),
    st.booleans(),  # converted (then last status Qualified)
    st.booleans(),  # owned by the second rep
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(stories=st.lists(lead_story, min_size=1, max_size=8))
def test_rollups_equal_the_raw_reports_for_any_history(stories, rep, other_rep, marketing_admin):
    Lead.objects.all().delete()
    LeadFact.objects.all().delete()
    for day, source, changes, converted, other in stories:
        owner = other_rep if other else rep
        lead_with_history(day=day, source=source, changes=changes, converted=converted, owner_user=owner)
    same_answers(marketing_admin)


def test_refresh_follows_a_status_change_and_a_deleted_lead(known_leads, marketing_admin):
    rollups_backfill()
    lead = known_leads["L1"]
    status_change(lead, "New", "Working", at(4))
    Lead.objects.filter(pk=lead.pk).update(status="Working")

    rollups_refresh(lead_ids=[lead.pk])

    assert LeadFact.objects.get(lead=lead).reached_working is True
    assert StatusStay.objects.filter(fact__lead=lead, status="Working", seconds__isnull=True).exists()
    day_total = sum(LeadDailyCount.objects.filter(day=at(2).date()).values_list("leads", flat=True))
    known_leads["L2"].delete()
    rollups_sweep()
    assert sum(LeadDailyCount.objects.filter(day=at(2).date()).values_list("leads", flat=True)) == day_total - 1
    assert not LeadFact.objects.filter(lead__isnull=True).exists()


def test_the_beat_sweep_brings_new_leads_in(known_leads, rep, settings):
    from reports.tasks import sweep_rollups

    rollups_backfill()
    new = LeadFactory(owner_user=rep, lead_source="Website", created_at=at(5), last_modified_at=timezone.now())

    sweep_rollups.delay()

    assert LeadFact.objects.filter(lead=new).exists()
    assert settings.CELERY_BEAT_SCHEDULE["reports-sweep-rollups"]["task"] == "reports.sweep_rollups"
    assert settings.CELERY_BEAT_SCHEDULE["reports-send-scheduled"]["task"] == "reports.send_scheduled_reports"
