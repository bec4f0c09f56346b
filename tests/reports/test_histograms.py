"""Duration histograms and daily intake counts: the reports read from them give the raw reports'
numbers (medians and 90th percentiles within the histograms' documented error), follow the
leads' changes, and apply only where they can."""

import datetime as dt

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.models import OrgSettings
from leads.models import Lead
from leads.processes.services import lead_record_type_create
from reports import histograms, stats
from reports.intake_rollup import intake_counts_backfill, intake_counts_sweep
from reports.models import DurationHistogram, RollupState
from reports.rollup_queries import HISTOGRAM_FILTERS
from reports.rollups import rollups_backfill, rollups_refresh, rollups_sweep
from reports.selectors import run_report
from tests.factories import LeadFactory, LeadNoteFactory, QueueFactory
from webtolead.models import Intake, WebToLeadForm

from .conftest import RANGE, at, lead_with_history, status_change

pytestmark = pytest.mark.django_db

# The creation date ranges: days only, one whole month (its month rows), a month and edge days.
RANGES = [
    RANGE,
    {"created_from": "2026-11-01", "created_to": "2026-11-30"},
    {"created_from": "2026-10-20", "created_to": "2026-12-05"},
]
HISTOGRAM_REPORTS = ["conversion-by-source", "time-in-status", "speed-to-lead"]
# The figures read from the histograms and the rounding each is shown with.
APPROXIMATE = {"median_days": 0.1, "p90_days": 0.1, "median_hours": 0.01, "p90_hours": 0.01}


def close(histogram_value, exact, unit: float) -> bool:
    """Within the histograms' error (4 %, or 1 s below one second) plus the figure's rounding."""
    if histogram_value is None or exact is None:
        return histogram_value is exact
    return abs(histogram_value - exact) <= 0.04 * abs(exact) + unit + 1 / 86400


def assert_same_rows(rolled: list[dict], raw: list[dict]) -> None:
    assert len(rolled) == len(raw)
    for got, want in zip(rolled, raw, strict=True):
        assert got.keys() == want.keys()
        for key, value in want.items():
            if key in APPROXIMATE:
                assert close(got[key], value, APPROXIMATE[key]), (key, got, want)
            else:
                assert got[key] == value, (key, got, want)


def run_all(user, data: dict) -> dict:
    out = {}
    for key in HISTOGRAM_REPORTS:
        _spec, params, result = run_report(user=user, key=key, data={**data, "stuck_days": "3"})
        out[key] = (params, result)
    return out


def assert_histograms_answer_like_the_leads(user, data: dict) -> None:
    RollupState.objects.update_or_create(singleton=1, defaults={"swept_until": None, "histograms_ready": False})
    raw = run_all(user, data)
    rollups_backfill()
    rolled = run_all(user, data)
    for key in HISTOGRAM_REPORTS:
        assert not raw[key][0].rollups
        assert not raw[key][0].histograms
        filters = set(rolled[key][0].lead_filters)
        assert rolled[key][0].histograms == (filters <= HISTOGRAM_FILTERS[key]), key
        assert_same_rows(rolled[key][1].rows, raw[key][1].rows)
        assert rolled[key][1].extra.get("stuck_total") == raw[key][1].extra.get("stuck_total")


# The histogram itself --------------------------------------------------------------------------

durations = st.lists(
    st.one_of(st.floats(min_value=0, max_value=0.99), st.floats(min_value=1, max_value=3e8)), min_size=1, max_size=60
)


@given(values=durations, fraction=st.sampled_from([0.0, 0.1, 0.5, 0.9, 1.0]))
def test_a_percentile_read_from_the_buckets_is_within_four_percent_or_a_second(values, fraction):
    counts: dict[int, int] = {}
    for value in values:
        counts[histograms.bucket_of(value)] = counts.get(histograms.bucket_of(value), 0) + 1

    estimate = histograms.percentile(counts, fraction)
    exact = stats.percentile(values, fraction)

    assert abs(estimate - exact) <= max(0.04 * exact, 1.0)


def test_buckets_are_logarithmic_and_untouched_leads_are_no_duration():
    assert histograms.bucket_of(0) == histograms.bucket_of(0.5) == histograms.SUBSECOND
    assert histograms.bucket_of(1) == 0
    assert histograms.bucket_of(1.05) == 1
    assert histograms.percentile({}, 0.5) is None
    assert histograms.percentile({histograms.UNTOUCHED: 4}, 0.5) is None
    assert histograms.percentile({histograms.bucket_of(100): 1, histograms.UNTOUCHED: 9}, 0.5) == pytest.approx(
        100, rel=0.04
    )


