from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Reports"

    def ready(self):
        from assessments.services.sealing import held_policy_register
        from assessments.signals import (
            leader_erasing,
            programme_closed,
            programme_purging,
            responses_resealed,
        )

        from .receivers import (
            reports_after_close,
            reports_erase_for_leader,
            reports_fail_unrendered,
        )
        from .versions import held_assessments, versions_follow_reseal

        # Responses sealed after a leader's first release wait until they can join safely.
        held_policy_register(held_assessments)
        responses_resealed.connect(versions_follow_reseal, weak=False)
        # Each app erases, purges and follows a close for its own data (reports/receivers.py).
        leader_erasing.connect(reports_erase_for_leader, weak=False)
        programme_purging.connect(reports_fail_unrendered, weak=False)
        programme_closed.connect(reports_after_close, weak=False)
