"""Writes of lead imports: upload, dry run, start, cancel, undo, mapping templates, and re-queueing
stalled imports. The batches themselves run in ``processing`` (through the batched lead pipeline).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.breaker import publish_or_leave
from core.models import PicklistValue
from core.roles import is_marketing_admin, is_system_admin

from ..fields import OBJECT_NAME
from ..models import Lead
from ..ownership import owner_label
from ..services import lead_delete, lead_update
from .models import LeadImport, LeadImportMappingTemplate
from .parsing import (
    CAMPAIGN_COLUMN,
    ID_COLUMN,
    auto_mapping,
    import_dir,
    importable_fields,
    inspect_file,
    normalise,
    store_upload,
)
from .processing import lead_import_dry_run, lead_import_process
from .selectors import lead_import_is_managed_by

__all__ = [
    "OPTION_CHOICES",
    "OPTION_DEFAULTS",
    "OPTION_MAX_LENGTHS",
    "STALL_AFTER",
    "UNDO_DAYS",
    "lead_import_cancel",
    "lead_import_dry_run",
    "lead_import_dry_run_start",
    "lead_import_process",
    "lead_import_publish",
    "lead_import_start",
    "lead_import_undo",
    "lead_import_upload",
    "lead_imports_purge_files",
    "lead_imports_requeue_stalled",
    "mapping_template_delete",
    "mapping_template_save",
]

# An import whose worker has been quiet this long is handed to a worker again.
STALL_AFTER = timedelta(minutes=2)
# How long after it finished an import can be undone.
UNDO_DAYS = 7
# The uploaded file of an import is kept this long after the import ended (or, never started, after
# its upload), and removed at once when the import is undone: nothing reads it once the import has
# ended (the error CSV and the undo read the rows and batches stored in the database).
KEEP_FILES = timedelta(days=UNDO_DAYS)
# A file in the upload folder that no import names (an upload cut off mid-way, an import deleted) is
# removed once it is this old; a younger one may be an upload still being written.
ORPHAN_AFTER = timedelta(days=1)
# The name ``store_upload`` gives an uploaded file.
UPLOAD_NAME = re.compile(r"[0-9a-f]{32}\.(csv|xlsx)")


def lead_import_publish(*, lead_import_id: int, dry_run: bool = False) -> bool:
    """Hand an import (or its dry run) to the broker. Never raises (the request that started it has
    committed): with the broker down the import stays pending and the sweeper queues it again."""
    from .tasks import dry_run_lead_import, process_lead_import

    task = dry_run_lead_import if dry_run else process_lead_import
    return publish_or_leave(task, lead_import_id, what=f"lead import {lead_import_id}")


def _schedule(lead_import_id: int, *, dry_run: bool = False) -> None:
    transaction.on_commit(lambda: lead_import_publish(lead_import_id=lead_import_id, dry_run=dry_run))


def _chunks(data: bytes, size: int = 1024 * 1024) -> Iterable[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def lead_import_upload(
    *, file_name: str, acting_user, data: bytes | None = None, chunks: Iterable[bytes] | None = None
) -> LeadImport:
    """Store an uploaded file on disk (``chunks``, or ``data`` at once), read its header, count its
    rows and propose a mapping (the user's saved template for the same header, else by name)."""
    stored = store_upload(chunks if chunks is not None else _chunks(data or b""), file_name=file_name)
    path = import_dir() / stored.name
    try:
        info = inspect_file(path, file_format=stored.file_format, utf8=stored.utf8)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    template = _matching_template(info.headers, acting_user)
    return LeadImport.objects.create(
        file_name=(file_name or "import.csv")[:255],
        stored_file=stored.name,
        file_format=stored.file_format,
        file_size=stored.size,
        encoding=info.encoding,
        delimiter=info.delimiter,
        headers=info.headers,
        mapping=auto_mapping(info.headers, importable_fields(), template.columns if template else None),
        owner=acting_user,
        total_rows=info.total_rows,
        created_by=acting_user,
        created_at=timezone.now(),
    )


def _matching_template(headers: list[str], user) -> LeadImportMappingTemplate | None:
    """The user's most recent template that names every header of the file."""
    keys = {normalise(h) for h in headers if h}
    for template in LeadImportMappingTemplate.objects.filter(created_by=user).order_by("-created_at"):
        if keys and keys <= set(template.columns):
            return template
    return None


def _validate_mapping(lead_import: LeadImport, mapping: list[str]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    available = {d.api_name: d for d in importable_fields()}
    if len(mapping) != len(lead_import.headers):
        return {"mapping": [_("Map every column of the file, or skip it.")]}
    seen: dict[str, str] = {}
    for header, api in zip(lead_import.headers, mapping, strict=True):
        if not api:
            continue
        if api not in available and api not in {CAMPAIGN_COLUMN, ID_COLUMN}:
            errors.setdefault("mapping", []).append(
                _("Column “%(header)s”: “%(api)s” is not a lead field.") % {"header": header, "api": api}
            )
        elif api in seen:
            label = available[api].label if api in available else api
            errors.setdefault("mapping", []).append(
                _("Columns “%(first)s” and “%(second)s” both fill %(label)s; choose one.")
                % {"first": seen[api], "second": header, "label": label}
            )
        seen.setdefault(api, header)
    if not any(api and api not in {CAMPAIGN_COLUMN, ID_COLUMN} for api in mapping):
        errors.setdefault("mapping", []).append(_("Map at least one column to a lead field."))
    return errors


def _validate_match(options: dict, mapping: list[str]) -> dict[str, list[str]]:
    """Update and upsert need the column they match by mapped (and an external id field named)."""
    errors: dict[str, list[str]] = {}
    if options["mode"] == LeadImport.Mode.INSERT:
        return errors
    match_by = options["match_by"]
    if match_by == LeadImport.MatchBy.EXTERNAL_ID:
        custom = {d.api_name for d in importable_fields() if d.is_custom}
        if options["external_id_field"] not in custom:
            errors["external_id_field"] = [_("Choose the custom field that holds the external id.")]
            return errors
    column = {"email": "email", "external_id": options["external_id_field"], "record_id": ID_COLUMN}[match_by]
    if column not in mapping:
        errors["match_by"] = [_("Map a column to the field the rows are matched by.")]
    return errors


def _picklist_error(field_name: str, value: str) -> list[str]:
    if not value:
        return []
    exists = PicklistValue.objects.filter(
        object_name=OBJECT_NAME, field_name=field_name, api_name=value, is_active=True
    ).exists()
    return [] if exists else [_("Choose an active value.")]


# The options of an import with their defaults: the one list the page's form, the API and the
# services share. ``_clean_options`` is where they are checked, for every entry point.
OPTION_DEFAULTS = {
    "mode": LeadImport.Mode.INSERT,
    "match_by": LeadImport.MatchBy.EMAIL,
    "external_id_field": "",
    "on_match": LeadImport.OnMatch.SKIP,
    "run_assignment": True,
    "send_autoresponse": False,
    "default_lead_source": "",
    "default_status": "",
    "campaign": "",
    "campaign_status": "",
}
OPTION_CHOICES = {"mode": LeadImport.Mode, "match_by": LeadImport.MatchBy, "on_match": LeadImport.OnMatch}
OPTION_MAX_LENGTHS = {
    "campaign": LeadImport._meta.get_field("campaign").max_length,
    "campaign_status": LeadImport._meta.get_field("campaign_status").max_length,
}


def _clean_options(lead_import: LeadImport, options: dict, mapping: list[str], owner, acting_user):
    errors = _validate_mapping(lead_import, mapping)
    clean = {**OPTION_DEFAULTS, **{k: v for k, v in options.items() if k in OPTION_DEFAULTS and v not in (None, "")}}
    for key in ("default_lead_source", "default_status", "campaign", "campaign_status", "external_id_field"):
        clean[key] = str(clean[key] or "").strip()
    for key, choices in OPTION_CHOICES.items():
        if clean[key] not in choices.values:
            errors.setdefault(key, []).append(_("Choose one of the options."))
    if not errors:
        errors.update(_validate_match(clean, mapping))
    if owner.pk != acting_user.pk and not is_marketing_admin(acting_user):
        errors.setdefault("owner", []).append(_("You may only import leads that you own."))
    elif not owner.is_active:
        errors.setdefault("owner", []).append(_("An inactive user cannot own leads."))
    for key, field_name in (("default_lead_source", "lead_source"), ("default_status", "status")):
        if problem := _picklist_error(field_name, clean[key]):
            errors.setdefault(key, []).extend(problem)
    for key, limit in OPTION_MAX_LENGTHS.items():
        if len(clean[key]) > limit:
            errors.setdefault(key, []).append(_("Use at most %(limit)s characters.") % {"limit": limit})
    if errors:
        raise ValidationError(errors)
    clean["run_assignment"] = bool(clean["run_assignment"])
    clean["send_autoresponse"] = bool(clean["send_autoresponse"])
    return clean


def _locked_for_setup(lead_import: LeadImport, acting_user) -> LeadImport:
    locked = LeadImport.objects.select_for_update().get(pk=lead_import.pk)
    if not lead_import_is_managed_by(locked, acting_user):
        raise PermissionError(_("You may not start this import."))
    if locked.status != LeadImport.Status.MAPPING:
        raise ValidationError({"__all__": _("This import has already been started.")})
    if not locked.stored_file:
        raise ValidationError(
            {"__all__": _("The uploaded file was removed after %(days)s days; upload it again.") % {"days": UNDO_DAYS}}
        )
    return locked


def _apply_setup(locked: LeadImport, *, mapping: list[str], options: dict, owner, acting_user) -> None:
    owner = owner or acting_user
    clean = _clean_options(locked, options, mapping, owner, acting_user)
    for key, value in clean.items():
        setattr(locked, key, value)
    locked.mapping = list(mapping)
    locked.owner = owner


@transaction.atomic
def lead_import_dry_run_start(
    *, lead_import: LeadImport, mapping: list[str], acting_user, owner=None, **options
) -> LeadImport:
    """Save the mapping and options and queue a dry run: the batches run and are rolled back."""
    locked = _locked_for_setup(lead_import, acting_user)
    if locked.dry_run_status == LeadImport.DryRunStatus.RUNNING:
        raise ValidationError({"__all__": _("A dry run of this import is running already.")})
    _apply_setup(locked, mapping=mapping, options=options, owner=owner, acting_user=acting_user)
    locked.dry_run_status = LeadImport.DryRunStatus.RUNNING
    locked.dry_run = {}
    locked.save()
    _schedule(locked.pk, dry_run=True)
    return locked


@transaction.atomic
def lead_import_start(*, lead_import: LeadImport, mapping: list[str], acting_user, owner=None, **options) -> LeadImport:
    """Confirm the mapping and options (mode, match key, what a match does, defaults, assignment,
    auto-responses, campaign), and queue the import. Sales reps import leads they own; marketing
    admins may choose any active owner."""
    locked = _locked_for_setup(lead_import, acting_user)
    _apply_setup(locked, mapping=mapping, options=options, owner=owner, acting_user=acting_user)
    now = timezone.now()
    if locked.dry_run_status == LeadImport.DryRunStatus.RUNNING:
        locked.dry_run_status = LeadImport.DryRunStatus.NONE  # a running dry run stops at its next batch
    locked.status = LeadImport.Status.PENDING
    locked.queued_at = locked.last_activity_at = now
    locked.save()
    _schedule(locked.pk)
    return locked


@transaction.atomic
def lead_import_cancel(*, lead_import: LeadImport, acting_user) -> LeadImport:
    """Stop a queued or running import. Committed batches stay (undo removes them); the batch being
    written at that moment is rolled back, and no worker takes the rest."""
    locked = LeadImport.objects.select_for_update().get(pk=lead_import.pk)
    if not lead_import_is_managed_by(locked, acting_user):
        raise PermissionError(_("You may not cancel this import."))
    if not locked.is_active:
        raise ValidationError(
            {
                "__all__": _("This import is %(lower)s; only a pending or running import can be cancelled.")
                % {"lower": locked.get_status_display().lower()}
            }
        )
    locked.status = LeadImport.Status.CANCELLED
    locked.failure_reason = (_("Cancelled by %(name)s.") % {"name": owner_label(acting_user)})[:500]
    locked.finished_at = timezone.now()
    locked.save(update_fields=["status", "failure_reason", "finished_at"])
    return locked


def lead_import_may_undo(lead_import: LeadImport, user, *, now=None) -> bool:
    """The importer or an admin, within UNDO_DAYS of the end of an import that wrote something."""
    now = now or timezone.now()
    return (
        lead_import.status in {LeadImport.Status.DONE, LeadImport.Status.CANCELLED, LeadImport.Status.FAILED}
        and lead_import.finished_at is not None
        and lead_import.finished_at >= now - timedelta(days=UNDO_DAYS)
        and (lead_import.created_by_id == user.pk or is_marketing_admin(user) or is_system_admin(user))
    )


def _restore_values(before: dict) -> tuple[dict, dict]:
    data, custom = {}, {}
    for key, value in before.items():
        if key.startswith("custom:"):
            custom[key.removeprefix("custom:")] = "" if value is None else value
        else:
            data[key] = value
    return data, custom


@transaction.atomic(durable=True)
def lead_import_undo(*, lead_import: LeadImport, acting_user) -> LeadImport:
    """Undo a whole import in one transaction: the leads it created go to the Recycle Bin, and the
    fields it changed on existing leads get their earlier values back (with history lines)."""
    locked = LeadImport.objects.select_for_update().get(pk=lead_import.pk)
    if not lead_import_may_undo(locked, acting_user):
        if locked.status == LeadImport.Status.UNDONE:
            raise ValidationError({"__all__": _("This import was undone already.")})
        if locked.created_by_id != acting_user.pk and not is_marketing_admin(acting_user):
            raise PermissionError(_("Only the importer or an admin may undo this import."))
        raise ValidationError(
            {"__all__": _("Only a finished import can be undone, within %(days)s days.") % {"days": UNDO_DAYS}}
        )
    note = _("Undo of import “%(file_name)s”") % {"file_name": locked.file_name}
    batches = list(locked.batches.order_by("-first_row"))
    created_ids = [pk for batch in batches for pk in batch.created_ids]
    converted = Lead.objects.filter(pk__in=created_ids, is_converted=True).count()
    if converted:
        raise ValidationError(
            {
                "__all__": _("%(count)s leads of this import were converted since; it cannot be undone.")
                % {"count": converted}
            }
        )
    for batch in batches:
        for lead_id, change in sorted(batch.updated.items(), key=lambda item: -int(item[0])):
            lead = Lead.objects.filter(pk=int(lead_id)).first()
            if lead is None:
                continue
            data, custom = _restore_values(change["before"])
            lead_update(
                lead=lead,
                data=data,
                custom_fields=custom or None,
                acting_user=acting_user,
                check_access=False,
                history_note=note[:300],
            )
    for lead in Lead.objects.filter(pk__in=created_ids).order_by("-pk"):
        lead_delete(lead=lead, acting_user=acting_user, check_access=False)
    locked.status = LeadImport.Status.UNDONE
    locked.undone_at = timezone.now()
    locked.undone_by = acting_user
    locked.save(update_fields=["status", "undone_at", "undone_by"])
    return locked


def lead_imports_requeue_stalled(*, now=None) -> list[int]:
    """Queue again imports left pending or running with no progress for a while (a worker died, or
    the broker was down when they were queued). Answers their ids."""
    now = now or timezone.now()
    stalled = list(
        LeadImport.objects.filter(
            status__in=[LeadImport.Status.PENDING, LeadImport.Status.RUNNING],
            last_activity_at__lt=now - STALL_AFTER,
        ).values_list("pk", flat=True)
    )
    for pk in stalled:
        LeadImport.objects.filter(pk=pk).update(last_activity_at=now)
        _schedule(pk)
    return stalled


def lead_imports_purge_files(*, now=None) -> int:
    """Remove the uploaded files nothing will read again: of imports that ended (done, failed,
    cancelled) ``KEEP_FILES`` ago, of undone imports, of uploads never started within
    ``KEEP_FILES``, and files no import names. The import keeps its counts, rows and batches;
    its ``stored_file`` is cleared. Safe to run twice or on two workers. Answers the files removed."""
    now = now or timezone.now()
    before = now - KEEP_FILES
    ended = [LeadImport.Status.DONE, LeadImport.Status.FAILED, LeadImport.Status.CANCELLED]
    expired = LeadImport.objects.exclude(stored_file="").filter(
        Q(status__in=ended, finished_at__lt=before)
        | Q(status=LeadImport.Status.UNDONE)
        | Q(status=LeadImport.Status.MAPPING, created_at__lt=before)
    )
    folder = import_dir()
    removed = 0
    for pk, name, status in expired.values_list("pk", "stored_file", "status"):
        # Cleared only if the import is still as read: a start in the meantime keeps its file.
        if LeadImport.objects.filter(pk=pk, stored_file=name, status=status).update(stored_file=""):
            removed += _remove(folder / name)
    named = set(LeadImport.objects.exclude(stored_file="").values_list("stored_file", flat=True))
    for path in folder.iterdir():
        # Only the names an upload here is given: other apps keep files of their own in this folder.
        if not UPLOAD_NAME.fullmatch(path.name):
            continue
        if path.is_file() and path.name not in named and path.stat().st_mtime < (now - ORPHAN_AFTER).timestamp():
            removed += _remove(path)
    return removed


def _remove(path) -> int:
    try:
        path.unlink()
    except FileNotFoundError:
        return 0
    return 1


@transaction.atomic
def mapping_template_save(
    *, name: str, headers: list[str], mapping: list[str], acting_user
) -> LeadImportMappingTemplate:
    """Save (or replace, by name) the user's template: the field each header fills."""
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise ValidationError({"name": [_("Name the template in at most 120 characters.")]})
    if len(headers) != len(mapping):
        raise ValidationError({"mapping": [_("Map every column of the file, or skip it.")]})
    available = {d.api_name for d in importable_fields()} | {CAMPAIGN_COLUMN, ID_COLUMN, ""}
    unknown = [api for api in mapping if api not in available]
    if unknown:
        raise ValidationError({"mapping": [_("“%(api)s” is not a lead field.") % {"api": unknown[0]}]})
    columns = {normalise(h): api for h, api in zip(headers, mapping, strict=True) if normalise(h)}
    template = LeadImportMappingTemplate.objects.filter(created_by=acting_user, name__iexact=name).first()
    if template is None:
        template = LeadImportMappingTemplate(created_by=acting_user, name=name)
    template.columns = columns
    template.created_at = timezone.now()
    try:
        with transaction.atomic():
            template.save()
    except IntegrityError as exc:
        raise ValidationError({"name": [_("You have a template of this name already.")]}) from exc
    return template


@transaction.atomic
def mapping_template_delete(*, template: LeadImportMappingTemplate, acting_user) -> None:
    if template.created_by_id != acting_user.pk:
        raise PermissionError(_("You may delete only your own templates."))
    template.delete()


def user_choices_for_owner():
    """Active users a marketing admin may name as the owner of imported leads."""
    return get_user_model().objects.filter(is_active=True).order_by("first_name", "last_name", "username")