def test_a_range_reads_its_whole_months_from_the_month_rows_and_the_rest_from_the_days():
    assert histograms.full_months(dt.date(2026, 10, 20), dt.date(2026, 12, 5)) == [dt.date(2026, 11, 1)]
    assert histograms.full_months(dt.date(2026, 11, 1), dt.date(2027, 1, 31)) == [
        dt.date(2026, 11, 1),
        dt.date(2026, 12, 1),
        dt.date(2027, 1, 1),
    ]
    assert histograms.full_months(dt.date(2026, 11, 2), dt.date(2026, 11, 30)) == []
    assert histograms.full_months(dt.date(2024, 2, 1), dt.date(2024, 2, 29)) == [dt.date(2024, 2, 1)]


# Same numbers as the raw reports -----------------------------------------------------------------


@pytest.mark.parametrize("data", RANGES)
def test_known_leads_answer_like_the_leads(known_leads, rep, marketing_admin, data):
    LeadNoteFactory(lead=known_leads["L1"], created_by=rep, created_at=at(2) + dt.timedelta(hours=5))
    # Converted on the day of its creation.
    LeadFactory(
        owner_user=rep,
        lead_source="Website",
        status="Qualified",
        created_at=at(12),
        is_converted=True,
        converted_at=at(12) + dt.timedelta(hours=3),
    )
    assert_histograms_answer_like_the_leads(marketing_admin, data)
    assert_histograms_answer_like_the_leads(marketing_admin, {**data, "lead_source": "Website"})
    assert DurationHistogram.objects.filter(grain="m", day=dt.date(2026, 11, 1)).exists()


