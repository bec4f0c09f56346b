"""Reads of a lead's score history (one row per change of its score by a model): the points of
the Score panel's sparkline, drawn server-side as a small inline SVG (no script), and the
history the score API answers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from leads.models import Lead

from .models import LeadScoreHistory

# The newest changes drawn or answered per model.
HISTORY_LIMIT = 50
WIDTH, HEIGHT, PAD = 160, 36, 3


@dataclass(frozen=True)
class Sparkline:
    points: str  # the SVG polyline's "x,y x,y ..."
    last_x: float
    last_y: float
    width: int
    height: int
    first: int
    last: int
    low: int
    high: int
    count: int
    since: datetime


def lead_score_history(*, lead: Lead, model_ids: list[int], limit: int = HISTORY_LIMIT) -> dict[int, list]:
    """The newest ``limit`` changes of the lead's score per model, oldest first (one query)."""
    rows = (
        LeadScoreHistory.objects.filter(lead=lead, model_id__in=model_ids)
        .order_by("model_id", "-changed_at", "-id")
        .values_list("model_id", "score", "grade", "changed_at")
    )
    out: dict[int, list] = {pk: [] for pk in model_ids}
    for model_id, score, grade, at in rows:
        if len(out[model_id]) < limit:
            out[model_id].append({"score": score, "grade": grade, "changed_at": at})
    for changes in out.values():
        changes.reverse()
    return out


def sparkline_of(scores: list[int], since: datetime) -> Sparkline | None:
    """A polyline of the scores on a fixed 0–100 scale (so two leads' lines compare), evenly
    spaced by change; None for fewer than two changes (nothing moved yet)."""
    if len(scores) < 2:
        return None
    step = (WIDTH - 2 * PAD) / (len(scores) - 1)
    coords = [(PAD + i * step, PAD + (100 - s) * (HEIGHT - 2 * PAD) / 100) for i, s in enumerate(scores)]
    return Sparkline(
        points=" ".join(f"{x:.1f},{y:.1f}" for x, y in coords),
        last_x=round(coords[-1][0], 1),
        last_y=round(coords[-1][1], 1),
        width=WIDTH,
        height=HEIGHT,
        first=scores[0],
        last=scores[-1],
        low=min(scores),
        high=max(scores),
        count=len(scores),
        since=since,
    )


def score_sparkline(*, lead: Lead, model_ids: list[int]) -> dict[int, Sparkline | None]:
    history = lead_score_history(lead=lead, model_ids=model_ids)
    return {
        pk: sparkline_of([c["score"] for c in changes], changes[0]["changed_at"] if changes else None)
        for pk, changes in history.items()
    }
