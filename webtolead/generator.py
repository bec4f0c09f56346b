"""The HTML an admin pastes into a website, generated from a form's fields.

It posts Salesforce's field names, so it looks like the form Salesforce generates; it adds a
honeypot field, a signed fill-time token and a per-render submission key. On a static website a
small script fetches the token and key when the page loads; the preview page renders them in.
"""

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe

from core.models import FieldType
from core.registry import web_to_lead_form_parts

from .fields import (
    FORM_KEY_FIELD,
    HONEYPOT_FIELD,
    RETURN_URL_FIELD,
    SUBMISSION_KEY_FIELD,
    TIMESTAMP_FIELD,
)
from .models import WebToLeadForm
from .selectors import available_fields
from .spam import fill_token, submission_key

TEXTAREA_FIELDS = {"description", "street"}


def form_inputs(form: WebToLeadForm) -> list[dict]:
    """The form's fields with what the HTML needs: input kind, label, limits and choices."""
    known = {f.name: f for f in available_fields()}
    inputs = []
    for item in form.fields:
        spec = known.get(item["name"])
        if spec is None:
            continue
        if spec.field_type == FieldType.PICKLIST:
            kind = "select"
        elif spec.field_type == FieldType.CHECKBOX:
            kind = "checkbox"
        elif spec.field_type == FieldType.TEXTAREA or item["name"] in TEXTAREA_FIELDS:
            kind = "textarea"
        elif spec.field_type == FieldType.EMAIL:
            kind = "email"
        elif spec.field_type in {FieldType.NUMBER, FieldType.CURRENCY, FieldType.PERCENT}:
            kind = "number"
        elif spec.field_type == FieldType.DATE:
            kind = "date"
        elif spec.field_type == FieldType.PHONE:
            kind = "tel"
        else:
            kind = "text"
        inputs.append(
            {
                "name": item["name"],
                "label": item.get("label") or spec.label,
                "required": bool(item.get("required")),
                "kind": kind,
                "max_length": spec.max_length if kind in {"text", "email", "tel", "textarea"} else None,
                "choices": spec.choices,
            }
        )
    return inputs


def form_html(form: WebToLeadForm, *, base_url: str, prefill: bool = False) -> str:
    """The paste-ready HTML. ``base_url`` is this server's origin (``https://crm.example.com``).

    ``prefill`` renders the fill-time token and a submission key in (the preview page); otherwise a
    script fetches them when the visitor's page loads.
    """
    action = base_url.rstrip("/") + reverse("webtolead:submit")
    token_url = base_url.rstrip("/") + reverse("webtolead:token")
    return render_to_string(
        "webtolead/generated_form.html",
        {
            "form": form,
            "inputs": form_inputs(form),
            "action": action,
            "token_url": f"{token_url}?{FORM_KEY_FIELD}={form.public_key}",
            "prefill": prefill,
            # Inputs apps above this one add (a consent checkbox), as HTML they rendered.
            "extra_parts": [mark_safe(html) for html in web_to_lead_form_parts(form=form)],  # noqa: S308
            "ts_value": fill_token(form.public_key) if prefill else "",
            "key_value": submission_key() if prefill else "",
            "names": {
                "oid": FORM_KEY_FIELD,
                "ret": RETURN_URL_FIELD,
                "ts": TIMESTAMP_FIELD,
                "key": SUBMISSION_KEY_FIELD,
                "honeypot": HONEYPOT_FIELD,
            },
        },
    ).strip()