STATUSES = ["New", "Working", "Nurturing", "Qualified", "Unqualified"]
lead_story = st.tuples(
    st.integers(min_value=1, max_value=30),  # creation day in November
    st.sampled_from(["Website", "Phone Inquiry", ""]),
    st.lists(st.tuples(st.sampled_from(STATUSES), st.integers(min_value=0, max_value=400)), max_size=4),
    st.booleans(),  # converted
    st.sampled_from(["rep", "other", "queue"]),
    st.one_of(st.none(), st.integers(min_value=0, max_value=200)),  # hours to a note by the owner
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(stories=st.lists(lead_story, min_size=1, max_size=10), data=st.sampled_from(RANGES))
def test_histograms_answer_like_the_leads_for_any_history(stories, data, rep, other_rep, marketing_admin):
    Lead.objects.all().delete()
    queue = QueueFactory(name="Inbound")
    for day, source, changes, converted, owner, note_after in stories:
        owners = {"rep": {"owner_user": rep}, "other": {"owner_user": other_rep}}
        owned = owners.get(owner, {"owner_user": None, "owner_queue": queue})
        lead = lead_with_history(day=day, source=source, changes=changes, converted=converted, **owned)
        if note_after is not None:
            LeadNoteFactory(lead=lead, created_by=rep, created_at=at(day) + dt.timedelta(hours=note_after))
    assert_histograms_answer_like_the_leads(marketing_admin, data)


# Following the leads -----------------------------------------------------------------------------


def touch_counts(user_id) -> int:
    return sum(
        DurationHistogram.objects.filter(measure="touch", grain="m", owner_user_id=user_id).values_list("n", flat=True)
    )


def test_refresh_moves_a_lead_to_its_new_owner_and_drops_deleted_ones(known_leads, rep, other_rep):
    rollups_backfill()
    # rep: L1, L2, L3, L6 and L5 (October); other_rep: L4.
    assert (touch_counts(rep.pk), touch_counts(other_rep.pk)) == (5, 1)
    lead = known_leads["L1"]
    Lead.objects.filter(pk=lead.pk).update(owner_user=other_rep)

    rollups_refresh(lead_ids=[lead.pk])

    assert (touch_counts(rep.pk), touch_counts(other_rep.pk)) == (4, 2)
    known_leads["L2"].delete()
    rollups_sweep()
    assert touch_counts(rep.pk) == 3
    # The day rows and the month rows agree.
    day_total = sum(DurationHistogram.objects.filter(measure="touch", grain="d").values_list("n", flat=True))
    month_total = sum(DurationHistogram.objects.filter(measure="touch", grain="m").values_list("n", flat=True))
    assert day_total == month_total == Lead.objects.count()


def test_a_reopened_lead_counts_each_finished_visit(known_leads, marketing_admin):
    lead = known_leads["L2"]  # New -> Working on the 3rd
    status_change(lead, "Working", "Nurturing", at(4))
    status_change(lead, "Nurturing", "Working", at(6))
    rollups_backfill()

    _spec, params, result = run_report(user=marketing_admin, key="time-in-status", data=RANGE)

    assert params.histograms
    working = next(row for row in result.rows if row["status"] == "Working")
    assert working["visits"] == 2  # L2's first stay in Working and L3's; L2's second is still open
    assert working["now_in"] == 1


def speed_total(user) -> tuple[bool, int]:
    _spec, params, result = run_report(user=user, key="speed-to-lead", data=RANGE)
    return params.histograms, result.rows[-1]["leads"]


def test_a_merged_lead_leaves_the_histograms(known_leads, marketing_admin):
    from dedupe.services import lead_merge

    rollups_backfill()
    assert speed_total(marketing_admin) == (True, 5)

    lead_merge(master_id=known_leads["L1"].pk, merged_ids=[known_leads["L2"].pk], acting_user=marketing_admin)
    rollups_sweep()

    assert speed_total(marketing_admin) == (True, 4)


def test_a_deleted_then_restored_lead_leaves_and_comes_back(known_leads, marketing_admin):
    from core.models import RecycleBinEntry
    from leads.services import lead_delete, lead_restore

    rollups_backfill()
    lead_delete(lead=known_leads["L2"], acting_user=marketing_admin)
    rollups_sweep()
    assert speed_total(marketing_admin) == (True, 4)

    lead_restore(entry=RecycleBinEntry.objects.get(object_name="lead"), acting_user=marketing_admin)
    rollups_sweep()

    assert speed_total(marketing_admin) == (True, 5)
    assert sum(DurationHistogram.objects.filter(measure="touch", grain="m").values_list("n", flat=True)) == 6


# Where the histograms apply ----------------------------------------------------------------------


def test_filters_the_histograms_do_not_hold_read_the_facts_or_the_leads(known_leads, marketing_admin, rep):
    rollups_backfill()

    def used(key, extra):
        _spec, params, _result = run_report(user=marketing_admin, key=key, data={**RANGE, **extra})
        return params.rollups, params.histograms

    assert used("time-in-status", {"status": ["Working"]}) == (True, False)
    assert used("time-in-status", {"owner": f"user:{rep.pk}"}) == (True, False)
    assert used("speed-to-lead", {"owner": f"user:{rep.pk}"}) == (True, True)
    assert used("speed-to-lead", {"lead_source": "Website"}) == (True, False)
    assert used("conversion-by-source", {"lead_source": "Website"}) == (True, True)
    partner = lead_record_type_create(name="Partner", statuses=["New", "Qualified"], acting_user=marketing_admin)
    assert used("conversion-by-source", {"record_type": str(partner.pk)}) == (False, False)


def test_a_rep_under_private_sharing_counts_only_the_leads_they_read(known_leads, rep, marketing_admin):
    OrgSettings.objects.update_or_create(singleton=1, defaults={"lead_access": OrgSettings.LeadAccess.PRIVATE})
    rollups_backfill()

    _spec, params, result = run_report(user=rep, key="speed-to-lead", data=RANGE)

    assert (params.rollups, params.histograms) == (False, False)
    assert result.rows[-1]["leads"] == 4  # L1, L2, L3 and L6; not the other rep's L4
    _spec, params, result = run_report(user=marketing_admin, key="speed-to-lead", data=RANGE)
    assert params.histograms
    assert result.rows[-1]["leads"] == 5


# Web-to-Lead intake ------------------------------------------------------------------------------


def intake_rows(user, data=None):
    _spec, _params, result = run_report(user=user, key="web-to-lead-intake", data={**RANGE, **(data or {})})
    return result.rows


def test_daily_intake_counts_answer_like_the_submissions_and_follow_new_outcomes(marketing_admin):
    now = dt.datetime.now(dt.UTC)
    form = WebToLeadForm.objects.create(name="Contact us", public_key="k1", created_at=now, updated_at=now)
    other = WebToLeadForm.objects.create(name="Demo", public_key="k2", created_at=now, updated_at=now)
    rows = []
    for outcome, day, which in [
        ("created", 3, form),
        ("created", 3, form),
        ("spam", 3, other),
        ("pending", 4, form),
        ("rejected", 4, None),
        ("received", 4, form),
        ("duplicate", 5, form),
    ]:
        rows.append(
            Intake.objects.create(
                form=which, outcome=outcome, received_at=at(day), processed_at=at(day), public_ref="r"
            )
        )
    raw = intake_rows(marketing_admin)
    raw_form = intake_rows(marketing_admin, {"form": str(form.pk)})

    intake_counts_backfill()

    assert intake_rows(marketing_admin) == raw
    assert intake_rows(marketing_admin, {"form": str(form.pk)}) == raw_form
    # A pending submission becomes a lead; a new one arrives: the sweep recounts their days.
    Intake.objects.filter(pk=rows[3].pk).update(outcome="created", processed_at=now)
    Intake.objects.create(form=other, outcome="spam", received_at=at(5), processed_at=now, public_ref="r")
    RollupState.objects.filter(singleton=1).update(intake_swept_until=now - dt.timedelta(hours=1))
    raw = _raw_intake_rows(marketing_admin)

    assert intake_counts_sweep() >= 2
    assert intake_rows(marketing_admin) == raw


def _raw_intake_rows(user):
    state = RollupState.objects.get(singleton=1)
    swept = state.intake_swept_until
    RollupState.objects.filter(singleton=1).update(intake_swept_until=None)
    rows = intake_rows(user)
    RollupState.objects.filter(singleton=1).update(intake_swept_until=swept)
    return rows


# Queue backlog -----------------------------------------------------------------------------------

arrivals = st.lists(
    st.tuples(st.integers(min_value=0, max_value=2), st.integers(min_value=0, max_value=5000), st.booleans()),
    max_size=12,
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(leads=arrivals, filtered=st.booleans())
def test_the_backlog_read_from_the_lead_facts_equals_the_leads(leads, filtered, marketing_admin):
    Lead.objects.all().delete()
    queues = [QueueFactory(name=f"Queue {n}") for n in range(3)]
    now = timezone.now()
    for queue, hours_ago, converted in leads:
        LeadFactory(
            owner_user=None,
            owner_queue=queues[queue],
            lead_source="Website" if hours_ago % 2 else "Phone Inquiry",
            # 17 s off any rounding boundary of the days shown.
            owner_assigned_at=now - dt.timedelta(hours=hours_ago, minutes=hours_ago % 7, seconds=17),
            is_converted=converted,
            converted_at=now if converted else None,
        )
    data = {"lead_source": "Website"} if filtered else {}
    RollupState.objects.update_or_create(singleton=1, defaults={"swept_until": None})
    _spec, raw_params, raw = run_report(user=marketing_admin, key="queue-backlog", data=data)

    rollups_backfill()
    _spec, params, rolled = run_report(user=marketing_admin, key="queue-backlog", data=data)

    assert not raw_params.rollups
    assert params.rollups
    assert rolled.rows == raw.rows


def test_the_backlog_report_reads_the_lead_facts_only_for_a_viewer_of_every_lead(rep, marketing_admin):
    OrgSettings.objects.update_or_create(singleton=1, defaults={"lead_access": OrgSettings.LeadAccess.PRIVATE})
    queue = QueueFactory(name="Inbound")
    LeadFactory.create_batch(3, owner_user=None, owner_queue=queue)
    rollups_backfill()

    _spec, params, mine = run_report(user=rep, key="queue-backlog", data={})
    _spec, admin_params, every = run_report(user=marketing_admin, key="queue-backlog", data={})

    assert not params.rollups
    assert admin_params.rollups
    assert mine.rows == []  # not a member of the queue
    assert every.rows[0]["waiting"] == 3


def test_the_api_and_the_page_say_when_percentiles_come_from_the_histograms(known_leads, api, client, marketing_admin):
    url = "/api/reports/time-in-status/run/"
    assert api.as_user(marketing_admin).get(url, RANGE).json()["approximate_percentiles"] is False

    rollups_backfill()

    body = api.as_user(marketing_admin).get(url, RANGE).json()
    assert body["approximate_percentiles"] is True
    assert (
        api.as_user(marketing_admin).get(url, {**RANGE, "status": "Working"}).json()["approximate_percentiles"] is False
    )
    client.force_login(marketing_admin)
    html = client.get("/reports/time-in-status/", RANGE).content.decode()
    assert 'data-testid="report-histograms"' in html


def test_the_backfill_command_can_recount_from_the_facts_alone(known_leads):
    from django.core.management import call_command

    rollups_backfill()
    before = sorted(DurationHistogram.objects.values_list("measure", "grain", "day", "bucket", "n"))
    DurationHistogram.objects.all().delete()
    RollupState.objects.filter(singleton=1).update(histograms_ready=False)

    call_command("reports_backfill", "--recount-only", verbosity=0)

    assert sorted(DurationHistogram.objects.values_list("measure", "grain", "day", "bucket", "n")) == before
    assert RollupState.objects.get(singleton=1).histograms_ready
