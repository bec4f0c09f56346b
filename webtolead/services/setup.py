"""Web-to-Lead setup: the organisation's settings, the forms admins build and the return URLs they allow."""

import secrets
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.db import unique_as_field_error
from core.fields import clean_value
from core.models import FieldDefinition, FieldType
from core.roles import require_setup_admin
from emails.services import autoresponse_settings_update

from ..fields import ALWAYS_REQUIRED
from ..models import WebToLeadForm, WebToLeadSettings
from ..selectors import available_fields, salesforce_oid_forms, webtolead_settings

SF_OID_TAKEN = "Another form already uses this Salesforce organisation id."


# Settings ----------------------------------------------------------------------------------------


def _clean_domains(text: str) -> str:
    domains = []
    bad = []
    for line in (text or "").replace(",", "\n").splitlines():
        domain = line.strip().lower()
        if not domain:
            continue
        if "://" in domain:
            domain = urlsplit(domain).hostname or ""
        bare = domain.lstrip(".")
        if not bare or any(c in bare for c in "/\\@ ?#:") or "." not in bare:
            bad.append(line.strip())
            continue
        if domain not in domains:
            domains.append(domain)
    if bad:
        raise ValidationError({"allowed_return_domains": _("Not a domain: %(join)s.") % {"join": ", ".join(bad)}})
    return "\n".join(domains)


@transaction.atomic
def webtolead_settings_update(*, data: dict, acting_user) -> WebToLeadSettings:
    """Change the Web-to-Lead settings (and the default response template of the auto-response
    settings, in the same transaction); an enabled Web-to-Lead needs an active default lead creator."""
    require_setup_admin(acting_user)
    row, _created = WebToLeadSettings.objects.select_for_update().get_or_create(singleton=1)
    errors: dict[str, list[str]] = {}
    for name in ("enabled", "honeypot_enabled"):
        if name in data:
            setattr(row, name, bool(data[name]))
    for name, upper in (("daily_limit", 1_000_000), ("min_fill_seconds", 3600), ("rate_limit_per_minute", 100_000)):
        if name in data:
            try:
                value = int(data[name])
            except (TypeError, ValueError):
                errors[name] = [_("Enter a whole number.")]
                continue
            if not 0 <= value <= upper:
                errors[name] = [_("Enter a number between 0 and %(upper)s.") % {"upper": upper}]
                continue
            setattr(row, name, value)
    if "default_creator" in data:
        creator = data["default_creator"]
        if creator is not None and not creator.is_active:
            errors["default_creator"] = [_("Choose an active user.")]
        else:
            row.default_creator = creator
    if "allowed_return_domains" in data:
        try:
            row.allowed_return_domains = _clean_domains(data["allowed_return_domains"])
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if row.enabled and row.default_creator is None and "default_creator" not in errors:
        errors["default_creator"] = [_("Choose the user who creates web leads before turning Web-to-Lead on.")]
    if errors:
        raise ValidationError(errors)
    row.updated_by = acting_user
    row.save()
    if "default_template" in data:
        # The default response template belongs to the auto-response settings; edited here too.
        autoresponse_settings_update(default_template=data["default_template"], acting_user=acting_user)
    return row


# Forms -------------------------------------------------------------------------------------------


def _clean_form_fields(raw) -> list[dict]:
    """Validate the builder's field list: known fields, labels, required flags; last name and
    company always present and required."""
    if not isinstance(raw, list):
        raise ValidationError({"fields": _("Choose the fields of the form.")})
    known = {f.name: f for f in available_fields()}
    cleaned, seen, errors = [], set(), []
    for item in raw:
        name = str((item or {}).get("name", "")).strip()
        if name not in known:
            errors.append(f"Unknown field “{name}”.")
            continue
        if name in seen:
            continue
        seen.add(name)
        label = str(item.get("label") or "").strip() or known[name].label
        if len(label) > 120:
            errors.append(f"The label of {known[name].label} is longer than 120 characters.")
        required = bool(item.get("required")) or name in ALWAYS_REQUIRED
        if known[name].field_type == FieldType.CHECKBOX:
            required = False
        cleaned.append({"name": name, "label": label[:120], "required": required})
    for name in ALWAYS_REQUIRED:
        if name not in seen:
            cleaned.append({"name": name, "label": known[name].label, "required": True})
    if errors:
        raise ValidationError({"fields": errors})
    return cleaned


