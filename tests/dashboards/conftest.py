import importlib

import pytest
from django.apps import apps


@pytest.fixture(autouse=True)
def seeded(request):
    """The lead fields and the role dashboards seeded by migration (a transactional test flushes
    them; they are put back when missing)."""
    marker = request.node.get_closest_marker("django_db")
    if not marker:
        return
    request.getfixturevalue("transactional_db" if marker.kwargs.get("transaction") else "db")
    from core.models import FieldDefinition
    from dashboards.models import Dashboard

    if not FieldDefinition.objects.filter(object_name="lead", api_name="rating").exists():
        importlib.import_module("leads.migrations.0002_seed_fields_and_picklists").seed(apps, None)
    if not Dashboard.objects.exists():
        importlib.import_module("dashboards.migrations.0002_seed_role_dashboards").seed(apps, None)
        importlib.import_module("dashboards.migrations.0003_marketing_mqls").seed(apps, None)
        importlib.import_module("dashboards.migrations.0004_marketing_conversion_trend").seed(apps, None)


@pytest.fixture
def private_sharing(db):
    from core.models import OrgSettings

    OrgSettings.objects.update_or_create(pk=1, defaults={"lead_access": OrgSettings.LeadAccess.PRIVATE})
