"""Web-to-Lead pages: the public endpoint (no login, CSRF-exempt) and the admin setup pages."""

import codecs
import json
import logging
import math
from functools import lru_cache
from urllib.parse import parse_qsl

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_exempt, xframe_options_sameorigin
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.auth import client_address
from core.forms import apply_service_errors
from core.roles import setup_admin_required
from emails.selectors import autoresponse_settings, templates_for_sending

from . import services
from .fields import FORM_KEY_ALT_FIELD, FORM_KEY_FIELD, SALESFORCE_FIELDS
from .forms import WebToLeadFormForm, WebToLeadSettingsForm
from .generator import form_html
from .models import Intake, WebToLeadForm
from .selectors import (
    available_fields,
    form_for_key,
    forms_visible_to,
    intake_counters,
    intake_list,
    intakes_visible_to,
    leads_created_in_window,
    pending_count,
    unused_values_count,
    webtolead_settings,
)
from .spam import fill_token, submission_key

logger = logging.getLogger(__name__)


# Public endpoint ---------------------------------------------------------------------------------


# JSON objects nested deeper than this are kept as their text: no form posts such a shape, and
# the JSON parser and the database driver both recurse through it.
MAX_JSON_DEPTH = 20
RAW_KEPT = 20000


def _read_payload(request) -> tuple[dict, str]:
    """The posted fields as a dict (repeated names become lists); an error text when unreadable.

    Whatever the body, this answers: what cannot be read is kept as text under ``_raw``."""
    try:
        body = request.body
    except (SuspiciousOperation, OSError):
        return {}, "The submission is too large."
    content_type = request.content_type
    if content_type == "application/x-www-form-urlencoded":
        return _urlencoded_fields(request, body)
    if content_type == "application/json":
        return _json_fields(body)
    if content_type == "multipart/form-data":
        try:
            return {key: values[0] if len(values) == 1 else values for key, values in request.POST.lists()}, ""
        except Exception:
            return {"_raw": body[:RAW_KEPT].decode("iso-8859-1")}, "The form data could not be read."
    if not body.strip():
        return {}, ""
    # A script that posts text/plain (no CORS preflight) or no content type at all: a JSON object
    # or form-encoded fields, whichever the body is.
    if body.lstrip()[:1] in (b"{", b"["):
        return _json_fields(body)
    return _urlencoded_fields(request, body)


def _json_fields(body: bytes) -> tuple[dict, str]:
    raw = body.decode("utf-8", errors="replace")
    try:
        data = json.loads(raw or "{}", parse_constant=str, parse_float=_finite_float)
    except RecursionError:
        return {"_raw": raw[:RAW_KEPT]}, "The JSON is nested too deeply."
    except ValueError:
        return {"_raw": raw[:RAW_KEPT]}, "The request body is not valid JSON."
    if _too_deep(data):
        return {"_raw": raw[:RAW_KEPT]}, "The JSON is nested too deeply."
    if not isinstance(data, dict):
        return {"_raw": data}, "Send a JSON object of field names to values."
    return data, ""


def _finite_float(text: str):
    """A JSON number as a float, or as its text when a float cannot hold it (``1e999``)."""
    number = float(text)
    return number if math.isfinite(number) else text


