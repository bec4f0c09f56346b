"""Running an import (or its dry run) in batches through the batched lead pipeline.

One batch reads ``IMPORT_BATCH_SIZE`` records of the file and, in one transaction: sorts each row
into create, update, skip or reject; creates the new leads with ``intake_batch`` (validated as the
single path, assignment compiled once, auto-responses in bulk); updates matched leads with
``lead_update`` (field history written, each in a savepoint so one refused row stays alone); stores
the refused and skipped rows with their reasons, the batch's undo record, the counters and the
import's row offset. A worker that dies mid-batch loses the batch's transaction whole, and the next
worker starts from the offset of the last committed batch: every row is imported exactly once.

A dry run runs the very same batches and rolls each one back, so that its counts are the counts the
real run gives on the same data. A row whose match key (email, external id, lead id) repeats an
earlier row of the file is skipped as a duplicate in both.
"""

from __future__ import annotations

import itertools
import json
import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, transaction
from django.db.models import CharField, F
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from core.fields import is_blank
from core.models import PicklistValue

from ..fields import OBJECT_NAME, PICKLIST_FIELDS, WRITABLE_FIELDS
from ..intake import IntakeOptions, IntakeResult, IntakeRow, IntakeRules, intake_batch
from ..models import Lead
from ..selectors import lead_is_editable_by
from ..services import lead_update
from .models import LeadImport, LeadImportBatch, LeadImportRow
from .parsing import CAMPAIGN_COLUMN, ID_COLUMN, Record, import_dir, iter_records, kept_cells, record_problem

logger = logging.getLogger(__name__)

# Rows per batch (settings.LEAD_IMPORT_BATCH_SIZE): one transaction, one undo record, one offset.
IMPORT_BATCH_SIZE = 1000
SAMPLE_SIZE = 20
UNEXPECTED_ERROR = "This row could not be imported because of an unexpected error; an administrator can see the log."

CREATE, UPDATE, SKIP, REJECT = "created", "updated", "skipped", "rejected"


class BatchNotOurs(Exception):
    """The import was cancelled, or another worker committed this batch first: roll it back."""


class _DryRunRollback(Exception):
    pass


def picklist_lookup() -> dict[str, dict[str, str]]:
    """``{field: {lower-case label or api name: api name}}``: a file may carry labels or api names."""
    lookup: dict[str, dict[str, str]] = {}
    for field_name, api, label in PicklistValue.objects.filter(
        object_name=OBJECT_NAME, field_name__in=PICKLIST_FIELDS, is_active=True
    ).values_list("field_name", "api_name", "label"):
        values = lookup.setdefault(field_name, {})
        values.setdefault(label.strip().lower(), api)
        values[api.strip().lower()] = api
    return lookup


@dataclass(frozen=True)
class ImportHooks:
    """What an app running its own jobs through this pipeline (the bulk API) asks of an import it
    owns: the lead intake source (its duplicate rule path), ``on_batch(lead_import, outcomes,
    first_row, end_row)`` called inside each committed batch's transaction (so that its per-row
    results commit with the batch, exactly once), and ``on_end(lead_import)`` once the run stops."""

    source: str = "import"
    on_batch: Callable | None = None
    on_end: Callable | None = None
    # A cell holding exactly this text (the bulk API's "#N/A") clears its field on a matched lead
    # and counts as a blank cell on a new one; "" for none (a blank cell never clears a field).
    clear_value: str = ""


# Providers answer the hooks of an import they own, else None (registered from AppConfig.ready).
_hook_providers: list[Callable[[LeadImport], ImportHooks | None]] = []


def register_import_hooks(provider: Callable[[LeadImport], ImportHooks | None]) -> None:
    if provider not in _hook_providers:
        _hook_providers.append(provider)


def import_hooks(lead_import: LeadImport) -> ImportHooks:
    for provider in _hook_providers:
        hooks = provider(lead_import)
        if hooks is not None:
            return hooks
    return ImportHooks()


def intake_options(lead_import: LeadImport, source: str = "import") -> IntakeOptions:
    """What the import asks of the lead pipeline; ``source`` names the duplicate rules' path."""
    return IntakeOptions(
        source=source,
        assign=lead_import.run_assignment,
        auto_respond=lead_import.send_autoresponse,
        note=f"Import: {lead_import.file_name}",
    )


