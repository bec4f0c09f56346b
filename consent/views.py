"""Consent pages: the public preference page and one-click unsubscribe (no login: the signed link
is the proof), the double opt-in confirmation, the consent actions of the lead and contact pages, a person's data
export and erasure (system admins), and the Setup pages for consent texts and form checkboxes."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from core.auth import client_address
from core.forms import apply_service_errors
from core.roles import is_system_admin, setup_admin_required
from leads.selectors import lead_is_editable_by, leads_visible_to
from sales.selectors import contacts_visible_to, record_is_editable_by
from webtolead.selectors import forms_visible_to

from . import selectors, services
from .forms import ConsentLineForm, ConsentTextForm, FormConsentForm
from .models import ConsentRecord, FormConsent


def _address(request: HttpRequest) -> str | None:
    address = client_address(request)
    return None if address == "unknown" else address


def _recipient(token: str):
    recipient = services.recipient_for_token(token)
    if recipient is None:
        raise Http404(_("This link is not valid."))
    return recipient


# Public ------------------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def preferences_view(request: HttpRequest, token: str) -> HttpResponse:
    """The preference page a marketing email links to, in the organisation's language."""
    recipient = _recipient(token)
    with translation.override(services.person_language(recipient.object_name, recipient.record)):
        if request.method == "POST":
            choice = request.POST.get("choice")
            if choice == "unsubscribe":
                services.unsubscribe(
                    recipient=recipient, source=ConsentRecord.Source.PREFERENCE_PAGE, ip_address=_address(request)
                )
                messages.success(request, _("You are unsubscribed: we will send you no more marketing emails."))
            elif choice == "subscribe":
                services.resubscribe(recipient=recipient, ip_address=_address(request))
                messages.success(request, _("You are subscribed again."))
            return redirect(reverse("consent:preferences", args=[token]))
        return render(
            request,
            "consent/preferences.html",
            {"recipient": recipient, "unsubscribed": recipient.is_unsubscribed, "token": token},
        )


@csrf_exempt  # RFC 8058: mail providers POST here with no cookie and no CSRF token
@never_cache
@require_http_methods(["GET", "POST"])
def one_click_view(request: HttpRequest, token: str) -> HttpResponse:
    """The ``List-Unsubscribe`` address: a POST (one-click) unsubscribes at once and answers 200;
    a person who opens it in a browser sees the preference page."""
    recipient = _recipient(token)
    if request.method == "GET":
        return redirect(reverse("consent:preferences", args=[token]))
    services.unsubscribe(
        recipient=recipient, source=ConsentRecord.Source.UNSUBSCRIBE_HEADER, ip_address=_address(request)
    )
    return HttpResponse("Unsubscribed.\n", content_type="text/plain; charset=utf-8")


@never_cache
@require_http_methods(["GET", "POST"])
def confirm_view(request: HttpRequest, token: str) -> HttpResponse:
    """Double opt-in: the link of the confirmation email. Confirming takes a click (a POST), so a
    mail scanner that opens links confirms nothing."""
    line = services.pending_line_for_token(token)
    if line is None or line.lead is None:
        raise Http404(_("This link is not valid or has expired."))
    with translation.override(services.person_language("lead", line.lead)):
        confirmed = False
        if request.method == "POST":
            services.consent_confirm(line=line, ip_address=_address(request))
            confirmed = True
        return render(request, "consent/confirm.html", {"line": line, "confirmed": confirmed})


# Lead and contact pages ----------------------------------------------------------------------------


def _person(request: HttpRequest, object_name: str, pk: int):
    """The lead or contact the user may see (404 otherwise), whether they may edit it, and its page."""
    if object_name == "contact":
        contact = get_object_or_404(contacts_visible_to(request.user), pk=pk)
        return contact, record_is_editable_by(contact, request.user), reverse("sales:contact_detail", args=[pk])
    lead = get_object_or_404(leads_visible_to(request.user, include_converted=True), pk=pk)
    return lead, lead_is_editable_by(lead, request.user), reverse("leads:detail", args=[pk])


@login_required
@require_POST
def record_consent_view(request: HttpRequest, object_name: str, pk: int) -> HttpResponse:
    """A grant or withdrawal recorded by a user on the lead's or the contact's page."""
    person, editable, page = _person(request, object_name, pk)
    back = page + "#consent"
    if not editable:
        raise PermissionDenied(_("You may not change this record."))
    form = ConsentLineForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a purpose and granted or withdrawn."))
        return redirect(back)
    try:
        services.consent_record(
            **{object_name: person}, source=ConsentRecord.Source.USER, acting_user=request.user, **form.cleaned_data
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Consent recorded."))
    return redirect(back)


def _system_admin_person(request: HttpRequest, object_name: str, pk: int):
    if not is_system_admin(request.user):
        raise PermissionDenied(_("Only system admins may export or erase a person's data."))
    return _person(request, object_name, pk)


@login_required
@never_cache
def export_view(request: HttpRequest, object_name: str, pk: int) -> HttpResponse:
    """Everything held about the lead or contact, as a JSON download."""
    person, _editable, _page = _system_admin_person(request, object_name, pk)
    export = services.contact_export if object_name == "contact" else services.lead_export
    data = export(**{object_name: person}, acting_user=request.user)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="{object_name}-{person.pk}-data.json"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def erase_view(request: HttpRequest, object_name: str, pk: int) -> HttpResponse:
    person, _editable, page = _system_admin_person(request, object_name, pk)
    if request.method == "POST":
        erase = services.contact_erase if object_name == "contact" else services.lead_erase
        try:
            erase(**{object_name: person}, acting_user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(page)
        messages.success(request, _("The person's data was erased; their address will never be emailed again."))
        return redirect(reverse("sales:contact_list") if object_name == "contact" else reverse("leads:list"))
    converted = object_name == "lead" and person.is_converted
    return render(
        request,
        "consent/lead_erase.html",
        {"record": person, "object_name": object_name, "page": page, "converted": converted},
    )


# Setup -------------------------------------------------------------------------------------------


@setup_admin_required
def consent_setup_view(request: HttpRequest) -> HttpResponse:
    """Consent texts (versions), the forms that show a checkbox, and the export/erasure audit."""
    form = ConsentTextForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            text = services.consent_text_create(acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Version %(v)s of the consent text was saved.") % {"v": text.version})
            return redirect(reverse("consent:setup"))
    consents = selectors.form_consents()
    web_forms = [(f, consents.get(f.pk)) for f in forms_visible_to(request.user)]
    return render(
        request,
        "consent/setup.html",
        {
            "form": form,
            "texts": selectors.consent_texts(),
            "web_forms": web_forms,
            "requests": selectors.data_requests(),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@setup_admin_required
def form_consent_view(request: HttpRequest, form_pk: int) -> HttpResponse:
    """A Web-to-Lead form's consent checkbox and double opt-in."""
    web_form = get_object_or_404(forms_visible_to(request.user), pk=form_pk)
    row = FormConsent.objects.filter(form=web_form).first()
    initial = {"text": row.text_id, "double_opt_in": row.double_opt_in} if row else {}
    form = FormConsentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.form_consent_set(form=web_form, acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The form's consent checkbox was saved."))
            return redirect(reverse("webtolead:form_detail", args=[web_form.pk]))
    return render(request, "consent/form_consent.html", {"web_form": web_form, "form": form})
