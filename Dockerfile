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
# psycopg2 built from source against Debian's libpq, as its maintainers advise for
# production (the binary wheel bundles its own libpq and OpenSSL, which apt does not
# update). The quick start keeps the wheel. The compiler is removed in the same layer.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpq5 libpq-dev gcc libc6-dev \
    && pip install -c constraints.txt --no-binary psycopg2-binary . \
    && apt-get purge -y --auto-remove libpq-dev gcc libc6-dev \
    && rm -rf /var/lib/apt/lists/* \
    && python -c "import pathlib, psycopg2; site = pathlib.Path(psycopg2.__file__).parents[1]; \
assert not list(site.glob('psycopg2_binary.libs')), 'the binary wheel was installed'"
COPY --chown=lpc360:lpc360 . .
# collectstatic needs settings that pass the production checks; these values go nowhere.
RUN SECRET_KEY=build-only-$(python -c "import secrets;print(secrets.token_urlsafe(50))") \
    ALLOWED_HOSTS=build DEBUG=false python manage.py collectstatic --noinput -v0
USER lpc360
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "120", \
     "--access-logfile", "-"]
