from django.urls import path

from . import views

urlpatterns = [
    path("", views.report_list, name="list"),
    path("<slug:key>/", views.report_detail, name="detail"),
    path("<slug:key>/export.csv", views.report_export, name="export"),
]
