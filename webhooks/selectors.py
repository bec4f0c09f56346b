"""Reads of the webhook Setup pages and API (system admins only: the callers check)."""

from django.db.models import Count, Q

from .models import WebhookDelivery, WebhookEndpoint


def endpoint_list():
    return WebhookEndpoint.objects.annotate(
        failed_count=Count("deliveries", filter=Q(deliveries__status=WebhookDelivery.Status.FAILED)),
        pending_count=Count(
            "deliveries",
            filter=Q(deliveries__status__in=[WebhookDelivery.Status.PENDING, WebhookDelivery.Status.SENDING]),
        ),
    ).order_by("name")


def delivery_log(*, endpoint: WebhookEndpoint | None = None, status: str = "", event: str = ""):
    qs = WebhookDelivery.objects.select_related("endpoint").order_by("-created_at", "-id")
    if endpoint is not None:
        qs = qs.filter(endpoint=endpoint)
    if status:
        qs = qs.filter(status=status)
    if event:
        qs = qs.filter(event=event)
    return qs
