from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("django-admin/", admin.site.urls),
    path("api/", include("leadcrm.api_urls")),
    path("", include("core.urls")),
    path("leads/", include(("leads.urls", "leads"))),
    path("", include(("conversion.urls", "conversion"))),
    path("", include(("sales.urls", "sales"))),
    path("", include(("emails.urls", "emails"))),
    path("", include(("webtolead.urls", "webtolead"))),
]
