"""The search's normalisation lives in ``core.normalize`` (the lead list search uses it too)."""

from core.normalize import (  # noqa: F401  (re-exported)
    MAX_LENGTH,
    MIN_LENGTH,
    PHONE_QUERY,
    Digits,
    Normalized,
    digits,
    normalize,
    phone_digits,
    register_sqlite_functions,
    unaccent,
)
