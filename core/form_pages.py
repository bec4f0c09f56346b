"""The one shape of a page whose form a service saves: permission (the view's decorator), form,
service, message, redirect; the page again with the errors otherwise."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from .forms import apply_service_errors


def service_form_page(
    request: HttpRequest,
    form: forms.Form,
    *,
    save: Callable[[], Any],
    saved_message: Callable[[Any], str],
    saved_url: Callable[[Any], Any],
    template: str,
    context: dict | None = None,
) -> HttpResponse:
    """On a POST, ``service_form_save``. Otherwise, or when the form has errors, ``template`` shows
    the form (with ``context``), answered 400 after a POST: the page then carries its errors."""
    if request.method == "POST":
        saved = service_form_save(request, form, save=save, saved_message=saved_message, saved_url=saved_url)
        if saved is not None:
            return saved
    return render(request, template, {"form": form, **(context or {})}, status=400 if request.method == "POST" else 200)


def service_form_save(
    request: HttpRequest,
    form: forms.Form,
    *,
    save: Callable[[], Any],
    saved_message: Callable[[Any], str],
    saved_url: Callable[[Any], Any],
) -> HttpResponse | None:
    """When the posted form is valid, ``save()`` calls the service: what it answers gives the
    success message and where to go next (``saved_url``: a URL, or a model with its absolute URL),
    the redirect answered here. ``None`` when the form is to be shown again with its errors, the
    service's ``ValidationError`` on its fields (a page that shows the form among others)."""
    if not form.is_valid():
        return None
    try:
        saved = save()
    except ValidationError as exc:
        apply_service_errors(form, exc)
        return None
    messages.success(request, saved_message(saved))
    return redirect(saved_url(saved))
