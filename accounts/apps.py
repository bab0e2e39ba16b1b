from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "People and roles"

    def ready(self):
        from . import (
            backends,  # noqa: F401 (connects the sign-in failure counter)
            delivery,  # noqa: F401 (registers the Notify templates check)
        )