def _too_deep(data) -> bool:
    stack = [(data, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        for child in children:
            if isinstance(child, dict | list):
                if depth >= MAX_JSON_DEPTH:
                    return True
                stack.append((child, depth + 1))
    return False


@lru_cache(maxsize=32)
def _text_codec(name: str) -> str | None:
    """The codec of a declared charset when it is a text encoding, else ``None``."""
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError):
        return None
    return info.name if getattr(info, "_is_text_encoding", True) else None


def _form_encoding(request) -> str:
    """The charset of a form body: the one its content type names, else Salesforce's ``encoding``
    parameter of the action URL, else the site's."""
    declared = request.content_params.get("charset") or request.GET.get("encoding") or ""
    return (declared and _text_codec(declared[:40].strip())) or settings.DEFAULT_CHARSET


def _urlencoded_fields(request, body: bytes) -> tuple[dict, str]:
    """An urlencoded body read straight into the payload dict, with Django's own limit on the
    number of fields and its fallback for bytes that are not in the declared charset."""
    encoding = _form_encoding(request)
    try:
        text = body.decode(encoding)
    except UnicodeError:
        text = body.decode("iso-8859-1")
    try:
        pairs = parse_qsl(
            text, keep_blank_values=True, encoding=encoding, max_num_fields=settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        )
    except ValueError:
        return {"_raw": text[:RAW_KEPT]}, "The form sent too many fields."
    data: dict = {}
    for key, value in pairs:
        if key not in data:
            data[key] = value
        elif isinstance(data[key], list):
            data[key].append(value)
        else:
            data[key] = [data[key], value]
    return data, ""


def _wants_json(request) -> bool:
    if request.content_type == "application/json":
        return True
    accept = request.META.get("HTTP_ACCEPT", "")
    return "application/json" in accept and "text/html" not in accept


def _labels_for(form: WebToLeadForm | None) -> dict[str, str]:
    labels = {f.name: f.label for f in available_fields()}
    labels.update({"oid": "Form", "__all__": ""})
    if form is not None:
        labels.update({f["name"]: f.get("label") or labels.get(f["name"], f["name"]) for f in form.fields})
    return labels


NEVER_STORE = "max-age=0, no-cache, no-store, must-revalidate, private"


@lru_cache(maxsize=16)
def _thanks_path(prefix: str, urlconf) -> str:
    """The built-in thank-you page, resolved once per script prefix and URL configuration."""
    return reverse("webtolead:thanks", urlconf=urlconf)


def _answer(request, result: services.SubmissionResult):
    intake = result.intake
    if _wants_json(request):
        if result.accepted:
            # 200, as scripts written for Salesforce's endpoint expect, with the visitor's reference.
            return JsonResponse({"status": "accepted", "reference": result.public_ref})
        body = {("non_field_errors" if k == "__all__" else k): v for k, v in result.errors.items()}
        return JsonResponse(body, status=result.status)
    if result.accepted:
        target = result.return_url or f"{_thanks_path(get_script_prefix(), get_urlconf())}?ref={result.public_ref}"
        if not result.return_url and intake.form is not None and intake.form.language:
            target += f"&lang={intake.form.language}"
        response = HttpResponseRedirect(target)
        response.status_code = 303
        return response
    labels = _labels_for(intake.form)
    problems = [
        {"field": labels.get(name, name), "name": name, "messages": msgs} for name, msgs in result.errors.items()
    ]
    return render(request, "webtolead/public_error.html", {"problems": problems}, status=result.status)


CORS_MAX_AGE = "86400"


def _allowed_origin(request) -> str:
    """The request's ``Origin`` when it is on the allowed return domains, else ""."""
    origin = request.META.get("HTTP_ORIGIN", "")
    return origin if origin and services.origin_allowed_now(origin) else ""


def _preflight(request):
    """A browser asks whether a script on ``Origin`` may post here: yes for the allowed domains."""
    origin = _allowed_origin(request)
    if not origin:
        response = HttpResponse(status=403)
    else:
        response = HttpResponse(status=204)
        response["Access-Control-Allow-Origin"] = origin
        response["Access-Control-Allow-Methods"] = "POST, OPTIONS"
        response["Access-Control-Allow-Headers"] = "Accept, Content-Type, X-Requested-With"
        response["Access-Control-Max-Age"] = CORS_MAX_AGE
    response["Vary"] = "Origin"
    response["Cache-Control"] = NEVER_STORE
    return response


# The visitor pages hold no actions, so they may show inside a framed form (and the preview).
@csrf_exempt
@xframe_options_exempt
@require_http_methods(["POST", "OPTIONS"])
def submit(request):
    """``POST /web-to-lead/`` (and Salesforce's ``/servlet/servlet.WebToLead``): check and store the
    submission; its lead is made in the background. Never a 500 for the visitor: whatever the body
    and whatever fails, the submission is stored."""
    if request.method == "OPTIONS":
        return _preflight(request)
    payload, unreadable = _read_payload(request)
    form_key = (
        request.GET.get("form")
        or services._payload_text(payload.get(FORM_KEY_ALT_FIELD))
        or services._payload_text(payload.get(FORM_KEY_FIELD))
    ).strip()
    # The visitor pages (and their messages) speak the form's language when it has one.
    language = _form_language(form_key)
    if language:
        translation.activate(language)
    address = client_address(request)
    stored = {
        "payload": payload,
        "form_key": form_key,
        "content_type": request.content_type or "",
        "source_address": address if address != "unknown" else None,
        "user_agent": request.META.get("HTTP_USER_AGENT", ""),
    }
    try:
        result = services.submission_receive(unreadable=unreadable, **stored)
    except Exception:
        logger.exception("Web-to-Lead submission to form %r could not be checked; stored as received", form_key)
        if not connection.in_atomic_block:
            # A connection the database dropped (a restart, a failover) is replaced for the fallback.
            connection.close_if_unusable_or_obsolete()
        result = _store_unchecked(stored)
    response = _answer(request, result)
    # What ``never_cache`` sends, as one constant: no answer to a submission is ever stored.
    response["Cache-Control"] = NEVER_STORE
    if "HTTP_ORIGIN" in request.META:
        origin = _allowed_origin(request)
        if origin:
            response["Access-Control-Allow-Origin"] = origin
        response["Vary"] = "Origin"
    return response


def _form_language(form_key: str) -> str:
    """The form's language, or the browser's ("") when the form cannot be read now: the submission
    is stored all the same, on a fresh connection when the database dropped this one."""
    try:
        return services.form_language_now(form_key)
    except Exception:
        logger.warning("The language of Web-to-Lead form %r could not be read", form_key, exc_info=True)
        if not connection.in_atomic_block:
            connection.close_if_unusable_or_obsolete()
        return ""


def _store_unchecked(stored: dict) -> services.SubmissionResult:
    try:
        return services.intake_record(**stored)
    except Exception:
        # Not even as it came: keep its text, which any database can hold.
        logger.exception("Web-to-Lead submission to form %r kept as text only", stored["form_key"])
        text = ascii(stored["payload"])[:RAW_KEPT]
        return services.intake_record(**{**stored, "payload": {"_raw": text}, "form_key": ascii(stored["form_key"])})


@never_cache
@require_GET
def token(request):
    """A fresh fill-time token and submission key for a pasted form (cross-origin readable)."""
    form = form_for_key(request.GET.get(FORM_KEY_FIELD, ""))
    if form is None or not form.is_active:
        response = JsonResponse({"detail": "Unknown form."}, status=404)
    else:
        response = JsonResponse({"w2l_ts": fill_token(form.public_key), "w2l_key": submission_key()})
    response["Access-Control-Allow-Origin"] = "*"
    return response


@xframe_options_exempt
def thanks(request):
    language = request.GET.get("lang", "")
    if language in {code for code, _name in settings.LANGUAGES}:
        # The form's language, passed on by the redirect of the submission.
        translation.activate(language)
    return render(request, "webtolead/public_thanks.html", {"reference": request.GET.get("ref", "")[:32]})


# Setup pages -------------------------------------------------------------------------------------


@setup_admin_required
def form_list(request):
    settings_row = webtolead_settings()
    return render(
        request,
        "webtolead/form_list.html",
        {
            "forms": forms_visible_to(request.user),
            "settings": settings_row,
            "used": leads_created_in_window(),
            "pending": pending_count(),
            "default_template": autoresponse_settings().default_template,
        },
    )


@setup_admin_required
@require_http_methods(["GET", "POST"])
def settings_edit(request):
    settings_row = webtolead_settings()
    ar_settings = autoresponse_settings()
    form = WebToLeadSettingsForm(
        request.POST or None,
        instance=settings_row,
        templates=templates_for_sending(),
        initial={"default_template": ar_settings.default_template_id},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.webtolead_settings_update(data=dict(form.cleaned_data), acting_user=request.user)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Web-to-Lead settings saved."))
            return redirect("webtolead:form_list")
    return render(request, "webtolead/settings_form.html", {"form": form})


def _builder_rows(request, form_obj: WebToLeadForm | None) -> list[dict]:
    """The builder's field table: every available field with its include / label / required state."""
    chosen = {f["name"]: f for f in (form_obj.fields if form_obj else [])}
    if form_obj is None:
        chosen = {n: {"name": n, "required": False} for n in ("first_name", "last_name", "email", "company")}
    rows = []
    for spec in available_fields():
        always = spec.name in ("last_name", "company")
        if request.method == "POST":
            included = always or bool(request.POST.get(f"include_{spec.name}"))
            label = request.POST.get(f"label_{spec.name}", "")
            required = always or bool(request.POST.get(f"required_{spec.name}"))
        else:
            item = chosen.get(spec.name)
            included = always or item is not None
            label = (item or {}).get("label") or spec.label
            required = always or bool((item or {}).get("required"))
        rows.append(
            {
                "spec": spec,
                "included": included,
                "label": label,
                "required": required,
                "always": always,
                "standard": spec.name in SALESFORCE_FIELDS,
            }
        )
    return rows


def _builder_fields(request, rows: list[dict]) -> list[dict]:
    order = {name: pos for pos, name in enumerate(request.POST.getlist("order"))}
    chosen = [r for r in rows if r["included"]]
    chosen.sort(key=lambda r: order.get(r["spec"].name, len(order)))
    return [{"name": r["spec"].name, "label": r["label"].strip(), "required": r["required"]} for r in chosen]


@setup_admin_required
@require_http_methods(["GET", "POST"])
def form_create(request):
    form = WebToLeadFormForm(
        request.POST or None, initial={"run_assignment": True, "send_autoresponse": True, "lead_source": "Website"}
    )
    rows = _builder_rows(request, None)
    if request.method == "POST" and form.is_valid():
        data = {**form.cleaned_data, "fields": _builder_fields(request, rows)}
        try:
            created = services.webtolead_form_create(data=data, acting_user=request.user)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(
                request, _("Web-to-Lead form “%(name)s” created. Copy its HTML below.") % {"name": created.name}
            )
            return redirect("webtolead:form_detail", pk=created.pk)
    return render(request, "webtolead/form_form.html", {"form": form, "rows": rows, "object": None})


@setup_admin_required
@require_http_methods(["GET", "POST"])
def form_edit(request, pk: int):
    obj = get_object_or_404(forms_visible_to(request.user), pk=pk)
    form = WebToLeadFormForm(request.POST or None, instance=obj)
    rows = _builder_rows(request, obj)
    if request.method == "POST" and form.is_valid():
        data = {**form.cleaned_data, "fields": _builder_fields(request, rows)}
        try:
            services.webtolead_form_update(form=obj, data=data, acting_user=request.user)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Web-to-Lead form “%(name)s” saved.") % {"name": obj.name})
            return redirect("webtolead:form_detail", pk=obj.pk)
    return render(request, "webtolead/form_form.html", {"form": form, "rows": rows, "object": obj})


def _base_url(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


@setup_admin_required
def form_detail(request, pk: int):
    obj = get_object_or_404(forms_visible_to(request.user), pk=pk)
    recent = intake_list(user=request.user, form_id=obj.pk)[:10]
    return render(
        request,
        "webtolead/form_detail.html",
        {
            "object": obj,
            "html": form_html(obj, base_url=_base_url(request)),
            "recent": recent,
            "settings": webtolead_settings(),
            "fields_by_name": {f.name: f for f in available_fields()},
        },
    )


@setup_admin_required
@xframe_options_sameorigin
@never_cache
def form_preview(request, pk: int):
    """The generated form as a visitor sees it, with a live token, so it can be submitted to test."""
    obj = get_object_or_404(forms_visible_to(request.user), pk=pk)
    return render(
        request,
        "webtolead/form_preview.html",
        {"object": obj, "html": form_html(obj, base_url=_base_url(request), prefill=True)},
    )


@setup_admin_required
def intake_list_view(request):
    outcome = request.GET.get("outcome", "")
    if outcome not in Intake.Outcome.values:
        outcome = ""
    form_id = request.GET.get("form", "")
    form_id = int(form_id) if form_id.isdigit() else None
    unused = request.GET.get("unused") == "1"
    page = Paginator(intake_list(user=request.user, outcome=outcome, form_id=form_id, unused=unused), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "webtolead/intake_list.html",
        {
            "page": page,
            "outcome": outcome,
            "form_id": form_id,
            "outcomes": Intake.Outcome.choices,
            "forms": WebToLeadForm.objects.order_by("name"),
            "counters": intake_counters(user=request.user),
            "unused": unused,
            "unused_count": unused_values_count(user=request.user),
        },
    )


@setup_admin_required
@require_POST
def intake_backfill(request):
    """Fill in, on their leads, the posted values that could not be used then and can be now."""
    result = services.intake_unused_values_backfill(acting_user=request.user)
    if result.filled:
        messages.success(
            request,
            ngettext(
                "%(count)d value filled in on its lead.", "%(count)d values filled in on their leads.", result.filled
            )
            % {"count": result.filled},
        )
    else:
        messages.info(request, _("No value could be filled in: add the values first (for example to the picklist)."))
    if result.decided:
        messages.info(
            request,
            ngettext(
                "%(count)d value was left out: its field was set on the lead meanwhile.",
                "%(count)d values were left out: their fields were set on the leads meanwhile.",
                result.decided,
            )
            % {"count": result.decided},
        )
    return redirect(f"{reverse('webtolead:intake_list')}?unused=1" if result.remaining else "webtolead:intake_list")


@setup_admin_required
def intake_detail(request, pk: int):
    intake = get_object_or_404(intakes_visible_to(request.user), pk=pk)
    payload = intake.payload if isinstance(intake.payload, dict) else {"_raw": intake.payload}
    labels = _labels_for(intake.form)
    rows = [{"name": k, "label": labels.get(k, ""), "value": v} for k, v in payload.items()]
    errors = [{"field": labels.get(k, k), "messages": v} for k, v in (intake.errors or {}).items()]
    return render(
        request,
        "webtolead/intake_detail.html",
        {
            "intake": intake,
            "rows": rows,
            "errors": errors,
            "replayable": intake.outcome in services.REPLAYABLE,
            "pretty": json.dumps(intake.payload, indent=2, ensure_ascii=False),
        },
    )


@setup_admin_required
@require_POST
def intake_replay(request, pk: int):
    intake = get_object_or_404(intakes_visible_to(request.user), pk=pk)
    release = request.POST.get("action") == "release"
    try:
        if release:
            result = services.intake_release(intake=intake, acting_user=request.user)
        else:
            result = services.intake_replay(intake=intake, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("webtolead:intake_detail", pk=intake.pk)
    result.intake.refresh_from_db()
    if result.intake.outcome == Intake.Outcome.CREATED:
        messages.success(
            request, _("Lead created from the submission.") if not release else _("Released: lead created.")
        )
    elif result.intake.outcome == Intake.Outcome.DUPLICATE:
        messages.info(request, _("This submission duplicates one that already created a lead."))
    else:
        messages.error(
            request, _("The submission still cannot become a lead: %(reason)s") % {"reason": result.intake.reason}
        )
    return redirect("webtolead:intake_detail", pk=intake.pk)
