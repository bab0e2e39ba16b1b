from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = "Programmes and assessments"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from framework.models import FrozenWhenInUse

        from .services.rating_form import outline_cache_clear

        # A framework row written in this process: forget the outlines read so far.
        for model in self.apps.get_app_config("framework").get_models():
            if issubclass(model, FrozenWhenInUse):
                post_save.connect(outline_cache_clear, sender=model, weak=False)
                post_delete.connect(outline_cache_clear, sender=model, weak=False)
