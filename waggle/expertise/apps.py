from django.apps import AppConfig


class ExpertiseConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "waggle.expertise"
    label = "expertise"
    verbose_name = "Expertise"
