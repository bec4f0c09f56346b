"""Setup → Webhooks: endpoints, their delivery log, a test event, and sending a delivery again."""

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.forms import apply_service_errors
from core.paging import page_window
from core.roles import system_admin_required

from . import selectors, services
from .forms import DeliveryFilterForm, EndpointForm
from .models import WebhookDelivery, WebhookEndpoint

PAGE_SIZE = 50


@system_admin_required
def endpoint_list(request):
    return render(request, "webhooks/endpoint_list.html", {"endpoints": selectors.endpoint_list()})


def _endpoint_form(request, endpoint=None):
    form = EndpointForm(request.POST or None, initial=EndpointForm.initial_of(endpoint))
    if request.method == "POST" and form.is_valid():
        values = {key: form.cleaned_data[key] for key in ("name", "url", "events", "is_active", "description")}
        try:
            if endpoint is None:
                saved = services.endpoint_create(**values, acting_user=request.user)
            else:
                saved = services.endpoint_update(endpoint=endpoint, **values, acting_user=request.user)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The endpoint “%(name)s” was saved.") % {"name": saved.name})
            return redirect("webhooks:endpoint_detail", pk=saved.pk)
    return render(request, "webhooks/endpoint_form.html", {"form": form, "endpoint": endpoint})


@system_admin_required
@require_http_methods(["GET", "POST"])
def endpoint_create(request):
    return _endpoint_form(request)


@system_admin_required
@require_http_methods(["GET", "POST"])
def endpoint_edit(request, pk: int):
    return _endpoint_form(request, get_object_or_404(WebhookEndpoint, pk=pk))


@system_admin_required
def endpoint_detail(request, pk: int):
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    filters = DeliveryFilterForm(request.GET or None)
    status = event = ""
    if filters.is_valid():
        status, event = filters.cleaned_data["status"], filters.cleaned_data["event"]
    rows = selectors.delivery_log(endpoint=endpoint, status=status, event=event)
    deliveries, page, has_next = page_window(rows, request.GET.get("page"), PAGE_SIZE)
    return render(
        request,
        "webhooks/endpoint_detail.html",
        {
            "endpoint": endpoint,
            "filters": filters,
            "deliveries": deliveries,
            "page": page,
            "has_next": has_next,
            "event_labels": dict(EndpointForm.base_fields["events"].choices),
        },
    )


def _service_action(request, action, success: str):
    try:
        action()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, success)


def _endpoint_action(request, pk: int, service, success: str, *, to_list: bool = False):
    """Run ``service`` on the endpoint and say how it went (``success`` may name the endpoint as
    ``%(name)s``); back to the endpoint's page, or to the list when it is gone."""
    endpoint = get_object_or_404(WebhookEndpoint, pk=pk)
    _service_action(
        request,
        lambda: service(endpoint=endpoint, acting_user=request.user),
        success % {"name": endpoint.name},
    )
    return redirect("webhooks:endpoint_list") if to_list else redirect("webhooks:endpoint_detail", pk=pk)


@system_admin_required
@require_POST
def endpoint_delete(request, pk: int):
    return _endpoint_action(
        request, pk, services.endpoint_delete, _("The endpoint “%(name)s” was deleted."), to_list=True
    )


@system_admin_required
@require_POST
def endpoint_test(request, pk: int):
    return _endpoint_action(
        request, pk, services.endpoint_send_test, _("A test event is on its way; its delivery shows below.")
    )


@system_admin_required
@require_POST
def endpoint_rotate_secret(request, pk: int):
    return _endpoint_action(
        request,
        pk,
        services.endpoint_rotate_secret,
        _("The signing secret was replaced. Give the new one to the receiver."),
    )


@system_admin_required
def delivery_detail(request, pk: int):
    delivery = get_object_or_404(WebhookDelivery.objects.select_related("endpoint"), pk=pk)
    return render(
        request,
        "webhooks/delivery_detail.html",
        {
            "delivery": delivery,
            "payload": json.dumps(delivery.payload, indent=2, sort_keys=True, ensure_ascii=False),
            "attempts": delivery.attempt_log.all()[:50],
        },
    )


@system_admin_required
@require_POST
def delivery_replay(request, pk: int):
    delivery = get_object_or_404(WebhookDelivery, pk=pk)
    _service_action(
        request,
        lambda: services.delivery_replay(delivery=delivery, acting_user=request.user),
        _("The delivery will be sent again."),
    )
    return redirect("webhooks:delivery_detail", pk=pk)
