"""Fixtures of the engagement tests: the Web-to-Lead form and poster of the Web-to-Lead tests, a
visible lead, and a helper that drains the stored tracking requests as a worker would."""

import pytest

from engagement import services
from tests.factories import LeadFactory
from tests.webtolead.conftest import (  # noqa: F401 (fixtures)
    _fast_passwords,
    _process_stored_rows_at_once,
    creator,
    fields_for,
    lead_metadata,
    w2l_settings,
    web_form,
)

VISITOR = "visitor0123456789abcdef"


@pytest.fixture(autouse=True)
def _fresh_tracking_snapshot():
    """Each test reads the tracking settings afresh, not a snapshot of an earlier test's."""
    services.tracking.PUBLIC_CONFIG.forget()
    services.DRAIN.reset()
    yield
    services.tracking.PUBLIC_CONFIG.forget()


@pytest.fixture
def lead(rep):
    return LeadFactory(owner_user=rep, email="grace@hopper.example", first_name="Grace", last_name="Hopper")


@pytest.fixture
def page_view():
    """A page view as the tracking script sends it."""

    def _body(**overrides):
        data = {
            "type": "page_view",
            "vid": VISITOR,
            "url": "https://www.example.com/pricing?utm_source=news&utm_campaign=spring",
            "title": "Pricing",
            "referrer": "https://search.example/",
            "utm": {"utm_source": "news", "utm_campaign": "spring"},
        }
        data.update(overrides)
        return data

    return _body
