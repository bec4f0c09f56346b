"""Duplicate jobs: every lead compared with the others under a matching rule, in the background,
chunk by chunk (each chunk one transaction that also moves the job's cursor), so a job shows its
progress, survives a worker restart and, run twice, records each group once.

A job that includes contacts (its matching rule must match contacts) scans the leads first, each
group then holding the contacts like its leads too, and the contacts next, for groups of contacts
alike with no lead among them."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from core.roles import require_setup_admin

from ..models import DuplicateGroup, DuplicateJob, MatchingRule, MatchKey
from .keys import KEY_FIELDS
from .matching import Match, find_matches

CHUNK = 500
# The most records one record's group takes from a scan.
GROUP_LIMIT = 50


@transaction.atomic
def duplicate_job_start(*, matching_rule: MatchingRule, acting_user, include_contacts: bool = False) -> DuplicateJob:
    """Record a job and queue it on commit. ``include_contacts`` also compares the leads with the
    contacts and the contacts among themselves (the matching rule must match contacts)."""
    require_setup_admin(acting_user)
    if include_contacts and not matching_rule.include_contacts:
        raise ValidationError(
            {
                "include_contacts": [
                    _("The matching rule “%(name)s” compares leads only: switch on “Match contacts too” first.")
                    % {"name": matching_rule.name}
                ]
            }
        )
    objects = ["lead", "contact"] if include_contacts else ["lead"]
    job = DuplicateJob.objects.create(
        matching_rule=matching_rule,
        include_contacts=include_contacts,
        total=MatchKey.objects.filter(object_name__in=objects).count(),
        created_by=acting_user if getattr(acting_user, "pk", None) else None,
    )
    from ..tasks import run_duplicate_job

    transaction.on_commit(lambda: run_duplicate_job.delay(job.pk))
    return job


def _lead_group(job: DuplicateJob, key: MatchKey, found: list[Match]) -> DuplicateGroup | None:
    """The group of a lead, recorded from its lowest lead: found again from a higher lead, skipped."""
    leads = sorted(m.record_id for m in found if m.object_name == "lead")
    contacts = sorted(m.record_id for m in found if m.object_name == "contact") if job.include_contacts else []
    if not (leads or contacts) or any(pk < key.record_id for pk in leads):
        return None
    kept = [m for m in found if m.object_name == "lead" or job.include_contacts]
    return DuplicateGroup(
        job=job,
        key_lead_id=key.record_id,
        lead_ids=[key.record_id, *leads],
        contact_ids=contacts,
        score=min(m.score for m in kept),
    )


def _contact_group(job: DuplicateJob, key: MatchKey, found: list[Match]) -> DuplicateGroup | None:
    """A group of contacts with no lead (one with a lead was recorded from the lead), from its
    lowest contact."""
    if any(m.object_name == "lead" for m in found):
        return None
    contacts = sorted(m.record_id for m in found)
    if not contacts or contacts[0] < key.record_id:
        return None
    return DuplicateGroup(
        job=job,
        key_contact_id=key.record_id,
        contact_ids=[key.record_id, *contacts],
        score=min(m.score for m in found),
    )


def _chunk(job: DuplicateJob) -> bool:
    """Scan the next chunk of leads (then contacts) after the job's cursor; answers whether any was
    left."""
    with transaction.atomic():
        locked = DuplicateJob.objects.select_for_update().filter(pk=job.pk).first()
        if locked is None or locked.status not in {DuplicateJob.Status.QUEUED, DuplicateJob.Status.RUNNING}:
            return False
        object_name, cursor_field = "lead", "cursor"
        keys = list(
            MatchKey.objects.filter(object_name="lead", record_id__gt=locked.cursor).order_by("record_id")[:CHUNK]
        )
        if not keys and locked.include_contacts:
            object_name, cursor_field = "contact", "contact_cursor"
            keys = list(
                MatchKey.objects.filter(object_name="contact", record_id__gt=locked.contact_cursor).order_by(
                    "record_id"
                )[:CHUNK]
            )
        if not keys:
            DuplicateJob.objects.filter(pk=locked.pk).update(
                status=DuplicateJob.Status.DONE, finished_at=timezone.now()
            )
            return False
        rule = locked.matching_rule
        groups = []
        for key in keys:
            values = {name: getattr(key, name) for name in KEY_FIELDS}
            found = find_matches(rule=rule, keys=values, exclude={(object_name, key.record_id)}, limit=GROUP_LIMIT)
            group = (_lead_group if object_name == "lead" else _contact_group)(locked, key, found)
            if group is not None:
                groups.append(group)
        created = DuplicateGroup.objects.bulk_create(groups, ignore_conflicts=True)
        DuplicateJob.objects.filter(pk=locked.pk).update(
            status=DuplicateJob.Status.RUNNING,
            scanned=F("scanned") + len(keys),
            groups_found=F("groups_found") + len(created),
            started_at=locked.started_at or timezone.now(),
            **{cursor_field: keys[-1].record_id},
        )
        return True


def duplicate_job_run(*, job_id: int) -> DuplicateJob | None:
    """Run (or go on with) a job until every record is scanned; a finished job is left alone."""
    job = DuplicateJob.objects.filter(pk=job_id).first()
    if job is None:
        return None
    try:
        while _chunk(job):
            pass
    except Exception as exc:
        DuplicateJob.objects.filter(pk=job.pk).update(status=DuplicateJob.Status.FAILED, error=str(exc)[:500])
        raise
    job.refresh_from_db()
    return job
