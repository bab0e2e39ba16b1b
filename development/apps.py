from django.apps import AppConfig


class DevelopmentConfig(AppConfig):
    name = "development"
    verbose_name = "Debrief and development plans"

    def ready(self):
        # Registers the plan_review_reminder email with the one email builder.
        from . import emails  # noqa: F401
