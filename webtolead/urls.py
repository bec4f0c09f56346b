from django.urls import path

from . import views

app_name = "webtolead"

urlpatterns = [
    path("web-to-lead/", views.submit, name="submit"),
    # The action of a form moved from Salesforce, once only its host changed.
    path("servlet/servlet.WebToLead", views.submit, name="submit_salesforce"),
    path("web-to-lead/token/", views.token, name="token"),
    path("web-to-lead/thanks/", views.thanks, name="thanks"),
    path("setup/web-to-lead/", views.form_list, name="form_list"),
    path("setup/web-to-lead/settings/", views.settings_edit, name="settings"),
    path("setup/web-to-lead/new/", views.form_create, name="form_create"),
    path("setup/web-to-lead/<int:pk>/", views.form_detail, name="form_detail"),
    path("setup/web-to-lead/<int:pk>/edit/", views.form_edit, name="form_edit"),
    path("setup/web-to-lead/<int:pk>/preview/", views.form_preview, name="form_preview"),
    path("setup/web-to-lead/intake/", views.intake_list_view, name="intake_list"),
    path("setup/web-to-lead/intake/backfill/", views.intake_backfill, name="intake_backfill"),
    path("setup/web-to-lead/intake/<int:pk>/", views.intake_detail, name="intake_detail"),
    path("setup/web-to-lead/intake/<int:pk>/replay/", views.intake_replay, name="intake_replay"),
]
