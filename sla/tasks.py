"""Celery tasks of SLAs: thin, idempotent, calling a service."""

from celery import shared_task

from .services import sla_breaches_sweep


@shared_task(name="sla.sweep_breaches")
def sweep_breaches() -> int:
    """Beat: breach the SLA clocks past due (each action once per breach)."""
    return sla_breaches_sweep()
