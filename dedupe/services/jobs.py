"""Duplicate jobs: every lead compared with the others under a matching rule, in the background,
chunk by chunk (each chunk one transaction that also moves the job's cursor), so a job shows its
progress, survives a worker restart and, run twice, records each group once."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core.roles import require_setup_admin

from ..models import DuplicateGroup, DuplicateJob, MatchingRule, MatchKey
from .matching import find_matches

CHUNK = 500


@transaction.atomic
def duplicate_job_start(*, matching_rule: MatchingRule, acting_user) -> DuplicateJob:
    """Record a job and queue it on commit."""
    require_setup_admin(acting_user)
    job = DuplicateJob.objects.create(
        matching_rule=matching_rule,
        total=MatchKey.objects.filter(object_name="lead").count(),
        created_by=acting_user if getattr(acting_user, "pk", None) else None,
    )
    from ..tasks import run_duplicate_job

    transaction.on_commit(lambda: run_duplicate_job.delay(job.pk))
    return job


def _chunk(job: DuplicateJob) -> bool:
    """Scan the next chunk of leads after the job's cursor; answers whether any was left."""
    with transaction.atomic():
        locked = DuplicateJob.objects.select_for_update().filter(pk=job.pk).first()
        if locked is None or locked.status not in {DuplicateJob.Status.QUEUED, DuplicateJob.Status.RUNNING}:
            return False
        keys = list(
            MatchKey.objects.filter(object_name="lead", record_id__gt=locked.cursor).order_by("record_id")[:CHUNK]
        )
        if not keys:
            DuplicateJob.objects.filter(pk=locked.pk).update(
                status=DuplicateJob.Status.DONE, finished_at=timezone.now()
            )
            return False
        rule = locked.matching_rule
        groups = []
        for key in keys:
            values = {name: getattr(key, name) for name in ("email_exact", "email_normalized", "email_gmail")}
            values.update(phone=key.phone, mobile=key.mobile, company=key.company, name=key.name)
            others = [
                m
                for m in find_matches(rule=rule, keys=values, exclude={("lead", key.record_id)}, limit=50)
                if m.object_name == "lead"
            ]
            # A group is recorded by its lowest lead: found again from a higher lead, it is skipped.
            if others and all(m.record_id > key.record_id for m in others):
                groups.append(
                    DuplicateGroup(
                        job=locked,
                        key_lead_id=key.record_id,
                        lead_ids=[key.record_id, *sorted(m.record_id for m in others)],
                        score=min(m.score for m in others),
                    )
                )
        created = DuplicateGroup.objects.bulk_create(groups, ignore_conflicts=True)
        DuplicateJob.objects.filter(pk=locked.pk).update(
            status=DuplicateJob.Status.RUNNING,
            cursor=keys[-1].record_id,
            scanned=F("scanned") + len(keys),
            groups_found=F("groups_found") + len(created),
            started_at=locked.started_at or timezone.now(),
        )
        return True


def duplicate_job_run(*, job_id: int) -> DuplicateJob | None:
    """Run (or go on with) a job until every lead is scanned; a finished job is left alone."""
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
