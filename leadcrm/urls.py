from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.i18n import JavaScriptCatalog

from core.health import healthz, readyz
from core.metrics import metrics_view
from core.urls import account_urlpatterns
from dashboards.views import home

from .system_health import system_health

urlpatterns = [
    # The JavaScript catalog: gettext() for the scripts under static/js, in the request's language.
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    # The public Web-to-Lead endpoint is the busiest URL: it is resolved first.
    path("", include(("webtolead.urls", "webtolead"))),
    # The public tracking script and endpoints (/t/...), as busy: resolved next.
    path("", include(("engagement.urls", "engagement"))),
    # Browsers ask for /favicon.ico on every site, whatever the page's link tags say.
    path("favicon.ico", RedirectView.as_view(url=static("favicon.ico"), permanent=True)),
    # Probes (also answered by core.health.ProbeMiddleware before the host check) and metrics.
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("metrics", metrics_view, name="metrics"),
    path("setup/system-health/", system_health, name="system_health"),
    path("django-admin/", admin.site.urls),
    path("api/", include("leadcrm.api_urls")),
    path("", home, name="home"),
    path("", include(account_urlpatterns)),
    path("", include(("core.urls", "core"))),
    path("", include(("users.urls", "users"))),
    path("leads/", include(("leads.urls", "leads"))),
    path("", include(("conversion.urls", "conversion"))),
    path("", include(("sales.urls", "sales"))),
    path("", include(("emails.urls", "emails"))),
    path("campaigns/", include(("campaigns.urls", "campaigns"))),
    path("consent/", include(("consent.urls", "consent"))),
    path("list-emails/", include(("listemail.urls", "listemail"))),
    path("activities/", include(("activities.urls", "activities"))),
    path("", include(("scoring.urls", "scoring"))),
    path("reports/", include(("reports.urls", "reports"))),
    path("dashboards/", include(("dashboards.urls", "dashboards"))),
    path("", include(("sla.urls", "sla"))),
    path("setup/nurture-sequences/", include(("nurture.urls", "nurture"))),
    path("duplicates/", include("dedupe.urls")),
    path("", include(("search.urls", "search"))),
    path("setup/webhooks/", include(("webhooks.urls", "webhooks"))),
    path("setup/bulk-data-load-jobs/", include(("bulk.urls", "bulk"))),
]