@dataclass
class ImportContext:
    """What every batch of one import reads once: the import, picklists, the pipeline's options and
    compiled rules, the column of the match key, and the keys met so far in the file."""

    lead_import: LeadImport
    picklists: dict
    options: IntakeOptions
    rules: IntakeRules
    key_index: int | None
    seen: set = field(default_factory=set)
    hooks: ImportHooks = field(default_factory=ImportHooks)

    @classmethod
    def load(cls, lead_import: LeadImport) -> ImportContext:
        hooks = import_hooks(lead_import)
        options = intake_options(lead_import, source=hooks.source)
        return cls(
            lead_import=lead_import,
            picklists=picklist_lookup(),
            options=options,
            rules=IntakeRules.load(options),
            key_index=_key_index(lead_import),
            hooks=hooks,
        )

    @property
    def width(self) -> int:
        return len(self.lead_import.headers)

    def key_of(self, record: Record) -> str:
        """The row's match key ("" when the import does not match, or the cell is blank)."""
        if self.key_index is None or self.key_index >= len(record.cells):
            return ""
        value = record.cells[self.key_index].strip()
        return self._as_key(value)

    def _as_key(self, value: str) -> str:
        return value.lower() if self.lead_import.match_by == LeadImport.MatchBy.EMAIL else value

    def clears_key(self, key: str) -> bool:
        """Whether the row's match key is the hooks' ``clear_value`` (a key cannot be cleared)."""
        return bool(key) and bool(self.hooks.clear_value) and key == self._as_key(self.hooks.clear_value)


def _key_index(lead_import: LeadImport) -> int | None:
    if lead_import.mode == LeadImport.Mode.INSERT:
        return None
    column = {
        LeadImport.MatchBy.EMAIL: "email",
        LeadImport.MatchBy.EXTERNAL_ID: lead_import.external_id_field,
        LeadImport.MatchBy.RECORD_ID: ID_COLUMN,
    }[lead_import.match_by]
    return lead_import.mapping.index(column) if column in lead_import.mapping else None


def row_values(lead_import: LeadImport, cells: list[str], picklists: dict) -> tuple[dict, dict]:
    """Split a row's mapped cells into standard data and custom values; picklist labels become
    api names, and the import's defaults fill the blank source and status."""
    data: dict = {}
    custom: dict = {}
    for index, api in enumerate(lead_import.mapping):
        if not api or api in {CAMPAIGN_COLUMN, ID_COLUMN}:
            continue
        value = cells[index].strip() if index < len(cells) else ""
        if api in WRITABLE_FIELDS:
            if api in picklists and value:
                value = picklists[api].get(value.lower(), value)
            data[api] = value
        else:
            custom[api] = value
    return data, custom


def _with_defaults(lead_import: LeadImport, data: dict) -> dict:
    if is_blank(data.get("lead_source")) and lead_import.default_lead_source:
        data["lead_source"] = lead_import.default_lead_source
    if is_blank(data.get("status")) and lead_import.default_status:
        data["status"] = lead_import.default_status
    return data


def row_campaign(lead_import: LeadImport, cells: list[str]) -> str:
    """The campaign a row's lead joins: its mapped Campaign_ID cell, else the import's campaign."""
    if CAMPAIGN_COLUMN in lead_import.mapping:
        index = lead_import.mapping.index(CAMPAIGN_COLUMN)
        value = cells[index].strip() if index < len(cells) else ""
        if value:
            return value
    return lead_import.campaign


