from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data for trying the app; it sits above every other app and imports them."""

    name = "demo"
