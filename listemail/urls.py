from django.urls import path

from . import views

urlpatterns = [
    path("", views.list_email_list_view, name="list"),
    path("new/", views.list_email_new_view, name="new"),
    path("<int:pk>/", views.list_email_detail_view, name="detail"),
]
