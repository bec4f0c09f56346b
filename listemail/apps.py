from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ListEmailConfig(AppConfig):
    name = "listemail"
    verbose_name = _("List email")
