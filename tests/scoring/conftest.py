"""Fixtures of the scoring tests: a default scoring model with a fit rule and a behaviour rule."""

import pytest

from core.models import PicklistValue
from core.rules import services as rule_services
from scoring import services
from tests.factories import LeadFactory
from tests.seeding import lead_fields  # noqa: F401  (autouse)


@pytest.fixture(autouse=True)
def _fresh_compiled_rules():
    """Compiled rules are cached by rule id and version, which a rolled-back test may repeat."""
    rule_services._cache.clear()
    yield
    rule_services._cache.clear()


@pytest.fixture
def model(marketing_admin):
    model = services.scoring_model_create(
        data={"name": "Main", "fit_weight": 50, "behaviour_weight": 50, "decay_half_life_days": 0},
        acting_user=marketing_admin,
    )
    services.fit_rule_create(
        model=model,
        data={
            "label": "Based in Berlin",
            "points": 80,
            "criteria": [{"field": "city", "operator": "equals", "value": "Berlin"}],
        },
        acting_user=marketing_admin,
    )
    services.behaviour_rule_create(
        model=model,
        data={"label": "Pricing visits", "event_type": "page_view", "url_pattern": "/pricing", "points": 10},
        acting_user=marketing_admin,
    )
    model.refresh_from_db()
    return model


@pytest.fixture
def lead(rep):
    return LeadFactory(owner_user=rep, city="Berlin", email="ada@lovelace.example")


MQL = "Marketing Qualified"


def mql_status():
    """The Lead Status value of the MQL hand-off (a transactional test flushed the seeded one)."""
    PicklistValue.objects.get_or_create(
        object_name="lead", field_name="status", api_name=MQL, defaults={"label": MQL, "sort_order": 3}
    )


@pytest.fixture
def visits_model(marketing_admin):
    """Behaviour only: each pricing visit gives 30 points; MQL at 60, re-armed below 40."""
    mql_status()
    model = services.scoring_model_create(
        data={
            "name": "Visits",
            "fit_weight": 0,
            "behaviour_weight": 100,
            "decay_half_life_days": 0,
            "mql_threshold": 60,
            "mql_hysteresis": 20,
            "mql_status": MQL,
            "mql_notify_owner": True,
        },
        acting_user=marketing_admin,
    )
    services.behaviour_rule_create(
        model=model,
        data={"event_type": "page_view", "url_pattern": "/pricing", "points": 30},
        acting_user=marketing_admin,
    )
    model.refresh_from_db()
    return model
