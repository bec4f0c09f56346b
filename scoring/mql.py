"""The MQL hand-off: a lead whose score by a model rises to the model's MQL threshold becomes a
marketing-qualified lead, and the model's action runs in the same transaction as the score write
(set a status, move to a queue, email the owner; any of these).

Once per crossing, whatever runs at the same time: the crossing is claimed with a conditional
``UPDATE ... WHERE mql_armed AND score >= threshold`` on the stored score rows (each row locked by
the update; a second recompute of the same lead waits, then finds it disarmed), and re-armed only
when the score fell below threshold − hysteresis. Incremental and set-based recomputes both call
``crossings_apply`` after writing scores, for one lead or for a whole range of leads."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.selectors import picklist_values
from emails.models import OutboundEmail
from emails.services.outbox import email_enqueue
from engagement.models import EngagementEvent
from engagement.services import engagement_event_record
from leads.fields import OBJECT_NAME
from leads.models import Lead, Queue
from leads.services import lead_change_owner, lead_update

from .models import LeadScore, ScoringModel

logger = logging.getLogger(__name__)

SOURCE = "scoring"


def armed_after(*, armed: bool, score: int, threshold: int, hysteresis: int) -> tuple[bool, bool]:
    """The MQL state machine of one lead and model, free of the database: answers (fires, armed
    afterwards) for a new ``score``. The SQL of ``crossings_apply`` does the same."""
    if armed and score >= threshold:
        return True, False
    if not armed and score < threshold - hysteresis:
        return False, True
    return False, armed


MQL_FIELDS = ("mql_threshold", "mql_hysteresis", "mql_status", "mql_queue", "mql_notify_owner")


def mql_values(data: dict, *, instance: ScoringModel | None, errors: dict) -> dict:
    """A model's MQL settings from input (the model's own values where the input leaves them
    out), with field errors added to ``errors``: a threshold of 1–100 or blank, a hysteresis
    below it, an active Lead Status value, an existing queue."""

    def current(key, default=None):
        if key in data:
            return data[key]
        return getattr(instance, key, default) if instance is not None else default

    values: dict = {}
    threshold = current("mql_threshold")
    if threshold in (None, ""):
        values["mql_threshold"] = None
    else:
        try:
            values["mql_threshold"] = int(threshold)
            if not 1 <= values["mql_threshold"] <= 100:
                raise ValueError
        except (TypeError, ValueError):
            errors["mql_threshold"] = [_("Enter a score from 1 to 100, or leave it blank.")]
    try:
        raw = current("mql_hysteresis")
        values["mql_hysteresis"] = 10 if raw in (None, "") else int(raw)
        if not 0 <= values["mql_hysteresis"] <= 100:
            raise ValueError
    except (TypeError, ValueError):
        errors["mql_hysteresis"] = [_("Enter a number from 0 to 100.")]
    status = str(current("mql_status", "") or "").strip()
    if status and status not in _active_statuses():
        errors["mql_status"] = [_("Choose an active Lead Status value.")]
    values["mql_status"] = status
    queue = current("mql_queue")
    if isinstance(queue, Queue) or queue in (None, ""):
        values["mql_queue"] = queue or None
    else:
        values["mql_queue"] = Queue.objects.filter(pk=queue).first() if str(queue).isdigit() else None
        if values["mql_queue"] is None:
            errors["mql_queue"] = [_("Choose one of the queues.")]
    values["mql_notify_owner"] = bool(current("mql_notify_owner", False))
    acts = values["mql_status"] or values["mql_queue"] or values["mql_notify_owner"]
    if values.get("mql_threshold") is not None and not acts and "mql_threshold" not in errors:
        errors["mql_threshold"] = [_("Choose what happens at the threshold: a status, a queue or an email.")]
    return values


@dataclass(frozen=True)
class Crossing:
    lead_id: int
    number: int
    score: int


def _claim(model: ScoringModel, *, lead_ids: list[int] | None, id_range: tuple[int, int] | None, now) -> list[Crossing]:
    """Re-arm the leads that fell below threshold − hysteresis, then claim the crossings: each
    armed row at or over the threshold is disarmed and numbered in one statement."""
    where, params = "model_id = %s", [model.pk]
    if lead_ids is not None:
        where += (
            " AND lead_id = ANY(%s)"
            if connection.vendor == "postgresql"
            else (f" AND lead_id IN ({', '.join(['%s'] * len(lead_ids))})")
        )
        params += [list(lead_ids)] if connection.vendor == "postgresql" else list(lead_ids)
    if id_range is not None:
        where += " AND lead_id BETWEEN %s AND %s"
        params += list(id_range)
    table = LeadScore._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET mql_armed = TRUE WHERE {where} AND NOT mql_armed AND score < %s",
            [*params, model.mql_threshold - model.mql_hysteresis],
        )
        cursor.execute(
            f"UPDATE {table} SET mql_armed = FALSE, mql_at = %s, mql_crossings = mql_crossings + 1 "
            f"WHERE {where} AND mql_armed AND score >= %s RETURNING lead_id, mql_crossings, score",
            [now, *params, model.mql_threshold],
        )
        return [Crossing(lead_id, number, score) for lead_id, number, score in cursor.fetchall()]


def crossings_apply(
    *, model: ScoringModel, lead_ids: list[int] | None = None, id_range: tuple[int, int] | None = None, now=None
) -> list[Crossing]:
    """Claim the model's MQL crossings among the given leads (stored scores already written in
    this transaction) and hand each crossed lead off. Answers the crossings."""
    if model.mql_threshold is None or (lead_ids is not None and not lead_ids):
        return []
    now = now or timezone.now()
    crossings = _claim(model, lead_ids=lead_ids, id_range=id_range, now=now)
    if crossings:
        statuses = _active_statuses() if model.mql_status else set()
        for crossing in crossings:
            handoff_run(model=model, crossing=crossing, statuses=statuses)
    return crossings


def _active_statuses() -> set[str]:
    return {v.api_name for v in picklist_values(object_name=OBJECT_NAME, field_name="status") if v.is_active}


def handoff_run(*, model: ScoringModel, crossing: Crossing, statuses: set[str] | None = None) -> None:
    """The model's action for one crossed lead, in the caller's transaction. A part that cannot
    run (a deactivated status, a converted lead) is logged and skipped: the score and the other
    parts still stand. Each part is idempotent per crossing."""
    lead = Lead.objects.filter(pk=crossing.lead_id).first()
    if lead is None:
        return
    note = _("Marketing qualified by scoring model “%(model)s” (score %(score)s).") % {
        "model": model.name,
        "score": crossing.score,
    }
    statuses = _active_statuses() if statuses is None and model.mql_status else (statuses or set())
    if model.mql_status and model.mql_status in statuses and lead.status != model.mql_status:
        _guarded(
            "status",
            lambda: lead_update(
                lead=lead, data={"status": model.mql_status}, acting_user=None, check_access=False, history_note=note
            ),
        )
    if model.mql_queue_id and lead.owner_queue_id != model.mql_queue_id:
        _guarded(
            "queue",
            lambda: lead_change_owner(
                lead=lead,
                owner=Queue.objects.get(pk=model.mql_queue_id),
                acting_user=None,
                note=note,
                check_access=False,
            ),
        )
    key = f"mql:{lead.pk}:{model.pk}:{crossing.number}"
    _guarded(
        "timeline",
        lambda: engagement_event_record(
            event_type=EngagementEvent.Type.CUSTOM,
            source=SOURCE,
            lead_id=lead.pk,
            title=note[:500],
            properties={"kind": "mql", "model": model.pk, "score": crossing.score},
            external_id=key,
        ),
    )
    if model.mql_notify_owner:
        lead.refresh_from_db(fields=["owner_user", "owner_queue"])
        _guarded(
            "email", lambda: owner_notify(lead=lead, key=key, subject=_mql_subject(lead), body=_mql_body(lead, note))
        )


def _guarded(part: str, action) -> None:
    try:
        with transaction.atomic():
            action()
    except (ValidationError, PermissionError, Queue.DoesNotExist) as exc:
        logger.warning("MQL hand-off: the %s part was skipped: %s", part, exc)


def owner_address(lead: Lead, queue: Queue | None = None) -> str:
    """Where a notice about the lead goes: ``queue``'s email, else the owning user's, else the
    owning queue's ("" when there is none)."""
    if queue is not None:
        return queue.email or ""
    if lead.owner_user_id:
        return lead.owner_user.email or ""
    if lead.owner_queue_id:
        return lead.owner_queue.email or ""
    return ""


