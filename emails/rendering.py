"""Merge-field rendering of email templates.

Template authors write ``{{Lead.FirstName}}``, ``{{Lead.FirstName|there}}`` (a fallback when the
value is blank), ``{{Lead.Budget__c}}`` (a custom field by API name) or ``{{Lead.Owner.Name}}``.
Rendering is a plain regular-expression substitution: nothing an author writes is ever executed
(no template engine, no attribute access beyond the fields that ``core.models.FieldDefinition``
describes). Merged values are HTML-escaped in the HTML body and left as they are in the text body.
"""

import functools
import re
from dataclasses import dataclass
from html import escape

import nh3
from django.conf import settings
from django.urls import NoReverseMatch, reverse

from core.fields import display_value
from core.models import FieldDefinition, FieldType
from core.roles import display_name

# Anything between double braces is a merge-field candidate; the inner grammar is checked apart so
# that ``{{ 7*7 }}`` or ``{{Lead.__class__}}`` are reported as unknown instead of silently kept.
TOKEN_RE = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
MERGE_RE = re.compile(
    r"^\s*(?P<object>[A-Za-z][A-Za-z0-9]*)\.(?P<field>[A-Za-z][A-Za-z0-9_]*)"
    r"(?:\.(?P<sub>[A-Za-z][A-Za-z0-9]*))?\s*(?:\|(?P<fallback>[^{}]*))?$"
)
OWNER_PARTS = {"Name", "FirstName", "LastName", "Email"}
# Fields every record has besides those described in FieldDefinition.
SYSTEM_PARTS = {"Id", "Link"}
RECORD_URL_NAMES = {"lead": "leads:detail"}
# Email HTML lives on inline styles: keep these CSS properties (nh3 drops every other one, and any
# url() or expression in them).
EMAIL_STYLE_PROPERTIES = {
    "background-color",
    "border",
    "border-collapse",
    "border-radius",
    "color",
    "font-family",
    "font-size",
    "font-style",
    "font-weight",
    "height",
    "line-height",
    "margin",
    "padding",
    "text-align",
    "text-decoration",
    "vertical-align",
    "width",
}
_ALLOWED_ATTRIBUTES = {tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()}
_ALLOWED_ATTRIBUTES["*"] = _ALLOWED_ATTRIBUTES.get("*", set()) | {"style"}


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    body_text: str
    body_html: str


@dataclass(frozen=True)
class MergeField:
    token: str
    object_prefix: str
    field: str
    sub: str
    fallback: str


def sf_name(api_name: str) -> str:
    """Our API name -> the Salesforce-style merge name: ``first_name`` -> ``FirstName``;
    custom fields keep their API name (``Budget__c``)."""
    if api_name.endswith("__c"):
        return api_name
    return "".join(part[:1].upper() + part[1:] for part in api_name.split("_"))


def object_prefix(object_name: str) -> str:
    return sf_name(object_name)


def sanitize_html(html: str) -> str:
    """Strip scripts, event handlers and anything else unsafe from an HTML body (nh3 / ammonia)."""
    if not html or not html.strip():
        return ""
    return nh3.clean(
        html,
        link_rel="noopener noreferrer",
        attributes=_ALLOWED_ATTRIBUTES,
        filter_style_properties=EMAIL_STYLE_PROPERTIES,
    )


def field_map(object_name: str) -> dict[str, FieldDefinition]:
    """Merge name (and our API name) -> field definition, for the active fields of an object."""
    mapping: dict[str, FieldDefinition] = {}
    for definition in FieldDefinition.objects.filter(object_name=object_name, is_active=True):
        mapping[sf_name(definition.api_name)] = definition
        mapping.setdefault(definition.api_name, definition)
    return mapping


def merge_fields_in(text: str) -> list[str]:
    return [m.group(0) for m in TOKEN_RE.finditer(text or "")]


# A template's few tokens recur in every email merged from it (a list email, a sequence step):
# parse each once. MergeField is frozen, so a cached one cannot be changed by a caller.
@functools.lru_cache(maxsize=4096)
def _parse(token: str) -> MergeField | None:
    match = MERGE_RE.match(token[2:-2])
    if not match:
        return None
    return MergeField(
        token=token,
        object_prefix=match.group("object"),
        field=match.group("field"),
        sub=match.group("sub") or "",
        fallback=(match.group("fallback") or "").strip(),
    )


