"""Labels stored in the database, shown in the user's language.

A picklist value's label, a field's label and its help text are shown, in order of preference:
the translation an admin saved for the user's language (``LabelTranslation``, the Translations
setup page or ``/api/translations/``); the catalog's translation of a seeded label (each object's
fields module marks them); the label as written.

An admin's translations of a language are read as one dictionary: from the process's snapshot
(renewed every ``LOCAL_SECONDS``), else the shared cache (Redis, behind its circuit breaker), else
the database. Saving or deleting a translation drops the language's entry from both at once, and
again when the transaction commits; another process sees it within ``LOCAL_SECONDS``.
"""

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils.translation import get_language, gettext

from .memo import SharedConfig, forget_shared, memoized
from .picklist_values import GLOBAL_VALUE_SETS

PICKLIST_VALUE, FIELD_LABEL, HELP_TEXT = "picklist_value", "field_label", "help_text"
LOCAL_SECONDS = 5
CACHE_SECONDS = 3600
_LOCAL = SharedConfig(ttl=LOCAL_SECONDS)
SOURCE_LANGUAGE = "en"


def translatable_languages() -> list[tuple[str, str]]:
    """The languages admins translate labels into: every language offered except English."""
    return [(code, name) for code, name in settings.LANGUAGES if code != SOURCE_LANGUAGE]


def _language(language: str | None) -> str:
    code = (language or get_language() or "").split("-")[0].lower()
    return code if code in dict(translatable_languages()) else ""


def translation_object(object_name: str, field_name: str) -> str:
    """The object a picklist's translations are kept under: a value set shared by several objects
    (lead source) is translated once, under its first object."""
    shared = GLOBAL_VALUE_SETS.get(field_name, ())
    return shared[0] if object_name in shared else object_name


def _cache_key(language: str) -> str:
    return f"label-translations:{language}"


def _read(language: str) -> dict[tuple[str, str, str, str], str]:
    from .models import LabelTranslation

    key = _cache_key(language)
    found = cache.get(key)
    if found is None:
        found = {
            (kind, object_name, field_name, value): text
            for kind, object_name, field_name, value, text in LabelTranslation.objects.filter(
                language=language
            ).values_list("kind", "object_name", "field_name", "value", "text")
        }
        cache.set(key, found, CACHE_SECONDS)
    return found


def admin_translations(language: str | None = None) -> dict[tuple[str, str, str, str], str]:
    """``{(kind, object, field, value): text}`` of the admins' translations into ``language`` (the
    active language by default); empty for English."""
    code = _language(language)
    if not code:
        return {}
    with _LOCAL.scope():
        return memoized(("label_translations", code), lambda: _read(code))


def forget_translations(language: str) -> None:
    """Drop the cached translations of ``language`` now and when the transaction commits (a
    reader in between may have cached what it saw)."""

    def forget() -> None:
        cache.delete(_cache_key(language))
        forget_shared()

    forget()
    transaction.on_commit(forget)


def admin_translation(kind: str, object_name: str, field_name: str, value: str = "") -> str:
    """The admin's translation of one label into the active language, or ""."""
    if not object_name:
        return ""
    if kind == PICKLIST_VALUE:
        object_name = translation_object(object_name, field_name)
    return admin_translations().get((kind, object_name, field_name, value or ""), "")


def picklist_label(label: str, *, object_name: str = "", field_name: str = "", api_name: str = "") -> str:
    """A picklist value's label in the user's language: the admin's translation of the value,
    else the catalog's translation of a seeded label, else the label as written."""
    translated = admin_translation(PICKLIST_VALUE, object_name, field_name, api_name) if api_name else ""
    if translated:
        return translated
    return gettext(label) if label else label


def picklist_value_label(value) -> str:
    """``picklist_label`` of a ``PicklistValue`` row."""
    return picklist_label(
        value.label, object_name=value.object_name, field_name=value.field_name, api_name=value.api_name
    )
