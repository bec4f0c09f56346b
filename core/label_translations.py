"""Translations admins write for picklist values, field labels and help texts (the Translations
setup page and ``/api/translations/``): the rows to translate, and the writes.

How a translation is shown is ``core.translation``'s business; this module only keeps them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from . import registry
from .models import FieldDefinition, LabelTranslation, PicklistValue
from .roles import require_setup_admin
from .translation import (
    FIELD_LABEL,
    HELP_TEXT,
    PICKLIST_VALUE,
    forget_translations,
    translatable_languages,
    translation_object,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

KINDS = (PICKLIST_VALUE, FIELD_LABEL, HELP_TEXT)
# As long as the text it stands for may be.
MAX_LENGTH = {PICKLIST_VALUE: 120, FIELD_LABEL: 120, HELP_TEXT: 500}


@dataclass(frozen=True)
class TranslationRow:
    """One label to translate into one language, as the Translations page lists it."""

    kind: str
    object_name: str
    object_label: str
    field_name: str
    field_label: str
    value: str
    english: str
    # The catalogs' translation of a seeded label ("" when there is none): what users see
    # while no admin translation exists.
    catalog: str
    translation: str

    @property
    def key(self) -> str:
        return "|".join((self.kind, self.object_name, self.field_name, self.value))

    @property
    def is_translated(self) -> bool:
        return bool(self.translation or self.catalog)


def _catalog(text: str, language: str) -> str:
    if not text:
        return ""
    with translation.override(language):
        translated = gettext(text)
    return translated if translated != text else ""


def _object_label(object_name: str) -> str:
    try:
        return str(registry.object_spec(object_name).label)
    except KeyError:
        return object_name


def translation_rows(
    *, language: str, object_name: str = "", kind: str = "", untranslated: bool = False
) -> list[TranslationRow]:
    """Every picklist value, field label and help text of the registered objects with its English
    text, its catalog translation and the admins' translation into ``language``, in a fixed number
    of queries. A value set shared by several objects is listed once, under its first object."""
    names = [s.name for s in registry.registered_objects() if not object_name or s.name == object_name]
    saved = {
        (t.kind, t.object_name, t.field_name, t.value): t.text
        for t in LabelTranslation.objects.filter(language=language, object_name__in=names)
    }
    definitions = list(FieldDefinition.objects.filter(object_name__in=names).order_by("object_name", "sort_order"))
    field_labels = {(d.object_name, d.api_name): d.label for d in definitions}
    rows: list[TranslationRow] = []

    def add(kind_: str, obj: str, field: str, value: str, english: str) -> None:
        rows.append(
            TranslationRow(
                kind=kind_,
                object_name=obj,
                object_label=_object_label(obj),
                field_name=field,
                field_label=field_labels.get((obj, field), field.replace("_", " ").title()),
                value=value,
                english=english,
                catalog=_catalog(english, language),
                translation=saved.get((kind_, obj, field, value), ""),
            )
        )

    order = {name: position for position, name in enumerate(names)}
    for definition in sorted(definitions, key=lambda d: (order[d.object_name], d.sort_order, d.id)):
        if kind in ("", FIELD_LABEL):
            add(FIELD_LABEL, definition.object_name, definition.api_name, "", definition.label)
        if kind in ("", HELP_TEXT) and definition.help_text:
            add(HELP_TEXT, definition.object_name, definition.api_name, "", definition.help_text)
    if kind in ("", PICKLIST_VALUE):
        values = PicklistValue.objects.filter(object_name__in=names).order_by("sort_order", "id")
        for value in sorted(values, key=lambda v: (order[v.object_name], v.field_name, v.sort_order, v.id)):
            if translation_object(value.object_name, value.field_name) != value.object_name:
                continue
            add(PICKLIST_VALUE, value.object_name, value.field_name, value.api_name, value.label)
    if untranslated:
        rows = [row for row in rows if not row.is_translated]
    return rows


def label_translations(*, language: str = "", kind: str = "", object_name: str = ""):
    """The saved translations, filtered (the API's list)."""
    found = LabelTranslation.objects.select_related("updated_by")
    if language:
        found = found.filter(language=language)
    if kind:
        found = found.filter(kind=kind)
    if object_name:
        found = found.filter(object_name=object_name)
    return found.order_by("language", "object_name", "field_name", "kind", "value", "id")


def english_text(*, kind: str, object_name: str, field_name: str, value: str = "") -> str | None:
    """The English text a translation stands for, or None when there is no such label."""
    if kind == PICKLIST_VALUE:
        return (
            PicklistValue.objects.filter(object_name=object_name, field_name=field_name, api_name=value)
            .values_list("label", flat=True)
            .first()
        )
    definition = FieldDefinition.objects.filter(object_name=object_name, api_name=field_name).first()
    if definition is None:
        return None
    return definition.label if kind == FIELD_LABEL else definition.help_text or None


def _clean(*, kind: str, object_name: str, field_name: str, value: str, language: str, text: str) -> dict:
    errors: dict[str, list[str]] = {}
    if language not in dict(translatable_languages()):
        errors["language"] = [gettext("Choose Spanish or French.")]
    if kind not in KINDS:
        errors["kind"] = [gettext("Choose picklist value, field label or help text.")]
    elif kind != PICKLIST_VALUE and value:
        errors["value"] = [gettext("Only a picklist value names a value.")]
    elif english_text(kind=kind, object_name=object_name, field_name=field_name, value=value) is None:
        errors["field" if kind != PICKLIST_VALUE else "value"] = [gettext("There is no such label to translate.")]
    elif len(text) > MAX_LENGTH[kind]:
        errors["text"] = [gettext("Use at most %(max)d characters.") % {"max": MAX_LENGTH[kind]}]
    return errors


@transaction.atomic
def label_translation_save(
    *, kind: str, object_name: str, field_name: str, value: str = "", language: str, text: str, acting_user: User
) -> LabelTranslation | None:
    """Save the translation of one label into one language (insert or update in one statement, so
    that two admins saving at once end with one row). A blank text removes the translation: the
    label is then shown as the catalogs or the admin wrote it. Answers the row, or None."""
    require_setup_admin(acting_user)
    object_name, field_name, value = (object_name or "").strip(), (field_name or "").strip(), (value or "").strip()
    text = " ".join((text or "").split()) if kind != HELP_TEXT else (text or "").strip()
    if kind == PICKLIST_VALUE:
        object_name = translation_object(object_name, field_name)
    errors = _clean(
        kind=kind, object_name=object_name, field_name=field_name, value=value, language=language, text=text
    )
    if errors:
        raise ValidationError(errors)
    key = {"object_name": object_name, "field_name": field_name, "value": value, "kind": kind, "language": language}
    forget_translations(language)
    if not text:
        LabelTranslation.objects.filter(**key).delete()
        return None
    LabelTranslation.objects.bulk_create(
        [LabelTranslation(**key, text=text, updated_by=acting_user, updated_at=timezone.now())],
        update_conflicts=True,
        unique_fields=list(key),
        update_fields=["text", "updated_by", "updated_at"],
    )
    return LabelTranslation.objects.get(**key)


@transaction.atomic
def label_translations_save(*, language: str, changes: dict[str, str], acting_user: User) -> int:
    """Save several translations of the Translations page at once (``{row key: text}``); answers
    how many were saved or removed. Raises ``ValidationError`` keyed by row key."""
    require_setup_admin(acting_user)
    errors: dict[str, list[str]] = {}
    for row_key, text in changes.items():
        kind, _sep, rest = row_key.partition("|")
        object_name, _sep, rest = rest.partition("|")
        field_name, _sep, value = rest.partition("|")
        try:
            label_translation_save(
                kind=kind,
                object_name=object_name,
                field_name=field_name,
                value=value,
                language=language,
                text=text,
                acting_user=acting_user,
            )
        except ValidationError as exc:
            errors[row_key] = exc.messages
    if errors:
        raise ValidationError(errors)
    return len(changes)


@transaction.atomic
def label_translation_delete(*, label_translation: LabelTranslation, acting_user: User) -> None:
    require_setup_admin(acting_user)
    forget_translations(label_translation.language)
    LabelTranslation.objects.filter(pk=label_translation.pk).delete()


def label_translations_drop(*, object_name: str, field_name: str, value: str | None = None) -> int:
    """Remove the translations of a deleted label, in the caller's transaction: of one picklist
    value (``value``: its API name), or of a whole field (``value`` None: its label, its help text and
    its picklist values). Left behind, they would come back on a later value or field of the same
    name. Answers how many were removed."""
    if value is not None:
        rows = LabelTranslation.objects.filter(
            kind=PICKLIST_VALUE,
            object_name=translation_object(object_name, field_name),
            field_name=field_name,
            value=value,
        )
    else:
        # A value set shared with other objects keeps its values' translations.
        kinds = [FIELD_LABEL, HELP_TEXT]
        if translation_object(object_name, field_name) == object_name:
            kinds.append(PICKLIST_VALUE)
        rows = LabelTranslation.objects.filter(object_name=object_name, field_name=field_name, kind__in=kinds)
    languages = set(rows.values_list("language", flat=True))
    removed, _by_model = rows.delete()
    for language in languages:
        forget_translations(language)
    return removed