def _is_known(parsed: MergeField | None, *, prefix: str, fields: dict[str, FieldDefinition], extra: set[str]) -> bool:
    if parsed is None:
        return False
    dotted = f"{parsed.object_prefix}.{parsed.field}" + (f".{parsed.sub}" if parsed.sub else "")
    if dotted in extra:
        return True
    if parsed.object_prefix != prefix:
        return False
    if parsed.field in SYSTEM_PARTS and not parsed.sub:
        return True
    definition = fields.get(parsed.field)
    if definition is None:
        return False
    if definition.field_type == FieldType.LOOKUP:
        return parsed.sub in OWNER_PARTS if parsed.field in {"Owner", "owner"} else False
    return not parsed.sub


def unknown_merge_fields(*texts: str, object_name: str = "lead", extra: set[str] | None = None) -> list[str]:
    """The merge fields in the texts that do not name a field of the object (in order, once each)."""
    prefix = object_prefix(object_name)
    fields = field_map(object_name)
    unknown: list[str] = []
    for text in texts:
        for token in merge_fields_in(text):
            if (
                not _is_known(_parse(token), prefix=prefix, fields=fields, extra=extra or set())
                and token not in unknown
            ):
                unknown.append(token)
    return unknown


def _owner_value(record, part: str) -> str:
    owner = getattr(record, "owner", None)
    if owner is None:
        return ""
    if hasattr(owner, "get_full_name"):
        values = {
            "Name": display_name(owner),
            "FirstName": owner.first_name,
            "LastName": owner.last_name,
            "Email": owner.email,
        }
    else:  # a queue
        values = {"Name": str(owner), "FirstName": "", "LastName": "", "Email": getattr(owner, "email", "")}
    return values.get(part, "") or ""


def record_url(record, object_name: str) -> str:
    name = RECORD_URL_NAMES.get(object_name)
    if not name:
        return ""
    try:
        path = reverse(name, args=[record.pk])
    except NoReverseMatch:
        return ""
    return settings.SITE_URL.rstrip("/") + path


def _value(parsed: MergeField, *, record, object_name: str, fields: dict[str, FieldDefinition]) -> str:
    if parsed.field == "Id" and not parsed.sub:
        return str(record.pk or "")
    if parsed.field == "Link" and not parsed.sub:
        return record_url(record, object_name)
    definition = fields[parsed.field]
    if definition.field_type == FieldType.LOOKUP:
        return _owner_value(record, parsed.sub)
    if definition.is_custom:
        raw = (getattr(record, "custom_fields", None) or {}).get(definition.api_name)
    elif isinstance(record, dict):
        raw = record.get(definition.api_name)
    else:
        raw = getattr(record, definition.api_name, None)
    return display_value(definition, raw)


def _substitute(
    text: str,
    *,
    record,
    object_name: str,
    fields: dict[str, FieldDefinition],
    extra: dict[str, str],
    html: bool,
) -> str:
    prefix = object_prefix(object_name)

    def replace(match: re.Match) -> str:
        token = match.group(0)
        parsed = _parse(token)
        if not _is_known(parsed, prefix=prefix, fields=fields, extra=set(extra)):
            # Unknown tokens are refused when a template is saved; one that slipped through (an old
            # template, a field deleted since) is shown as written, never evaluated.
            return escape(token) if html else token
        dotted = f"{parsed.object_prefix}.{parsed.field}" + (f".{parsed.sub}" if parsed.sub else "")
        if dotted in extra:
            value = str(extra[dotted] or "")
        else:
            value = _value(parsed, record=record, object_name=object_name, fields=fields)
        if not value.strip():
            value = parsed.fallback
        return escape(value) if html else value

    return TOKEN_RE.sub(replace, text or "")


def render_text(
    text: str, *, record, object_name: str = "lead", html: bool = False, extra_context: dict | None = None
) -> str:
    return _substitute(
        text,
        record=record,
        object_name=object_name,
        fields=field_map(object_name),
        extra={str(k): v for k, v in (extra_context or {}).items()},
        html=html,
    )