def _apply_form_data(form: WebToLeadForm, data: dict) -> None:
    errors: dict[str, list[str]] = {}
    if "name" in data:
        form.name = (data["name"] or "").strip()
    if not form.name:
        errors["name"] = [_("Enter a name for the form.")]
    elif len(form.name) > 120:
        errors["name"] = [_("Use at most 120 characters.")]
    elif WebToLeadForm.objects.filter(name__iexact=form.name).exclude(pk=form.pk).exists():
        errors["name"] = [_("A form named “%(name)s” already exists.") % {"name": form.name}]
    if "fields" in data:
        try:
            form.fields = _clean_form_fields(data["fields"])
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if "lead_source" in data:
        source = (data["lead_source"] or "").strip()
        if source:
            definition = FieldDefinition.objects.get(object_name="lead", api_name="lead_source")
            try:
                clean_value(definition, source, current=form.lead_source or None)
            except ValidationError as exc:
                errors["lead_source"] = exc.messages
        form.lead_source = source
    for name, limit in (("campaign", 255), ("submit_label", 60), ("salesforce_oid", 18)):
        if name in data:
            value = (data[name] or "").strip()
            if len(value) > limit:
                errors[name] = [_("Use at most %(limit)s characters.") % {"limit": limit}]
            setattr(form, name, value)
    if not form.submit_label:
        form.submit_label = "Submit"
    if form.salesforce_oid and "salesforce_oid" not in errors:
        oids = salesforce_oid_forms(form.salesforce_oid)
        if not oids:
            errors["salesforce_oid"] = [_("Enter the 15- or 18-character organisation id (oid) of the form's HTML.")]
        elif WebToLeadForm.objects.filter(salesforce_oid__in=oids).exclude(pk=form.pk).exists():
            errors["salesforce_oid"] = [SF_OID_TAKEN]
        else:
            form.salesforce_oid = oids[0]  # the 18-character form names the same org
    if "return_url" in data:
        url = (data["return_url"] or "").strip()
        if url and urlsplit(url).scheme not in {"http", "https"}:
            errors["return_url"] = [_("Enter an http or https address.")]
        elif url and not return_url_allowed(url, webtolead_settings()):
            errors["return_url"] = [
                _(
                    "This address is not on the allowed return domains of the Web-to-Lead settings; "
                    "visitors would see the built-in thank-you page instead."
                )
            ]
        form.return_url = url
    for name in ("run_assignment", "send_autoresponse", "is_active"):
        if name in data:
            setattr(form, name, bool(data[name]))
    if "language" in data:
        language = (data["language"] or "").strip()
        if language and language not in {code for code, _name in settings.LANGUAGES}:
            errors["language"] = [_("Choose one of the languages offered.")]
        form.language = language
    if errors:
        raise ValidationError(errors)


def _unique_form_fields():
    """A concurrent save that passed the friendly checks gets the same field errors."""
    return unique_as_field_error(
        {
            "webtolead_webtoleadform_name_ci": ("name", "A form with this name already exists."),
            "webtolead_form_unique_sf_oid": ("salesforce_oid", SF_OID_TAKEN),
        }
    )


@transaction.atomic
def webtolead_form_create(*, data: dict, acting_user) -> WebToLeadForm:
    require_setup_admin(acting_user)
    now = timezone.now()
    form = WebToLeadForm(public_key=secrets.token_urlsafe(15), created_at=now, updated_at=now)
    data = {"fields": [{"name": n} for n in ("first_name", "last_name", "email", "company")], **data}
    _apply_form_data(form, data)
    form.created_by = form.updated_by = acting_user
    with _unique_form_fields():
        form.save()
    return form


@transaction.atomic
def webtolead_form_update(*, form: WebToLeadForm, data: dict, acting_user) -> WebToLeadForm:
    require_setup_admin(acting_user)
    form = WebToLeadForm.objects.select_for_update().get(pk=form.pk)
    _apply_form_data(form, data)
    form.updated_at = timezone.now()
    form.updated_by = acting_user
    with _unique_form_fields():
        form.save()
    return form


# Return URLs -------------------------------------------------------------------------------------


def return_url_allowed(url: str, settings_row: WebToLeadSettings) -> bool:
    """Only http(s) addresses on an allowed domain (``.example.com`` allows its subdomains)."""
    if not url or len(url) > 2000 or any(c in url for c in "\\\r\n\t") or url.strip() != url:
        return False
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError:
        return False
    if parts.scheme not in {"http", "https"} or not host or parts.username or parts.password:
        return False
    for domain in settings_row.return_domains:
        if domain.startswith("."):
            if host == domain[1:] or host.endswith(domain):
                return True
        elif host == domain:
            return True
    return False


def origin_allowed(origin: str, settings_row: WebToLeadSettings) -> bool:
    """A browser's ``Origin`` (``https://www.example.com``) on the allowed return domains: scripts
    there may post to the endpoint and read its answers."""
    if not origin or len(origin) > 300 or origin.count("/") != 2:
        return False
    return return_url_allowed(f"{origin}/", settings_row)
