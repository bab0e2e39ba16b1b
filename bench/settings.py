"""Settings the benchmark serves and renders with: the base settings, as production runs them.

DEBUG off, persistent database connections, Redis as broker and cache, Celery tasks sent to
real workers; and one extra URL, the minimal baseline view (``bench.urls``), so production
code is untouched. No TLS on loopback, so no SSL redirect or secure-only cookies. Report
tasks go to a queue of the benchmark's own (``BENCH_REPORTS_QUEUE``), so a test worker on
the same Redis database never takes a benchmark's job, nor a benchmark worker a test's.
"""

from config.settings.base import *  # noqa: F403
from config.settings.base import env

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/lpc360_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"

DEBUG = False
ALLOWED_HOSTS = ["localhost", "127.0.0.1", "testserver"]
ROOT_URLCONF = "bench.urls"

DATABASES = {"default": env.db("DATABASE_URL", default=DEFAULT_DATABASE_URL)}
# As config.settings.production: connections kept between requests.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

REDIS_URL = env("REDIS_URL", default=DEFAULT_REDIS_URL)
CACHES = {"default": {"BACKEND": "config.cache.RedisCache", "LOCATION": REDIS_URL}}
CELERY_BROKER_URL = REDIS_URL
CELERY_TASK_ALWAYS_EAGER = False
BENCH_REPORTS_QUEUE = env("BENCH_REPORTS_QUEUE", default="bench-reports")
CELERY_TASK_ROUTES = {"reports.tasks.*": {"queue": BENCH_REPORTS_QUEUE}}

MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media" / "bench")  # noqa: F405
LOGGING["root"]["level"] = env("LOG_LEVEL", default="WARNING")  # noqa: F405

# In the benchmark's Celery worker: each child appends "pid rss_kib cpu_seconds" after every
# task, so the memory and the CPU time of one worker process can be followed over hundreds
# of consecutive renders.
BENCH_RSS_LOG = env("BENCH_RSS_LOG", default="")


def _rss_record(**kwargs):
    import os
    import time

    from bench.processes import rss_kib

    with open(BENCH_RSS_LOG, "a") as log:
        log.write(f"{os.getpid()} {rss_kib()} {time.process_time():.3f}\n")


if BENCH_RSS_LOG:
    from celery.signals import task_postrun

    task_postrun.connect(_rss_record, weak=False)