def error_messages(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {key: [str(m) for m in msgs] for key, msgs in exc.message_dict.items()}
    return {"__all__": [str(m) for m in exc.messages]}


@dataclass
class RowOutcome:
    record: Record
    kind: str
    errors: dict = field(default_factory=dict)
    lead_id: int | None = None
    # A create that a duplicate rule attached to the existing lead ``lead_id`` instead.
    attached: bool = False

    @property
    def counted_as(self) -> str:
        """What the import's counts call the row: a row attached to an existing lead updated it."""
        return UPDATE if self.attached else self.kind

    @property
    def reason(self) -> str:
        return "; ".join(" ".join(msgs) for msgs in self.errors.values())


def _existing(ctx: ImportContext, keys: set[str]) -> dict[str, Lead]:
    """The leads the keys match, one per key (the oldest when several share an email)."""
    if not keys:
        return {}
    lead_import = ctx.lead_import
    qs = Lead.objects.select_related("owner_user", "owner_queue").order_by("-pk")
    if lead_import.match_by == LeadImport.MatchBy.EMAIL:
        qs = qs.annotate(match_key=Lower("email")).filter(match_key__in=keys)
    elif lead_import.match_by == LeadImport.MatchBy.EXTERNAL_ID:
        # As text: SQLite would read the keys of an ``__in`` on a JSON key as JSON documents.
        key = Cast(KeyTextTransform(lead_import.external_id_field, "custom_fields"), CharField())
        qs = qs.annotate(match_key=key).filter(match_key__in=keys)
    else:
        ids = {int(k) for k in keys if k.isdigit() and len(k) < 18}
        return {str(lead.pk): lead for lead in qs.filter(pk__in=ids)}
    return {lead.match_key: lead for lead in qs}


def _update_values(
    lead_import: LeadImport, lead: Lead, data: dict, custom: dict, cleared: frozenset = frozenset()
) -> tuple[dict, dict]:
    """The cells a matched row writes: blank cells never clear a field, the ``cleared`` ones (the
    hooks' ``clear_value``) do; with "fill blanks only" only the lead's blank fields are written."""
    data = {k: v for k, v in data.items() if k in cleared or not is_blank(v)}
    custom = {k: v for k, v in custom.items() if k in cleared or not is_blank(v)}
    if lead_import.on_match == LeadImport.OnMatch.FILL_BLANKS:
        data = {k: v for k, v in data.items() if is_blank(getattr(lead, k))}
        existing = lead.custom_fields or {}
        custom = {k: v for k, v in custom.items() if is_blank(existing.get(k))}
    return data, custom


def _snapshot(lead: Lead, data: dict, custom: dict) -> dict:
    before = {k: getattr(lead, k) for k in data}
    existing = lead.custom_fields or {}
    before.update({f"custom:{k}": existing.get(k) for k in custom})
    return before


def _cleared(ctx: ImportContext, data: dict, custom: dict) -> frozenset:
    """The fields whose cell is the hooks' ``clear_value``; their values become blank."""
    marker = ctx.hooks.clear_value
    if not marker:
        return frozenset()
    names = frozenset(k for values in (data, custom) for k, v in values.items() if v == marker)
    for name in names:
        (data if name in data else custom)[name] = ""
    return names


def _update(
    ctx: ImportContext,
    outcome: RowOutcome,
    lead: Lead,
    data: dict,
    custom: dict,
    undo: dict,
    cleared: frozenset = frozenset(),
) -> None:
    lead_import = ctx.lead_import
    creator = lead_import.created_by
    data, custom = _update_values(lead_import, lead, data, custom, cleared)
    if not lead_is_editable_by(lead, creator):
        outcome.kind, outcome.errors = REJECT, {"__all__": [_("You may not edit the lead this row matches.")]}
        return
    if not data and not custom:
        outcome.kind, outcome.errors = SKIP, {"__all__": [_("Nothing to change on the lead this row matches.")]}
        return
    before = _snapshot(lead, data, custom)
    try:
        with transaction.atomic():
            updated = lead_update(
                lead=lead, data=data, custom_fields=custom, acting_user=creator, history_note=ctx.options.note[:300]
            )
    except ValidationError as exc:
        outcome.kind, outcome.errors = REJECT, _refused_clears(ctx, error_messages(exc), cleared)
        return
    except PermissionError as exc:
        outcome.kind, outcome.errors = REJECT, {"__all__": [str(exc)]}
        return
    if updated.version == lead.version:
        outcome.kind, outcome.errors = SKIP, {"__all__": [_("Nothing to change on the lead this row matches.")]}
        return
    undo[str(lead.pk)] = {"before": json.loads(DjangoJSONEncoder().encode(before)), "version": updated.version}


def _refused_clears(ctx: ImportContext, errors: dict, cleared: frozenset) -> dict:
    """A refused update's errors, where a field the row cleared is refused (a required field: a
    blank value fails nothing else) saying so rather than that it is blank."""
    if not cleared:
        return errors
    message = _("%(value)s cannot clear a required field.") % {"value": ctx.hooks.clear_value}
    return {name: [message] if name in cleared else messages for name, messages in errors.items()}


def _undo_fills(undo: dict, answer: IntakeResult) -> None:
    """Record the blank fields an attached row filled on an existing lead, as an update's undo
    record (a lead attached to twice in one batch keeps the value it had before the first)."""
    if not answer.filled:
        return
    entry = undo.setdefault(str(answer.lead.pk), {"before": {}})
    for name in answer.filled:
        entry["before"].setdefault(name, "")
    entry["version"] = answer.lead.version


def sort_rows(ctx: ImportContext, records: list[Record]) -> list[tuple[RowOutcome, str]]:
    """Each non-blank record's first verdict (reject for what the file got wrong, skip for a key
    met earlier in the file, else create or update to be decided), with its match key."""
    sorted_rows = []
    name = LeadImport.MatchBy(ctx.lead_import.match_by).label.lower()
    for record in records:
        if record.blank:
            continue
        problem = record_problem(record, ctx.width)
        if problem:
            sorted_rows.append((RowOutcome(record, REJECT, {"__all__": [problem]}), ""))
            continue
        key = ctx.key_of(record)
        if ctx.clears_key(key):
            reason = _("The %(key)s that matches the row cannot be cleared.") % {"key": name}
            sorted_rows.append((RowOutcome(record, REJECT, {"__all__": [reason]}), ""))
            continue
        if key and key in ctx.seen:
            reason = _("An earlier row of the file has the same %(key)s.") % {"key": name}
            sorted_rows.append((RowOutcome(record, SKIP, {"__all__": [reason]}), key))
            continue
        if key:
            ctx.seen.add(key)
        sorted_rows.append((RowOutcome(record, ""), key))
    return sorted_rows


def run_batch(ctx: ImportContext, records: list[Record]) -> tuple[list[RowOutcome], list[int], dict]:
    """Decide and write one batch in the caller's transaction: answers each row's outcome, the ids
    of the leads created and the undo record of the leads updated."""
    lead_import = ctx.lead_import
    creator = lead_import.created_by
    sorted_rows = sort_rows(ctx, records)
    matches = _existing(ctx, {key for outcome, key in sorted_rows if key and not outcome.kind})
    key_name = LeadImport.MatchBy(lead_import.match_by).label.lower()
    to_create: list[tuple[RowOutcome, IntakeRow]] = []
    undo: dict = {}
    for outcome, key in sorted_rows:
        if outcome.kind:
            continue
        data, custom = row_values(lead_import, outcome.record.cells, ctx.picklists)
        cleared = _cleared(ctx, data, custom)
        lead = matches.get(key) if key else None
        if lead is not None:
            outcome.lead_id = lead.pk
            if lead_import.on_match == LeadImport.OnMatch.SKIP:
                outcome.kind = SKIP
                outcome.errors = {"__all__": [_("A lead with this %(key)s exists.") % {"key": key_name}]}
            else:
                outcome.kind = UPDATE
                _update(ctx, outcome, lead, data, custom, undo, cleared)
            continue
        if lead_import.mode == LeadImport.Mode.UPDATE:
            outcome.kind = REJECT
            message = (
                _("No lead matches this row's %(key)s.") % {"key": key_name}
                if key
                else _("The row has no %(key)s to match a lead by.") % {"key": key_name}
            )
            outcome.errors = {"__all__": [message]}
            continue
        outcome.kind = CREATE
        row = IntakeRow(
            data=_with_defaults(lead_import, data),
            custom_fields=custom,
            owner=lead_import.owner or creator,
            campaign=row_campaign(lead_import, outcome.record.cells),
            campaign_status=lead_import.campaign_status,
        )
        to_create.append((outcome, row))
    created_ids: list[int] = []
    if to_create:
        answers = intake_batch(
            rows=[row for _outcome, row in to_create], options=ctx.options, acting_user=creator, rules=ctx.rules
        )
        for (outcome, _row), answer in zip(to_create, answers, strict=True):
            if isinstance(answer, IntakeResult):
                outcome.lead_id = answer.lead.pk
                outcome.attached = answer.attached
                # An undo deletes the leads the import made, never the lead a row was attached to:
                # it empties the fields the row filled there instead.
                if answer.attached:
                    _undo_fills(undo, answer)
                else:
                    created_ids.append(answer.lead.pk)
            else:
                outcome.kind, outcome.errors = REJECT, error_messages(answer)
    return [outcome for outcome, _key in sorted_rows], created_ids, undo


def _commit_batch(ctx: ImportContext, records: list[Record], first_row: int, end_row: int) -> Counter:
    """One batch of the real run, all or nothing, with the import's offset moved to ``end_row``."""
    lead_import = ctx.lead_import
    with transaction.atomic():
        locked = LeadImport.objects.select_for_update().filter(pk=lead_import.pk).first()
        if locked is None or locked.status != LeadImport.Status.RUNNING or locked.next_row != first_row:
            raise BatchNotOurs
        outcomes, created_ids, undo = run_batch(ctx, records)
        now = timezone.now()
        LeadImportRow.objects.bulk_create(
            [
                LeadImportRow(
                    lead_import_id=lead_import.pk,
                    row_number=o.record.row_number,
                    raw_values=kept_cells(o.record.cells),
                    outcome=LeadImportRow.Outcome.ERROR if o.kind == REJECT else LeadImportRow.Outcome.SKIPPED,
                    errors=o.errors,
                    lead_id=o.lead_id,
                    processed_at=now,
                )
                for o in outcomes
                if o.kind in {REJECT, SKIP}
            ],
            batch_size=1000,
        )
        LeadImportBatch.objects.create(
            lead_import_id=lead_import.pk,
            first_row=first_row,
            end_row=end_row,
            created_ids=created_ids,
            updated=undo,
            committed_at=now,
        )
        counts = Counter(o.counted_as for o in outcomes)
        LeadImport.objects.filter(pk=lead_import.pk).update(
            next_row=end_row,
            created_count=F("created_count") + counts[CREATE],
            updated_count=F("updated_count") + counts[UPDATE],
            skipped_count=F("skipped_count") + counts[SKIP],
            error_count=F("error_count") + counts[REJECT],
            last_activity_at=now,
        )
        if ctx.hooks.on_batch is not None:
            ctx.hooks.on_batch(lead_import, outcomes, first_row, end_row)
    return counts


def _records(lead_import: LeadImport, start: int):
    return iter_records(
        Path(import_dir() / lead_import.stored_file),
        file_format=lead_import.file_format,
        encoding=lead_import.encoding,
        delimiter=lead_import.delimiter,
        start=1 + start,
    )


def _batches(ctx: ImportContext, start: int):
    """``(first_row, end_row, records)`` from the offset ``start``; the keys of the rows before it
    are read again first, so that a resumed run skips the same duplicates in the file."""
    records = _records(ctx.lead_import, 0 if ctx.key_index is not None else start)
    if ctx.key_index is not None:
        for record in itertools.islice(records, start):
            if not record.blank and not record_problem(record, ctx.width):
                key = ctx.key_of(record)
                if key:
                    ctx.seen.add(key)
    offset = start
    size = getattr(settings, "LEAD_IMPORT_BATCH_SIZE", None) or IMPORT_BATCH_SIZE
    batch: list[Record] = []
    for record in records:
        batch.append(record)
        if len(batch) >= size:
            yield offset, offset + len(batch), batch
            offset += len(batch)
            batch = []
    if batch:
        yield offset, offset + len(batch), batch


def _fail(lead_import_id: int, reason: str) -> None:
    LeadImport.objects.filter(pk=lead_import_id, status__in=["pending", "running"]).update(
        status=LeadImport.Status.FAILED, failure_reason=reason[:500], finished_at=timezone.now()
    )


def lead_import_process(*, lead_import_id: int) -> LeadImport | None:
    """Import the rows after the last committed batch, batch by batch, then mark the import done.
    Safe to run twice or on two workers at once: a batch commits only from the offset it read."""
    lead_import = LeadImport.objects.select_related("created_by", "owner").filter(pk=lead_import_id).first()
    if lead_import is None or not lead_import.is_active:
        return lead_import
    now = timezone.now()
    if not lead_import.created_by.is_active:
        _fail(lead_import.pk, "The user who started the import is no longer active.")
        return LeadImport.objects.get(pk=lead_import.pk)
    LeadImport.objects.filter(pk=lead_import.pk, status=LeadImport.Status.PENDING).update(
        status=LeadImport.Status.RUNNING, started_at=now, last_activity_at=now
    )
    lead_import.refresh_from_db()
    ctx = ImportContext.load(lead_import)
    try:
        for first_row, end_row, records in _batches(ctx, lead_import.next_row):
            try:
                _commit_batch(ctx, records, first_row, end_row)
            except BatchNotOurs:
                break
            except DatabaseError:
                logger.exception("Import %s: the batch from row offset %s failed", lead_import.pk, first_row)
                raise
        else:
            LeadImport.objects.filter(pk=lead_import.pk, status=LeadImport.Status.RUNNING).update(
                status=LeadImport.Status.DONE, finished_at=timezone.now()
            )
    except ValidationError as exc:
        _fail(lead_import.pk, " ".join(exc.messages))
    except FileNotFoundError:
        _fail(lead_import.pk, "The uploaded file is no longer on the server.")
    ended = LeadImport.objects.get(pk=lead_import.pk)
    if ctx.hooks.on_end is not None:
        ctx.hooks.on_end(ended)
    return ended


def _sample_entry(outcome: RowOutcome) -> dict:
    return {"row": outcome.record.row_number, "outcome": outcome.kind, "reason": outcome.reason[:300]}


def lead_import_dry_run(*, lead_import_id: int) -> LeadImport | None:
    """Run every batch as the import would and roll it back: how many rows would be created,
    updated, skipped and rejected, the reasons and a sample; progress is saved after each batch."""
    lead_import = LeadImport.objects.select_related("created_by", "owner").filter(pk=lead_import_id).first()
    if lead_import is None or lead_import.dry_run_status != LeadImport.DryRunStatus.RUNNING:
        return lead_import
    ctx = ImportContext.load(lead_import)
    totals: Counter = Counter()
    reasons: Counter = Counter()
    sample: list[dict] = []
    started = time.monotonic()
    try:
        for _first_row, _end_row, records in _batches(ctx, 0):
            try:
                with transaction.atomic():
                    outcomes, _created, _undo = run_batch(ctx, records)
                    raise _DryRunRollback
            except _DryRunRollback:
                pass
            for outcome in outcomes:
                totals[outcome.counted_as] += 1
                if outcome.kind in {REJECT, SKIP}:
                    reasons[outcome.reason[:300]] += 1
                    if len(sample) < SAMPLE_SIZE:
                        sample.append(_sample_entry(outcome))
            result = _dry_run_result(totals, reasons, sample, time.monotonic() - started)
            updated = LeadImport.objects.filter(pk=lead_import.pk, dry_run_status=LeadImport.DryRunStatus.RUNNING)
            if not updated.update(dry_run=result):
                return LeadImport.objects.get(pk=lead_import.pk)
    except (ValidationError, FileNotFoundError) as exc:
        reason = " ".join(exc.messages) if isinstance(exc, ValidationError) else "The file is gone."
        LeadImport.objects.filter(pk=lead_import.pk).update(
            dry_run_status=LeadImport.DryRunStatus.FAILED, dry_run={"error": reason}
        )
        return LeadImport.objects.get(pk=lead_import.pk)
    LeadImport.objects.filter(pk=lead_import.pk, dry_run_status=LeadImport.DryRunStatus.RUNNING).update(
        dry_run_status=LeadImport.DryRunStatus.DONE,
        dry_run=_dry_run_result(totals, reasons, sample, time.monotonic() - started),
    )
    return LeadImport.objects.get(pk=lead_import.pk)


def _dry_run_result(totals: Counter, reasons: Counter, sample: list[dict], seconds: float) -> dict:
    return {
        "rows": sum(totals.values()),
        CREATE: totals[CREATE],
        UPDATE: totals[UPDATE],
        SKIP: totals[SKIP],
        REJECT: totals[REJECT],
        "reasons": [{"reason": r, "count": n} for r, n in reasons.most_common(10)],
        "sample": sample,
        "seconds": round(seconds, 1),
    }
