from django.apps import AppConfig


class NhsukConfig(AppConfig):
    """The NHS.UK crispy-forms template pack ("nhsuk"): its templates, the ``nhsuk_forms``
    tag library and the form fields the NHS.UK patterns need (fields.py)."""

    name = "nhsuk"
    verbose_name = "NHS.UK form pack"
