"""Many leads at once: ``intake_batch``, the batched form of ``lead_intake``.

An entry point with many rows (the Web-to-Lead worker, an import) hands a batch of rows to
``intake_batch``; in one transaction it validates each row as ``lead_create`` does (a refused row is
answered with its ``ValidationError`` and never stops the others), decides every owner with the
active assignment rule compiled once (round-robin turns move on per lead in memory, as one lead at a
time would move them), inserts the leads with multi-row inserts, writes their Field History in one
insert, queues the auto-responses as outbox rows in one insert (one hand-over to the broker on
commit), and adds the leads to the campaigns their rows name through the registered campaign hook.
The result of each row is the one ``lead_intake`` gives it; tests compare both paths.

Should the batch fail in the database (a constraint no check foresaw), it is rolled back and its
rows go through ``intake_row`` one by one, each in a savepoint, so that one bad row cannot block the
others.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.db import insert_rows
from core.history import Change, RecordChange, history_record_many
from core.memo import config_scope
from core.registry import run_lead_campaign_hooks, run_lead_intake_screens, run_record_change_hooks_many
from core.request_id import current_request_id
from emails.services import autoresponse_send_many

from ..fields import OBJECT_NAME
from ..models import Lead
from ..routing.services import AssignmentResult, BatchAssignment, assignment_notification_enqueue
from ..services import CREATED, lead_build
from .single import (
    SOURCES,
    IntakeOptions,
    IntakeResult,
    IntakeRow,
    IntakeRules,
    duplicate_outcome,
    intake_row,
    intake_row_judged,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

# Rows per transaction that the callers aim for: large enough that the fixed cost of a batch (the
# rule, the round-robin cursors, a handful of statements) is spread thin, small enough that a
# batch's locks and memory stay modest.
BATCH_SIZE = 1000

RowAnswer = IntakeResult | ValidationError


def intake_batch(
    *, rows: Sequence[IntakeRow], options: IntakeOptions, acting_user: User, rules: IntakeRules | None = None
) -> list[RowAnswer]:
    """Make a lead of each valid row, in one transaction (the caller's, when one is open).

    Answers, per row in order, its ``IntakeResult`` or the ``ValidationError`` that refused it."""
    rules = rules if rules is not None else IntakeRules.load(options)
    # The field metadata and picklists every row is checked against are read once for the batch.
    with config_scope(), transaction.atomic():
        try:
            with transaction.atomic():
                return _intake_together(rows=rows, options=options, acting_user=acting_user, rules=rules)
        except DatabaseError:
            logger.warning("A batch of %s leads failed as a whole; making them one by one.", len(rows), exc_info=True)
        return [_intake_alone(row=row, options=options, acting_user=acting_user, rules=rules) for row in rows]


def _intake_alone(*, row: IntakeRow, options: IntakeOptions, acting_user, rules: IntakeRules) -> RowAnswer:
    try:
        with transaction.atomic():
            return intake_row(row=row, options=options, acting_user=acting_user, rules=rules)
    except ValidationError as exc:
        return exc
    except DatabaseError as exc:
        logger.warning("A lead could not be saved", exc_info=True)
        return ValidationError(_("The lead could not be saved: %(error)s") % {"error": exc})


def _intake_together(*, rows: Sequence[IntakeRow], options: IntakeOptions, acting_user, rules: IntakeRules):
    now = timezone.now()
    actor = acting_user if getattr(acting_user, "pk", None) else None
    answers: list = [None] * len(rows)
    built: list[tuple[int, Lead]] = []
    # The duplicate rules judge every row first: a refused row makes no lead, an attached row adds
    # to a lead that exists, and a row like an earlier row of this batch ("recheck") waits until
    # the batch's leads exist and then goes alone, as one row at a time would see them.
    verdicts = run_lead_intake_screens(rows=list(rows), source=options.source, acting_user=acting_user)
    recheck: list[int] = []
    for index, row in enumerate(rows):
        verdict = verdicts[index]
        if verdict is not None and verdict.action == "recheck":
            recheck.append(index)
            continue
        if (error := duplicate_outcome(verdict, options)) is not None:
            answers[index] = error
            continue
        if verdict is not None and verdict.action == "attach":
            answers[index] = intake_row_judged(row=row, options=options, acting_user=acting_user, verdict=verdict)
            continue
        try:
            lead = lead_build(
                data=row.data,
                custom_fields=row.custom_fields,
                owner=row.owner,
                acting_user=acting_user,
                now=now,
                record_type=row.record_type,
            )
        except ValidationError as exc:
            answers[index] = exc
            continue
        built.append((index, lead))

    # Owners before the insert: each lead is inserted once, as it stands after its assignment.
    assignments: dict[int, AssignmentResult] = {}
    owner_changes: dict[int, Change | None] = {}
    assigned_by_rule = options.assign and rules.rule is not None
    if options.assign and rules.rule is not None:
        assigner = BatchAssignment(
            rule=rules.rule, compiled=rules.compiled, acting_user=acting_user, note_source=SOURCES[options.source]
        )
        for index, lead in built:
            assignments[index], owner_changes[index] = assigner.assign(lead, now=now)
        assigner.finish()
    insert_rows([lead for _index, lead in built], page=BATCH_SIZE)

    changes = []
    for index, lead in built:
        changes.append(RecordChange(lead.pk, CREATED, 1, options.note_for(rows[index])))
        if (owner_change := owner_changes.get(index)) is not None:
            changes.append(RecordChange(lead.pk, owner_change, lead.version, assignments[index].note))
    # The record change hooks (scores, SLA clocks, nurture) run once per lead when it is complete.
    history_record_many(object_name=OBJECT_NAME, changes=changes, acting_user=actor, at=now, run_hooks=False)

    leads = dict(built)
    if assigned_by_rule:
        for index, lead in leads.items():
            # Each lead as ``lead_assign`` answers it: inserted as it stands after its assignment.
            result = assignments[index] = replace(assignments[index], lead=lead)
            if result.changed and result.entry is not None and not result.used_default:
                assignment_notification_enqueue(lead=lead, entry=result.entry, acting_user=acting_user)

    emails = {}
    if options.auto_respond:
        default_id = current_request_id() or ""
        emails = autoresponse_send_many(
            leads=list(leads.values()),
            acting_user=acting_user,
            source=options.source,
            request_ids={lead.pk: rows[index].request_id or default_id for index, lead in leads.items()},
            run_hooks=False,
        )
    run_record_change_hooks_many(object_name=OBJECT_NAME, record_ids=[lead.pk for lead in leads.values()])
    # One call per member status the rows name (most batches name one, or none).
    by_status: dict[str, list] = {}
    for index, lead in leads.items():
        if rows[index].campaign:
            by_status.setdefault(rows[index].campaign_status, []).append((lead, rows[index].campaign))
    notes: dict[int, list[str]] = {}
    for status, items in by_status.items():
        notes.update(run_lead_campaign_hooks(items=items, acting_user=acting_user, member_status=status))
    for index, lead in leads.items():
        assignment = assignments.get(index)
        if options.assign and assignment is None:
            assignment = AssignmentResult(lead=lead)  # no assignment rule is active
        verdict = verdicts[index]
        answers[index] = IntakeResult(
            lead=lead,
            assignment=assignment,
            autoresponse=emails.get(lead.pk),
            notes=tuple(notes.get(lead.pk, ())) + (verdict.notes if verdict is not None else ()),
            duplicates=verdict.matches if verdict is not None else (),
        )
    for index in recheck:
        answers[index] = _intake_alone(row=rows[index], options=options, acting_user=acting_user, rules=rules)
    return answers
