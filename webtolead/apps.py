from django.apps import AppConfig


class WebtoleadConfig(AppConfig):
    name = "webtolead"
