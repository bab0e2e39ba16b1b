# One image for web, worker and beat (the command differs).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production

RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation2 curl \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 1000 lpc360
WORKDIR /app
COPY pyproject.toml constraints.txt README.md ./
RUN pip install -c constraints.txt .
COPY --chown=lpc360:lpc360 . .
# collectstatic needs settings that pass the production checks; these values go nowhere.
RUN SECRET_KEY=build-only-$(python -c "import secrets;print(secrets.token_urlsafe(50))") \
    ALLOWED_HOSTS=build DEBUG=false python manage.py collectstatic --noinput -v0
USER lpc360
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "120", \
     "--access-logfile", "-"]
