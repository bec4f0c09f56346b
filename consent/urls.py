from django.urls import path

from . import views

urlpatterns = [
    path("u/<str:token>/", views.preferences_view, name="preferences"),
    path("u/<str:token>/one-click/", views.one_click_view, name="one_click"),
    path("confirm/<str:token>/", views.confirm_view, name="confirm"),
    path("leads/<int:lead_pk>/record/", views.lead_record_view, name="lead_record"),
    path("leads/<int:lead_pk>/export/", views.lead_export_view, name="lead_export"),
    path("leads/<int:lead_pk>/erase/", views.lead_erase_view, name="lead_erase"),
    path("setup/", views.consent_setup_view, name="setup"),
    path("setup/forms/<int:form_pk>/", views.form_consent_view, name="form_consent"),
]
