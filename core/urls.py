"""Core pages. ``account_urlpatterns`` (home, login, logout) keep their plain names; the setup
pages live in the ``core`` namespace."""

from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

account_urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]

urlpatterns: list = []
