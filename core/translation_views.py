"""The Translations setup page: admins translate picklist values, field labels and help texts into
Spanish and French, inline, with a filter for what users of that language still see in English."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import registry
from .label_translations import KINDS, label_translations_save, translation_rows
from .models import LabelTranslation
from .roles import setup_admin_required
from .translation import translatable_languages

FIELD_PREFIX = "t:"
ORIGINAL_PREFIX = "was:"


def _filters(params) -> dict:
    languages = dict(translatable_languages())
    objects = {spec.name for spec in registry.registered_objects()}
    language = params.get("language", "")
    object_name = params.get("object", "lead")
    kind = params.get("kind", "")
    return {
        "language": language if language in languages else next(iter(languages)),
        "object": object_name if object_name in objects else "",
        "kind": kind if kind in KINDS else "",
        "untranslated": params.get("untranslated", "") == "1",
    }


def _changes(post) -> dict[str, str]:
    """The translations the page's form changed: ``{row key: new text}``."""
    changes = {}
    for name, text in post.items():
        if not name.startswith(FIELD_PREFIX):
            continue
        key = name[len(FIELD_PREFIX) :]
        if text.strip() != post.get(f"{ORIGINAL_PREFIX}{key}", "").strip():
            changes[key] = text
    return changes


@setup_admin_required
def translation_workbench(request):
    filters = _filters(request.POST if request.method == "POST" else request.GET)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        changes = _changes(request.POST)
        try:
            saved = label_translations_save(language=filters["language"], changes=changes, acting_user=request.user)
        except ValidationError as exc:
            errors = exc.message_dict
            messages.error(request, _("Nothing was saved: correct the translations marked below."))
        else:
            if saved:
                messages.success(
                    request,
                    ngettext("%(count)d translation saved.", "%(count)d translations saved.", saved) % {"count": saved},
                )
            else:
                messages.info(request, _("No translation was changed."))
            query = {k: v for k, v in filters.items() if v}
            query["untranslated"] = "1" if filters["untranslated"] else ""
            return redirect(
                f"{reverse('core:translation_workbench')}?{urlencode({k: v for k, v in query.items() if v})}"
            )
    rows = translation_rows(
        language=filters["language"],
        object_name=filters["object"],
        kind=filters["kind"],
        untranslated=filters["untranslated"],
    )
    posted = request.POST if errors else {}
    items = [
        {
            "row": row,
            "text": posted.get(f"{FIELD_PREFIX}{row.key}", row.translation),
            "errors": errors.get(row.key, []),
        }
        for row in rows
    ]
    context = {
        "filters": filters,
        "languages": translatable_languages(),
        "language_name": dict(translatable_languages())[filters["language"]],
        "objects": [(spec.name, spec.label) for spec in registry.registered_objects()],
        "kinds": LabelTranslation.Kind.choices,
        "items": items,
        "field_prefix": FIELD_PREFIX,
        "original_prefix": ORIGINAL_PREFIX,
    }
    return render(request, "core/translation_workbench.html", context, status=400 if errors else 200)
