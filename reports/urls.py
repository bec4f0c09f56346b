from django.urls import path

from . import builder_views, views

urlpatterns = [
    path("", views.report_list, name="list"),
    path("builder/new/", builder_views.builder_new, name="builder_new"),
    path("builder/preview/", builder_views.builder_preview, name="builder_preview"),
    path("saved/<int:pk>/", builder_views.saved_report_run, name="saved"),
    path("saved/<int:pk>/edit/", builder_views.builder_edit, name="builder_edit"),
    path("saved/<int:pk>/export.csv", builder_views.saved_report_export, name="saved_export"),
    path("<slug:key>/", views.report_detail, name="detail"),
    path("<slug:key>/export.csv", views.report_export, name="export"),
]
