"""Requests against the production settings, run in a process of its own.

test_production_headers.py starts this with DJANGO_SETTINGS_MODULE=config.settings.production
and a production environment; it prints, as JSON, what a browser would receive. The only
thing changed from production is the static files storage: the manifest it reads is made by
``collectstatic`` when the image is built, and no header depends on it.
"""

import json
import os
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client, override_settings  # noqa: E402

HOST = os.environ["ALLOWED_HOSTS"].split(",")[0]
ORIGIN = f"https://{HOST}"
PASSWORD = "correct horse battery staple"


def cookie_attributes(response) -> dict:
    return {
        name: {
            "value": morsel.value,
            "secure": bool(morsel["secure"]),
            "httponly": bool(morsel["httponly"]),
            "samesite": morsel["samesite"],
            "path": morsel["path"],
            "domain": morsel["domain"],
            "max-age": str(morsel["max-age"]),
        }
        for name, morsel in response.cookies.items()
    }


def seen(label, response) -> dict:
    return {
        "label": label,
        "status": response.status_code,
        "headers": dict(response.headers),
        "cookies": cookie_attributes(response),
        "body": response.content.decode(errors="replace")[:20000],
    }


def real_rater_link() -> str:
    from tests.assessments.rating.builders import invite
    from tests.factories import AssessmentFactory

    call_command("load_framework", verbosity=0)
    from framework.models import Framework

    assessment = AssessmentFactory(programme__framework=Framework.objects.get())
    _, token = invite(assessment)
    return token


def main():
    from accounts.models import User

    call_command("migrate", verbosity=0)
    User.objects.create_user(email="lee@example.nhs.uk", password=PASSWORD, full_name="Lee")
    browser = Client(HTTP_HOST=HOST, enforce_csrf_checks=True)
    out = [seen("plain http", browser.get("/accounts/login/", secure=False))]

    login_page = browser.get("/accounts/login/", secure=True)
    out.append(seen("login page", login_page))
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page.content.decode())
    signed_in = browser.post(
        "/accounts/login/",
        {"username": "lee@example.nhs.uk", "password": PASSWORD, "csrfmiddlewaretoken": csrf[1]},
        secure=True,
        HTTP_ORIGIN=ORIGIN,
    )
    out.append(seen("login post", signed_in))
    out.append(seen("signed-in page", browser.get("/my/", secure=True)))
    out.append(seen("home, signed in", browser.get("/", secure=True)))
    anonymous = Client(HTTP_HOST=HOST)
    out.append(seen("home", anonymous.get("/", secure=True)))
    out.append(seen("unknown rater link", anonymous.get(f"/feedback/{'A' * 43}/", secure=True)))
    token = real_rater_link()
    rater = Client(HTTP_HOST=HOST)
    out.append(seen("rater link", rater.get(f"/feedback/{token}/", secure=True)))
    out.append(seen("rater start", rater.post(f"/feedback/{token}/", secure=True)))
    out.append(seen("rater form", rater.get("/feedback/form/", secure=True, follow=True)))
    out.append(seen("admin login", anonymous.get("/admin/login/", secure=True)))
    out.append(seen("not found", anonymous.get("/nowhere/", secure=True)))
    report = {
        "debug": settings.DEBUG,
        "backends": settings.AUTHENTICATION_BACKENDS,
        "axes": [
            settings.AXES_ENABLED,
            settings.AXES_FAILURE_LIMIT,
            settings.AXES_COOLOFF_TIME.seconds,
        ],
        "responses": out,
    }
    print(json.dumps(report))


if __name__ == "__main__":
    # The one change from production: see the docstring.
    static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    with override_settings(STORAGES={**settings.STORAGES, "staticfiles": static}):
        main()