def render_template(
    template, *, record, object_name: str = "lead", extra_context: dict | None = None, fields: dict | None = None
) -> RenderedEmail:
    """Merge a template (anything with ``subject``, ``body_text``, ``body_html``) with a record.
    Pass ``fields`` (``field_map(object_name)``) to merge many records with one read of the fields."""
    fields = field_map(object_name) if fields is None else fields
    extra = {str(k): v for k, v in (extra_context or {}).items()}
    common = {"record": record, "object_name": object_name, "fields": fields, "extra": extra}
    subject = _substitute(template.subject, html=False, **common)
    body_html = ""
    if (template.body_html or "").strip():
        # The stored body was sanitised when saved; cleaning the merged result again also covers
        # values merged into attributes (a ``javascript:`` URL in a lead's website, say).
        body_html = sanitize_html(_substitute(template.body_html, html=True, **common))
    return RenderedEmail(
        subject=" ".join(subject.split())[:255],
        body_text=_substitute(template.body_text, html=False, **common),
        body_html=body_html,
    )


class _CompiledText:
    """A text split once into literal runs and merge fields: merging a record joins the runs with
    its values, with no regular expression and no parsing per record."""

    def __init__(self, text: str, *, prefix: str, fields: dict[str, FieldDefinition], html: bool):
        self.parts: list[str | MergeField] = []
        self.html = html
        # A merge field inside a tag (an attribute value) could carry markup or a ``javascript:``
        # URL: such a body is sanitised again after each merge, as render_template does. Merged
        # into text between tags, an escaped value cannot make markup, and the body (sanitised
        # when the template was saved) needs no second pass.
        self.in_tag = False
        position = 0
        for match in TOKEN_RE.finditer(text or ""):
            self.parts.append(text[position : match.start()])
            token = match.group(0)
            parsed = _parse(token)
            if _is_known(parsed, prefix=prefix, fields=fields, extra=set()):
                self.parts.append(parsed)
                if html and text.rfind("<", 0, match.start()) > text.rfind(">", 0, match.start()):
                    self.in_tag = True
            else:
                self.parts.append(escape(token) if html else token)
            position = match.end()
        self.parts.append((text or "")[position:])

    def merge(self, *, record, object_name: str, fields: dict[str, FieldDefinition]) -> str:
        out = []
        for part in self.parts:
            if isinstance(part, str):
                out.append(part)
                continue
            value = _value(part, record=record, object_name=object_name, fields=fields)
            if not value.strip():
                value = part.fallback
            out.append(escape(value) if self.html else value)
        return "".join(out)


class CompiledTemplate:
    """A template parsed once for many records of one object (a sequence step, a list email):
    ``render(record)`` gives what ``render_template`` gives, at a fraction of the cost."""

    def __init__(self, template, *, object_name: str = "lead", fields: dict | None = None):
        self.object_name = object_name
        self.fields = field_map(object_name) if fields is None else fields
        prefix = object_prefix(object_name)
        self.subject = _CompiledText(template.subject, prefix=prefix, fields=self.fields, html=False)
        self.body_text = _CompiledText(template.body_text, prefix=prefix, fields=self.fields, html=False)
        has_html = bool((template.body_html or "").strip())
        self.body_html = (
            _CompiledText(template.body_html, prefix=prefix, fields=self.fields, html=True) if has_html else None
        )

    def render(self, record) -> RenderedEmail:
        common = {"record": record, "object_name": self.object_name, "fields": self.fields}
        body_html = ""
        if self.body_html is not None:
            body_html = self.body_html.merge(**common)
            if self.body_html.in_tag:
                body_html = sanitize_html(body_html)
        return RenderedEmail(
            subject=" ".join(self.subject.merge(**common).split())[:255],
            body_text=self.body_text.merge(**common),
            body_html=body_html,
        )


def available_merge_fields(object_name: str = "lead") -> list[tuple[str, str]]:
    """``(merge field, label)`` pairs for the template editor's field picker."""
    prefix = object_prefix(object_name)
    items = []
    for definition in FieldDefinition.objects.filter(object_name=object_name, is_active=True).order_by(
        "is_custom", "sort_order", "id"
    ):
        name = sf_name(definition.api_name)
        if definition.field_type == FieldType.LOOKUP:
            if definition.api_name == "owner":
                items += [(f"{{{{{prefix}.Owner.{p}}}}}", f"{definition.label} {p}") for p in sorted(OWNER_PARTS)]
            continue
        items.append((f"{{{{{prefix}.{name}}}}}", definition.label))
    items.append((f"{{{{{prefix}.Link}}}}", "Link to the record"))
    return items
