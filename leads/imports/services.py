"""Writes of lead imports: upload, start, cancel, process one row, finish, and re-queue stalled imports.

Each row becomes a lead through the lead intake service (``leads.intake.lead_intake``), which
validates it as every entry point does and, as the import asks, runs the active assignment rule
and sends the auto-response.
"""

import logging
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from core.fields import is_blank
from core.models import PicklistValue
from core.roles import is_marketing_admin

from ..fields import OBJECT_NAME, PICKLIST_FIELDS, WRITABLE_FIELDS
from ..intake import lead_intake
from ..models import Lead
from ..ownership import owner_label
from .models import LeadImport, LeadImportRow
from .parsing import CAMPAIGN_COLUMN, auto_mapping, importable_fields, parse_csv
from .selectors import lead_import_is_managed_by

logger = logging.getLogger(__name__)

# An import whose worker has been quiet this long is handed to a worker again.
STALL_AFTER = timedelta(minutes=2)
UNEXPECTED_ERROR = "This row could not be imported because of an unexpected error; an administrator can see the log."


def lead_import_publish(*, lead_import_id: int) -> bool:
    """Hand an import to the broker. Never raises (the request that started the import has
    committed): with the broker down the import stays pending and the sweeper queues it again."""
    from .tasks import process_lead_import

    try:
        process_lead_import.delay(lead_import_id)
    except Exception:
        logger.warning(
            "Could not hand lead import %s to the broker; the sweeper will retry.", lead_import_id, exc_info=True
        )
        return False
    return True


def _schedule(lead_import_id: int) -> None:
    transaction.on_commit(lambda: lead_import_publish(lead_import_id=lead_import_id))


@transaction.atomic
def lead_import_upload(*, file_name: str, data: bytes, acting_user) -> LeadImport:
    """Store an uploaded CSV and one row per data line; the mapping step comes next."""
    parsed = parse_csv(data)
    now = timezone.now()
    lead_import = LeadImport.objects.create(
        file_name=(file_name or "import.csv")[:255],
        content=parsed.text,
        delimiter=parsed.delimiter,
        headers=parsed.headers,
        mapping=auto_mapping(parsed.headers, importable_fields()),
        owner=acting_user,
        total_rows=len(parsed.rows),
        created_by=acting_user,
        created_at=now,
    )
    LeadImportRow.objects.bulk_create(
        [LeadImportRow(lead_import=lead_import, row_number=number, raw_values=cells) for number, cells in parsed.rows],
        batch_size=1000,
    )
    return lead_import


