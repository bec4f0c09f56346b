"""Accent- and case-insensitive matching, for the global search and the lead list search.

A value and a query are compared after the same normalisation: accents removed, upper case,
whitespace collapsed. On PostgreSQL the column side is ``UPPER(crm_unaccent(col))`` (an immutable
wrapper of the ``unaccent`` extension, created by the search app's first migration together with
expression indexes that serve a prefix ``LIKE``); on SQLite, the embedded default, the same Python
function is registered on each connection.
"""

import re
import unicodedata

from django.db.models import Func, TextField

# Letters that Unicode does not decompose into a base letter and an accent, spelled as
# PostgreSQL's unaccent rules spell them.
_SPECIAL = str.maketrans(
    {
        "ß": "ss",
        "ẞ": "SS",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "ø": "o",
        "Ø": "O",
        "đ": "d",
        "Đ": "D",
        "ł": "l",
        "Ł": "L",
        "þ": "th",
        "Þ": "TH",
        "ı": "i",
    }
)
PHONE_QUERY = re.compile(r"^[\d\s()+./-]+$")
MIN_LENGTH = 2
MAX_LENGTH = 100


def unaccent(text: str) -> str:
    if text.isascii():
        return text  # nothing to decompose or strip
    decomposed = unicodedata.normalize("NFKD", text.translate(_SPECIAL))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def normalize(text: str | None) -> str:
    """The form in which a query and a value are compared: "  Zoë  Ångström " -> "ZOE ANGSTROM"."""
    if not text:
        return ""
    return " ".join(unaccent(text).upper().split())


def digits(text: str | None) -> str:
    return re.sub(r"\D", "", text or "")


def phone_digits(query: str) -> str:
    """The digits to look for in phone numbers, or "" when the query is not a phone number."""
    if not PHONE_QUERY.match(query):
        return ""
    found = digits(query)
    return found if len(found) >= 3 else ""


class Normalized(Func):
    """``UPPER(crm_unaccent(col))``: the expression of the search indexes."""

    output_field = TextField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="UPPER(crm_unaccent(%(expressions)s))", **extra_context)

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="crm_normalize(%(expressions)s)", **extra_context)


class Digits(Func):
    """The digits of a phone number, as ``regexp_replace(col, '[^0-9]', '', 'g')`` (indexed)."""

    output_field = TextField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler, connection, template="regexp_replace(%(expressions)s, '[^0-9]', '', 'g')", **extra_context
        )

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="crm_digits(%(expressions)s)", **extra_context)


def register_sqlite_functions(sender=None, connection=None, **kwargs) -> None:
    """Give a SQLite connection the functions the search expressions call."""
    if connection is None or connection.vendor != "sqlite":
        return
    connection.connection.create_function("crm_normalize", 1, normalize, deterministic=True)
    connection.connection.create_function("crm_digits", 1, digits, deterministic=True)
