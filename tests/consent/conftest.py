"""Fixtures of the consent tests: those of the Web-to-Lead tests (settings with a creator, a form,
a poster, and rows processed at once)."""

from tests.webtolead.conftest import (  # noqa: F401
    _process_stored_rows_at_once,
    creator,
    fields_for,
    lead_metadata,
    w2l_settings,
    web_form,
)
