"""Periodic housekeeping of shared mechanisms."""

from celery import shared_task

from .recycle_bin import recycle_bin_purge_expired


@shared_task(name="core.purge_recycle_bin", ignore_result=True)
def purge_recycle_bin() -> int:
    return recycle_bin_purge_expired()
