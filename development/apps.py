from django.apps import AppConfig


class DevelopmentConfig(AppConfig):
    name = "development"
    verbose_name = "Debrief and development plans"

    def ready(self):
        # Registers the plan_review_reminder email with the one email builder.
        from assessments.signals import demo_leader_released

        from . import emails  # noqa: F401
        from .demo import demo_debrief_and_plan

        demo_leader_released.connect(demo_debrief_and_plan, weak=False)
