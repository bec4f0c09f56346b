from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "dashboards"
    verbose_name = "Dashboards"

    def ready(self) -> None:
        from reports.selectors import REPORTS

        from .reports import AUTO_RESPONSE_DELIVERY, CONVERSION_TREND, MQLS, SCORE_DISTRIBUTION

        # The standard reports are a dictionary keyed by report: adding one makes it a report like
        # the others (its page, CSV, API and drill-down), usable as a dashboard component.
        for spec in (AUTO_RESPONSE_DELIVERY, CONVERSION_TREND, SCORE_DISTRIBUTION, MQLS):
            REPORTS.setdefault(spec.key, spec)
