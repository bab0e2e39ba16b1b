from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = "Programmes and assessments"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from accounts.audit import audit_person_programmes_register
        from framework.models import FrozenWhenInUse, framework_usage_register

        from . import emails  # noqa: F401 (registers the emails about programmes and raters)
        from .audit import person_programme_ids
        from .models import framework_used_by_assessments
        from .services.rating_form import outline_cache_clear

        # A framework row written in this process: forget the outlines read so far.
        for model in self.apps.get_app_config("framework").get_models():
            if issubclass(model, FrozenWhenInUse):
                post_save.connect(outline_cache_clear, sender=model, weak=False)
                post_delete.connect(outline_cache_clear, sender=model, weak=False)
        # A framework version an assessment refers to is frozen.
        framework_usage_register(framework_used_by_assessments)
        # The audit log redacts a person in the events of the programmes they take part in.
        audit_person_programmes_register(person_programme_ids)
