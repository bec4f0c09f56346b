"""The lead page's "Send Email" action and the lead's full Emails list.

Leads may use emails (the outbox, templates, rendering); emails never imports leads.
"""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.preferences import signature_block
from emails.forms import SendEmailForm, apply_service_errors
from emails.rendering import render_template
from emails.selectors import emails_for_record, templates_for_sending
from emails.services import record_email_send

from .fields import OBJECT_NAME
from .selectors import lead_detail


def _sendable(request: HttpRequest, pk: int):
    """A lead the user may see (404 otherwise) and that is still open (converted ones are read-only)."""
    lead = lead_detail(user=request.user, pk=pk)
    if lead.is_converted:
        raise PermissionDenied(_("Converted leads are read-only."))
    return lead


@login_required
@require_http_methods(["GET", "POST"])
def lead_send_email(request: HttpRequest, pk: int) -> HttpResponse:
    lead = _sendable(request, pk)
    templates = templates_for_sending()
    # A message the user writes starts with their email signature (My Profile).
    initial = {"idempotency_key": uuid.uuid4().hex, "body_text": signature_block(user=request.user)}
    form = SendEmailForm(request.POST or None, templates=templates, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            # The key comes from the form, so a double submit (or a reload of the POST) sends once.
            email = record_email_send(
                record=lead,
                object_name=OBJECT_NAME,
                idempotency_key=f"manual:{OBJECT_NAME}:{lead.pk}:{request.user.pk}:{data['idempotency_key']}",
                acting_user=request.user,
                template=data["template"],
                subject=data["subject"],
                body_text=data["body_text"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Your email “%(subject)s” to %(to_address)s is on its way.")
                % {"subject": email.subject, "to_address": email.to_address},
            )
            return redirect("leads:detail", pk=lead.pk)
    return render(request, "emails/lead_send_email.html", {"lead": lead, "form": form})


@login_required
def lead_send_email_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The chosen template merged with this lead (htmx partial of the Send Email page)."""
    lead = _sendable(request, pk)
    template = templates_for_sending().filter(pk=request.GET.get("template") or 0).first()
    rendered = render_template(template, record=lead) if template else None
    return render(request, "emails/partials/lead_send_email_preview.html", {"lead": lead, "rendered": rendered})


@login_required
def lead_emails(request: HttpRequest, pk: int) -> HttpResponse:
    """Every email about the lead (the related list's "View all")."""
    lead = lead_detail(user=request.user, pk=pk)
    page = Paginator(emails_for_record(object_name=OBJECT_NAME, record_id=lead.pk), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "emails/lead_emails.html",
        {"lead": lead, "page": page, "send_url": reverse("leads:send_email", args=[lead.pk])},
    )
