"""System checks for settings that a production deployment must give."""

import os

from django.conf import settings
from django.core.checks import Warning, register


@register()
def site_url_check(app_configs, **kwargs) -> list[Warning]:
    """Links in emails start with ``SITE_URL``; left unset in production they point at the
    development address, which the people who receive them cannot open."""
    if settings.DEBUG or os.environ.get("SITE_URL", "").strip():
        return []
    return [
        Warning(
            "SITE_URL is not set, so links in emails point to " + settings.SITE_URL + ".",
            hint="Set the SITE_URL environment variable to the address people open the app at, "
            "e.g. https://crm.example.com.",
            id="core.W001",
        )
    ]
