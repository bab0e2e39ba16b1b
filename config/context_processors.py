from django.conf import settings
from django.utils.functional import SimpleLazyObject


def _staff_roles(user):
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name__in=["Programme admin", "Facilitator"]).exists()


def site(request):
    user = getattr(request, "user", None)
    return {
        "SITE_NAME": settings.SITE_NAME,
        # Only evaluated (one query) by pages that draw the menu for a signed-in person.
        "runs_programmes": SimpleLazyObject(lambda: user is not None and _staff_roles(user)),
    }
