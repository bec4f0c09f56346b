"""Periodic housekeeping of shared mechanisms."""

from celery import shared_task

from .recycle_bin import recycle_bin_purge_expired


@shared_task(name="core.purge_recycle_bin", ignore_result=True)
def purge_recycle_bin() -> int:
    return recycle_bin_purge_expired()


@shared_task(name="core.purge_expired_keys", ignore_result=True)
def purge_expired_keys() -> int:
    """Expired API tokens and idempotency keys past their time."""
    from .middleware import idempotency_keys_purge_expired
    from .tokens import api_tokens_purge_expired

    return api_tokens_purge_expired() + idempotency_keys_purge_expired()
