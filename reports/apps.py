from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Reports"

    def ready(self):
        from assessments.services.sealing import held_policy_register
        from assessments.signals import responses_resealed

        from .versions import held_assessments, versions_follow_reseal

        # Responses sealed after a leader's first release wait until they can join safely.
        held_policy_register(held_assessments)
        responses_resealed.connect(versions_follow_reseal, weak=False)
