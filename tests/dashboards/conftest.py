import importlib

import pytest
from django.apps import apps

from tests.seeding import put_back_lead_fields


@pytest.fixture(autouse=True)
def seeded(request):
    """The lead fields and the role dashboards seeded by migration (a transactional test flushes
    them; they are put back when missing)."""
    if not put_back_lead_fields(request):
        return
    from dashboards.models import Dashboard

    if not Dashboard.objects.exists():
        importlib.import_module("dashboards.migrations.0002_seed_role_dashboards").seed(apps, None)
        importlib.import_module("dashboards.migrations.0003_marketing_mqls").seed(apps, None)
        importlib.import_module("dashboards.migrations.0004_marketing_conversion_trend").seed(apps, None)


@pytest.fixture
def private_sharing(db):
    from core.models import OrgSettings

    OrgSettings.objects.update_or_create(pk=1, defaults={"lead_access": OrgSettings.LeadAccess.PRIVATE})
