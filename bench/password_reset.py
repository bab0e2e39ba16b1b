"""Password reset: does asking for a known address take longer than an unknown one?

    python -m bench.password_reset [--rounds 100]

Timing that differs tells an attacker which addresses have accounts. This posts the form
for a known and an unknown address in turn, ``rounds`` times each, through the whole
middleware stack with the benchmark's settings (PostgreSQL, Redis as broker: tasks are
sent, not run), and prints the median of each and their ratio. Not a test: figures
depend on the machine; docs/performance.md and the issue notes quote them.

The database is its own (BENCH_DATABASE_URL, made afresh); the limits are lifted so that
every request does the full work.
"""

import argparse
import os
import statistics
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=100)
    args = parser.parse_args()

    from bench.database import DatabaseURL, database_recreate

    url = os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/lpc360_bench_reset"
    )
    database_recreate(DatabaseURL.parse(url))
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    os.environ["PASSWORD_RESET_EMAIL_LIMIT"] = "1000000"  # noqa: S105 (a limit, not a secret)
    os.environ["PASSWORD_RESET_ADDRESS_LIMIT"] = "1000000"  # noqa: S105

    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0, interactive=False)
    from accounts.models import User

    User.objects.create_user(email="known@example.nhs.uk", password="x" * 20, full_name="K")
    client = Client()
    client.get("/accounts/password-reset/")  # warm up templates and connections
    timings: dict[str, list[float]] = {"known": [], "unknown": []}
    answers: dict[str, set] = {"known": set(), "unknown": set()}
    for n in range(args.rounds):
        for kind, email in (
            ("known", "known@example.nhs.uk"),
            ("unknown", f"nobody{n}@example.nhs.uk"),
        ):
            start = time.perf_counter()
            response = client.post("/accounts/password-reset/", {"email": email})
            timings[kind].append(time.perf_counter() - start)
            answers[kind].add((response.status_code, response.get("Location")))
    known = statistics.median(timings["known"]) * 1000
    unknown = statistics.median(timings["unknown"]) * 1000
    print(
        f"password reset, median of {args.rounds}: known {known:.1f} ms, unknown {unknown:.1f} ms"
    )
    print(
        f"known / unknown: {known / unknown:.2f}; answers {answers['known']} / {answers['unknown']}"
    )


if __name__ == "__main__":
    main()
