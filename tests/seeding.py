"""The lead fields and picklists seeded by migration, put back after a transactional test flushed
them (the flush empties every table, the migrations' rows included)."""

import importlib

import pytest
from django.apps import apps


def seed_fields(*app_labels: str) -> None:
    """Seed again the fields and picklists that each app's migration 0002 seeds."""
    for label in app_labels:
        importlib.import_module(f"{label}.migrations.0002_seed_fields_and_picklists").seed(apps, None)


def put_back_lead_fields(request) -> bool:
    """Seed the lead fields and picklists again if they are missing; answers whether the test uses
    the database (the database fixture it asks for is set up first)."""
    marker = request.node.get_closest_marker("django_db")
    if not marker:
        return False
    request.getfixturevalue("transactional_db" if marker.kwargs.get("transaction") else "db")
    from core.models import FieldDefinition

    if not FieldDefinition.objects.filter(object_name="lead", api_name="rating").exists():
        seed_fields("leads")
    return True


@pytest.fixture(autouse=True)
def lead_fields(request):
    """Autouse in the conftests that import it."""
    put_back_lead_fields(request)