def owner_notify(*, lead: Lead, key: str, subject: str, body: str, queue: Queue | None = None) -> OutboundEmail | None:
    """An outbox email about the lead to its owner (or ``queue``), once per ``key``."""
    to = owner_address(lead, queue)
    if not to:
        logger.info("No address to notify about lead %s (%s).", lead.pk, key)
        return None
    return email_enqueue(
        to=to,
        subject=subject,
        body_text=body,
        kind=OutboundEmail.Kind.NOTIFICATION,
        idempotency_key=key,
        object_name=OBJECT_NAME,
        record_id=lead.pk,
    )


def _lead_name(lead: Lead) -> str:
    return " ".join(part for part in (lead.first_name, lead.last_name) if part) or str(lead.pk)


def _mql_subject(lead: Lead) -> str:
    return _("Marketing-qualified lead: %(name)s (%(company)s)") % {"name": _lead_name(lead), "company": lead.company}


def _mql_body(lead: Lead, note: str) -> str:
    return "\n".join(
        [
            note,
            "",
            _("Lead: %(name)s, %(company)s") % {"name": _lead_name(lead), "company": lead.company},
            _("Email: %(email)s") % {"email": lead.email or "-"},
            _("Phone: %(phone)s") % {"phone": lead.phone or "-"},
            "",
            _("Follow up now: open the lead in LeadCRM (lead %(id)s).") % {"id": lead.pk},
        ]
    )


def leads_qualified(*, lead_ids) -> set[int]:
    """An MQL provider for ``core.registry``: the leads some model has handed off."""
    return set(
        LeadScore.objects.filter(lead_id__in=list(lead_ids), mql_crossings__gt=0).values_list("lead_id", flat=True)
    )
