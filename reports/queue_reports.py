"""The queue reports run like the other standard reports (``reports.selectors.run_report``): the
backlog of each queue over time (from ``QueueBacklogSnapshot``) and the accepts of each member.

A viewer who reads every lead sees every queue; others the queues they belong to (whose leads
they may read)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.db.models import Count, Max
from django.urls import reverse
from django.utils.translation import gettext as _

from core.models import FieldHistory
from core.roles import display_name
from leads.fields import OBJECT_NAME
from leads.models import Queue
from leads.ownership import owner_label
from leads.selectors import queues_of

from . import stats
from .backlog import ACCEPT_NOTE_PREFIX, queue_labels
from .models import QueueBacklogSnapshot
from .results import Result, rate, series_chart, table_columns
from .selectors import Params, _period_end, _period_label, _periods, reads_every_lead


def _owner_leads(owner: str) -> str:
    return f"{reverse('leads:list')}?{urlencode({'view': 'all', 'owner': owner})}"


def report_queues(user):
    """The queues whose backlog the user may see."""
    return Queue.objects.all() if reads_every_lead(user) else queues_of(user)


def backlog_over_time(params: Params) -> Result:
    """Each queue's backlog at the end of each period (its last snapshot in the period) and the
    longest wait then, as a line per queue."""
    queues = dict(report_queues(params.user).order_by("name").values_list("pk", "name"))
    snapshots = (
        QueueBacklogSnapshot.objects.filter(
            queue_id__in=list(queues), day__gte=params.date_from, day__lte=params.date_to
        )
        .order_by("day")
        .values_list("queue_id", "day", "waiting", "oldest_since")
    )
    starts = _periods(params.date_from, params.date_to, params.period)
    ends = [min(_period_end(start, params.period), params.date_to) for start in starts]
    at_end: dict[tuple[int, int], tuple] = {}
    index = 0
    for queue_id, day, waiting, oldest in snapshots:
        while index < len(ends) and day > ends[index]:
            index += 1
        if index < len(ends):
            # Snapshots come in day order: the period keeps its last one.
            at_end[(index, queue_id)] = (waiting, oldest, day)
    keys = list(queues)
    series = [(f"q{queue_id}", queues[queue_id]) for queue_id in keys]
    columns = table_columns(("period", _("Period")), *series, ("oldest_days", _("Oldest (days)")))
    rows, links = [], []
    # The leads waiting in the queue now: the list cannot show a past day's backlog.
    queue_links = {f"q{queue_id}": _owner_leads(f"queue:{queue_id}") for queue_id in keys}
    for index, start in enumerate(starts):
        row: dict = {"period": _period_label(start, params.period)}
        oldest_days = None
        for queue_id in keys:
            waiting, oldest, day = at_end.get((index, queue_id), (None, None, None))
            row[f"q{queue_id}"] = waiting
            if oldest is not None:
                end_of_day = stats.end_of_day(day)
                age = stats.days((end_of_day - oldest).total_seconds())
                oldest_days = age if oldest_days is None else max(oldest_days, age)
        row["oldest_days"] = oldest_days
        rows.append(row)
        links.append(dict(queue_links))
    chart = series_chart(rows, "period", series, kind="line", links=links)
    groups = [{"key": f"queue:{queue_id}", "label": queues[queue_id]} for queue_id in keys]
    return Result(columns=columns, rows=rows, links=links, groups=groups, chart=chart)


def accepts_per_member(params: Params) -> Result:
    """Leads each member accepted from each queue in the date range, and their share of the
    queue's accepts (from the owner history the accept services write)."""
    queues = queue_labels(report_queues(params.user))
    names = {label: name for name, label in ((q.name, owner_label(q)) for q in report_queues(params.user))}
    start, end = stats.day_bounds(params.date_from, params.date_to)
    counted = list(
        FieldHistory.objects.filter(
            object_name=OBJECT_NAME,
            field_name="owner",
            note__startswith=ACCEPT_NOTE_PREFIX,
            old_value__in=list(queues),
            changed_at__gte=start,
            changed_at__lt=end,
            changed_by__isnull=False,
        )
        .values("old_value", "changed_by_id")
        .annotate(n=Count("pk"), last=Max("changed_at"))
        .order_by()
    )
    per_queue: dict[str, int] = {}
    for row in counted:
        per_queue[row["old_value"]] = per_queue.get(row["old_value"], 0) + row["n"]
    users = get_user_model().objects.in_bulk({row["changed_by_id"] for row in counted})
    counted.sort(key=lambda r: (r["old_value"], -r["n"], r["changed_by_id"]))
    columns = table_columns(
        ("member", _("Member")), ("accepted", _("Leads accepted")), ("share", _("Share of the queue's accepts %"))
    )
    columns.insert(1, {"key": "queue", "label": _("Queue"), "numeric": False})
    rows, links = [], []
    for row in counted:
        user = users.get(row["changed_by_id"])
        name = display_name(user) if user else str(row["changed_by_id"])
        rows.append(
            {
                "member": name,
                "queue": names.get(row["old_value"], row["old_value"]),
                "accepted": row["n"],
                "share": rate(row["n"], per_queue[row["old_value"]]),
            }
        )
        links.append({"accepted": _owner_leads(f"user:{row['changed_by_id']}")})
    labelled = [{**r, "label": f"{r['member']} ({r['queue']})"} for r in rows]
    chart = series_chart(labelled, "label", [("accepted", _("Leads accepted"))], links=links)
    return Result(columns=columns, rows=rows, links=links, chart=chart)
