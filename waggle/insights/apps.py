from django.apps import AppConfig


class InsightsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "waggle.insights"
    label = "insights"
    verbose_name = "Insights"
