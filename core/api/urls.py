from django.urls import path

from . import views

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="api-token"),
    path("picklists/", views.PicklistView.as_view(), name="api-picklists"),
]