def _validate_mapping(lead_import: LeadImport, mapping: list[str]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    available = {d.api_name: d for d in importable_fields()}
    if len(mapping) != len(lead_import.headers):
        return {"mapping": ["Map every column of the file, or skip it."]}
    seen: dict[str, str] = {}
    for header, api in zip(lead_import.headers, mapping, strict=True):
        if not api:
            continue
        if api not in available and api != CAMPAIGN_COLUMN:
            errors.setdefault("mapping", []).append(f"Column “{header}”: “{api}” is not a lead field.")
        elif api in seen:
            label = available[api].label if api in available else "Campaign"
            errors.setdefault("mapping", []).append(
                f"Columns “{seen[api]}” and “{header}” both fill {label}; choose one."
            )
        seen.setdefault(api, header)
    if not any(api and api != CAMPAIGN_COLUMN for api in mapping):
        errors.setdefault("mapping", []).append("Map at least one column to a lead field.")
    return errors


@transaction.atomic
def lead_import_start(
    *,
    lead_import: LeadImport,
    mapping: list[str],
    run_assignment: bool,
    send_autoresponse: bool,
    default_lead_source: str = "",
    owner=None,
    acting_user,
    campaign: str = "",
    campaign_status: str = "",
) -> LeadImport:
    """Confirm the mapping and options, and queue the import. Sales reps import leads they own;
    marketing admins may choose any active owner."""
    locked = LeadImport.objects.select_for_update().get(pk=lead_import.pk)
    if not lead_import_is_managed_by(locked, acting_user):
        raise PermissionError("You may not start this import.")
    if locked.status != LeadImport.Status.MAPPING:
        raise ValidationError({"__all__": _("This import has already been started.")})
    errors = _validate_mapping(locked, mapping)
    owner = owner or acting_user
    if owner.pk != acting_user.pk and not is_marketing_admin(acting_user):
        errors.setdefault("owner", []).append("You may only import leads that you own.")
    elif not owner.is_active:
        errors.setdefault("owner", []).append("An inactive user cannot own leads.")
    default_lead_source = (default_lead_source or "").strip()
    if (
        default_lead_source
        and not PicklistValue.objects.filter(
            object_name=OBJECT_NAME, field_name="lead_source", api_name=default_lead_source, is_active=True
        ).exists()
    ):
        errors.setdefault("default_lead_source", []).append("Choose an active lead source.")
    campaign, campaign_status = (campaign or "").strip(), (campaign_status or "").strip()
    if len(campaign) > 255:
        errors.setdefault("campaign", []).append("Use at most 255 characters.")
    if len(campaign_status) > 120:
        errors.setdefault("campaign_status", []).append("Use at most 120 characters.")
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    locked.campaign, locked.campaign_status = campaign, campaign_status
    locked.mapping = list(mapping)
    locked.run_assignment = bool(run_assignment)
    locked.send_autoresponse = bool(send_autoresponse)
    locked.default_lead_source = default_lead_source
    locked.owner = owner
    locked.status = LeadImport.Status.PENDING
    locked.queued_at = locked.last_activity_at = now
    locked.save()
    _schedule(locked.pk)
    return locked


@transaction.atomic
def lead_import_cancel(*, lead_import: LeadImport, acting_user) -> LeadImport:
    """Stop a queued or running import. Leads already created stay; the rows still pending are left
    as they are and no worker takes them any more (a row being written at that moment finishes)."""
    locked = LeadImport.objects.select_for_update().get(pk=lead_import.pk)
    if not lead_import_is_managed_by(locked, acting_user):
        raise PermissionError("You may not cancel this import.")
    if not locked.is_active:
        raise ValidationError(
            {
                "__all__": _("This import is %(lower)s; only a pending or running import can be cancelled.")
                % {"lower": locked.get_status_display().lower()}
            }
        )
    locked.status = LeadImport.Status.CANCELLED
    locked.failure_reason = f"Cancelled by {owner_label(acting_user)}."[:500]
    locked.finished_at = timezone.now()
    locked.save(update_fields=["status", "failure_reason", "finished_at"])
    return locked


def _picklist_lookup() -> dict[str, dict[str, str]]:
    """``{field: {normalised label or api name: api name}}``: a CSV may carry labels or api names."""
    lookup: dict[str, dict[str, str]] = {}
    for field, api, label in PicklistValue.objects.filter(
        object_name=OBJECT_NAME, field_name__in=PICKLIST_FIELDS, is_active=True
    ).values_list("field_name", "api_name", "label"):
        values = lookup.setdefault(field, {})
        values.setdefault(label.strip().lower(), api)
        values[api.strip().lower()] = api
    return lookup


def row_values(lead_import: LeadImport, cells: list[str], picklists: dict) -> tuple[dict, dict, dict]:
    """Split a row's cells into standard data and custom values; answers errors for cells the
    file itself got wrong (more cells than columns)."""
    errors: dict[str, list[str]] = {}
    extra = [c for c in cells[len(lead_import.headers) :] if c.strip()]
    if extra:
        errors["__all__"] = [
            _("The row has %(len)s values but the header names %(len2)s columns.")
            % {"len": len(cells), "len2": len(lead_import.headers)}
        ]
    data: dict = {}
    custom: dict = {}
    for index, api in enumerate(lead_import.mapping):
        if not api:
            continue
        value = cells[index].strip() if index < len(cells) else ""
        if api == CAMPAIGN_COLUMN:
            continue  # read by row_campaign
        if api in WRITABLE_FIELDS:
            if api in picklists and value:
                value = picklists[api].get(value.lower(), value)
            data[api] = value
        else:
            custom[api] = value
    if is_blank(data.get("lead_source")) and lead_import.default_lead_source:
        data["lead_source"] = lead_import.default_lead_source
    return data, custom, errors


def _error_messages(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {key: [str(m) for m in msgs] for key, msgs in exc.message_dict.items()}
    return {"__all__": [str(m) for m in exc.messages]}


def row_campaign(lead_import: LeadImport, cells: list[str]) -> str:
    """The campaign a row's lead joins: its mapped Campaign_ID cell, else the import's campaign."""
    if CAMPAIGN_COLUMN in lead_import.mapping:
        index = lead_import.mapping.index(CAMPAIGN_COLUMN)
        value = cells[index].strip() if index < len(cells) else ""
        if value:
            return value
    return lead_import.campaign


def _create_lead(lead_import: LeadImport, data: dict, custom: dict, campaign: str = "") -> Lead:
    creator = lead_import.created_by
    return lead_intake(
        data=data,
        custom_fields=custom,
        acting_user=creator,
        owner=lead_import.owner or creator,
        source="import",
        assign=lead_import.run_assignment,
        auto_respond=lead_import.send_autoresponse,
        note=f"Import: {lead_import.file_name}",
        campaign=campaign,
        campaign_status=lead_import.campaign_status,
    ).lead


def lead_import_row_process(*, row_id: int, picklists: dict | None = None) -> str | None:
    """Turn one pending row into a lead, or record its errors; answers the outcome, or None when
    the row was already processed or another worker holds it. Everything for the row (lead,
    assignment, auto-response, the row's outcome and the counters) commits together."""
    picklists = _picklist_lookup() if picklists is None else picklists
    with transaction.atomic():
        # Only the row is locked (no ordering join that would lock the import for everyone).
        row = (
            LeadImportRow.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk=row_id, outcome=LeadImportRow.Outcome.PENDING)
            .order_by()
            .first()
        )
        if row is None:
            return None
        lead_import = LeadImport.objects.select_related("created_by", "owner").get(pk=row.lead_import_id)
        if lead_import.status == LeadImport.Status.CANCELLED:
            return None
        data, custom, errors = row_values(lead_import, row.raw_values, picklists)
        lead = None
        if not errors:
            try:
                with transaction.atomic():
                    lead = _create_lead(lead_import, data, custom, row_campaign(lead_import, row.raw_values))
            except ValidationError as exc:
                errors = _error_messages(exc)
            except PermissionError as exc:
                errors = {"__all__": [str(exc)]}
            except Exception:
                logger.exception("Import %s row %s failed", lead_import.pk, row.row_number)
                errors = {"__all__": [UNEXPECTED_ERROR]}
        now = timezone.now()
        row.outcome = LeadImportRow.Outcome.ERROR if errors else LeadImportRow.Outcome.CREATED
        row.errors = errors
        row.lead = lead
        row.processed_at = now
        row.save(update_fields=["outcome", "errors", "lead", "processed_at"])
        counter = "error_count" if errors else "created_count"
        LeadImport.objects.filter(pk=lead_import.pk).update(**{counter: F(counter) + 1}, last_activity_at=now)
        return row.outcome


def lead_import_process(*, lead_import_id: int) -> LeadImport | None:
    """Process every row still pending, one transaction per row, then mark the import done.
    Safe to run twice or on two workers at once: a row is claimed under a skip-locked lock and
    processed only while pending."""
    lead_import = LeadImport.objects.select_related("created_by").filter(pk=lead_import_id).first()
    if lead_import is None or lead_import.status not in {LeadImport.Status.PENDING, LeadImport.Status.RUNNING}:
        return lead_import
    now = timezone.now()
    if not lead_import.created_by.is_active:
        LeadImport.objects.filter(pk=lead_import.pk, status__in=["pending", "running"]).update(
            status=LeadImport.Status.FAILED,
            failure_reason="The user who started the import is no longer active.",
            finished_at=now,
        )
        return LeadImport.objects.get(pk=lead_import.pk)
    LeadImport.objects.filter(pk=lead_import.pk, status=LeadImport.Status.PENDING).update(
        status=LeadImport.Status.RUNNING, started_at=now, last_activity_at=now
    )
    picklists = _picklist_lookup()
    pending = LeadImportRow.objects.filter(lead_import_id=lead_import.pk, outcome=LeadImportRow.Outcome.PENDING)
    cancelled = LeadImport.objects.filter(pk=lead_import.pk, status=LeadImport.Status.CANCELLED)
    for row_id in list(pending.order_by("row_number").values_list("pk", flat=True)):
        if lead_import_row_process(row_id=row_id, picklists=picklists) is None and cancelled.exists():
            break
    if not pending.exists():
        LeadImport.objects.filter(pk=lead_import.pk, status=LeadImport.Status.RUNNING).update(
            status=LeadImport.Status.DONE, finished_at=timezone.now()
        )
    return LeadImport.objects.get(pk=lead_import.pk)


def lead_imports_requeue_stalled(*, now=None) -> list[int]:
    """Queue again imports left pending or running with pending rows and no progress for a while
    (a worker died, or the broker was down when they were queued). Answers their ids."""
    now = now or timezone.now()
    stalled = list(
        LeadImport.objects.filter(
            status__in=[LeadImport.Status.PENDING, LeadImport.Status.RUNNING],
            last_activity_at__lt=now - STALL_AFTER,
            rows__outcome=LeadImportRow.Outcome.PENDING,
        )
        .distinct()
        .values_list("pk", flat=True)
    )
    # Imports that finished their rows but not their status (a worker died at the last step).
    finished = LeadImport.objects.filter(
        status__in=[LeadImport.Status.PENDING, LeadImport.Status.RUNNING], last_activity_at__lt=now - STALL_AFTER
    ).exclude(rows__outcome=LeadImportRow.Outcome.PENDING)
    finished.update(status=LeadImport.Status.DONE, finished_at=now)
    for pk in stalled:
        LeadImport.objects.filter(pk=pk).update(last_activity_at=now)
        _schedule(pk)
    return stalled


def user_choices_for_owner():
    """Active users a marketing admin may name as the owner of imported leads."""
    return get_user_model().objects.filter(is_active=True).order_by("first_name", "last_name", "username")
