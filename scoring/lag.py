"""The scoring lag: engagement events and lead changes that the stored scores do not reflect yet.

A lead is scored again in a worker after each of its events and recorded changes
(``services.on_engagement_event`` / ``on_record_change``); its stored score then has a
``computed_at`` at or after them. What the database records is therefore enough to tell what is
waiting: an event (or a Field History row of a lead) newer than the lead's score by an active
model, or by a model that has not scored the lead at all. The System Health page and ``/metrics``
show how many leads wait and how old the oldest waiting event or change is
(``leadcrm_backlog_pending{backlog="scoring"}``, ``leadcrm_backlog_lag_seconds{backlog="scoring"}``).
"""

from __future__ import annotations

from django.db.models import Exists, Min, OuterRef

from core.models import FieldHistory
from core.registry import Backlog
from engagement.models import EngagementEvent
from leads.fields import OBJECT_NAME
from leads.models import Lead

from .models import LeadScore, ScoringModel

# Read at every scrape: only the newest rows of each table are looked at (a range of the primary
# key). A worker further behind than this shows as a lag of at least the age of the window's
# oldest row, which is what an alert needs.
SCAN_ROWS = 10_000


def _window_start(model_class) -> int:
    newest = model_class.objects.order_by("-pk").values_list("pk", flat=True).first()
    return 0 if newest is None else newest - SCAN_ROWS


def _unscored(lead_ref: str, at_ref: str, model: ScoringModel):
    """No score of the lead by ``model`` computed at or after the row's time."""
    return ~Exists(
        LeadScore.objects.filter(lead_id=OuterRef(lead_ref), model_id=model.pk, computed_at__gte=OuterRef(at_ref))
    )


def scoring_backlog() -> Backlog:
    """Leads whose events or changes wait to be reflected in their score, and the oldest of them.

    Rows from before a model's last change are not counted against it: changing a model scores its
    open leads again (``model_recompute``), and closed leads' old rows would otherwise wait forever.
    Machine events (bots) and anonymous visitors' events never change a score and are not counted.
    """
    models = list(ScoringModel.objects.filter(is_active=True).only("pk", "updated_at"))
    if not models:
        return Backlog(pending=0)
    first_event, first_change = _window_start(EngagementEvent), _window_start(FieldHistory)
    leads: set[int] = set()
    oldest = []
    for model in models:
        events = EngagementEvent.objects.filter(
            pk__gt=first_event, lead__isnull=False, is_machine=False, recorded_at__gt=model.updated_at
        ).filter(_unscored("lead_id", "recorded_at", model))
        changes = (
            FieldHistory.objects.filter(pk__gt=first_change, object_name=OBJECT_NAME, changed_at__gt=model.updated_at)
            .filter(Exists(Lead.objects.filter(pk=OuterRef("record_id"))))
            .filter(_unscored("record_id", "changed_at", model))
        )
        leads.update(events.order_by().values_list("lead_id", flat=True).distinct())
        leads.update(changes.order_by().values_list("record_id", flat=True).distinct())
        oldest.append(events.order_by().aggregate(at=Min("recorded_at"))["at"])
        oldest.append(changes.order_by().aggregate(at=Min("changed_at"))["at"])
    found = [at for at in oldest if at is not None]
    return Backlog(pending=len(leads), oldest_at=min(found) if found else None)
