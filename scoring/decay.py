"""The periodic decay of stored scores: behaviour and velocity points fade with time, and an
"over" status-progression rule starts to count when a lead waits too long, so a stored score goes
stale without any event or change. Beat runs ``decay_apply`` (``scoring.apply_decay``) hourly."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from leads.models import Lead

from .models import LeadScore, ScoringModel, StatusProgressionRule
from .services import _prepare, _store_batch

# A score computed this recently is left alone: decay moves it by less than a point an hour.
STALE_AFTER = timedelta(hours=1)
BATCH = 500


def _time_dependent(model: ScoringModel) -> Q | None:
    """The stored scores of the model that time alone can change, or None when none can."""
    condition = None
    if model.decay_half_life_days:
        # Behaviour and velocity points decay; both are in the behaviour score.
        condition = Q(explanation__behaviour_score__gt=0)
    if model.progression_rules.filter(comparison=StatusProgressionRule.Comparison.OVER).exists():
        return Q()  # any open lead may start waiting too long
    return condition


def decay_apply(*, now=None, batch: int = BATCH, max_batches: int = 200) -> int:
    """Score again, a batch at a time, the open leads whose stored score time alone changes and
    that were scored more than ``STALE_AFTER`` ago, by every active model with a current score
    (a model changed since is being recomputed anyway). Each stored score gets ``computed_at =
    now`` (and a history row only when it moved), so a second run at the same time finds nothing:
    idempotent. Answers how many scores were recomputed."""
    now = now or timezone.now()
    done = 0
    for model in ScoringModel.objects.filter(is_active=True).order_by("pk"):
        condition = _time_dependent(model)
        if condition is None:
            continue
        prepared = _prepare(model)
        stale = (
            LeadScore.objects.filter(
                condition,
                model=model,
                model_version=model.version,
                computed_at__lt=now - STALE_AFTER,
                lead__is_converted=False,
            )
            .order_by("computed_at", "lead_id")
            .values_list("lead_id", flat=True)
        )
        for _batch in range(max_batches):
            lead_ids = list(stale[:batch])
            if not lead_ids:
                break
            leads = list(Lead.objects.filter(pk__in=lead_ids).order_by("pk"))
            done += _store_batch(model=model, prepared=prepared, leads=leads, now=now)
    return done
