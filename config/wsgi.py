import os

from django.core.wsgi import get_wsgi_application

from config.log_filters import redact_server_logs

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

application = get_wsgi_application()
# gunicorn's access log writes every path, rater links included: take the tokens out.
redact_server_logs()
