from django.apps import AppConfig


class ConversionConfig(AppConfig):
    name = "conversion"
    verbose_name = "Lead conversion"

    def ready(self) -> None:
        from core.roles import MARKETING_ADMIN, SALES_REP, grant

        # Reps convert leads they may edit (checked by the service); admins configure the mapping.
        grant(SALES_REP, "conversion.view_leadconversion", "conversion.add_leadconversion")
        grant(
            MARKETING_ADMIN,
            "conversion.view_leadconversion",
            "conversion.add_leadconversion",
            "conversion.view_leadfieldmapping",
            "conversion.add_leadfieldmapping",
            "conversion.change_leadfieldmapping",
            "conversion.delete_leadfieldmapping",
        )
