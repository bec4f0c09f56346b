"""Fixtures for the setup pages: a usage provider registered for the duration of a test."""

import pytest

from core import registry


@pytest.fixture
def picklist_usage():
    """Mark values as used by a rule: ``picklist_usage.add(value, "Assignment rule “West”")``."""

    class Usage:
        def __init__(self):
            self.places: dict[int, list[str]] = {}

        def add(self, value, place: str) -> None:
            self.places.setdefault(value.pk, []).append(place)

        def __call__(self, value) -> list[str]:
            return list(self.places.get(value.pk, []))

    usage = Usage()
    registry.register_picklist_usage(usage)
    yield usage
    registry._usage_providers.remove(usage)
