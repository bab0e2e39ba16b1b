"""The benchmark suite: ``python -m bench.run [--smoke]`` (or ``python bench/run.py``).

Makes its PostgreSQL database afresh (the name must contain "bench"; BENCH_DATABASE_URL, or
DATABASE_URL when it names such a database, else postgres://postgres@127.0.0.1:5432/
lpc360_bench), generates the cohorts, then measures the web pages, queries, aggregation,
PDFs and the Celery pipeline, each against a baseline taken in the same run. Prints one
table and writes the figures to bench/results/latest.json (smoke: smoke.json). Exits 1 when
a part could not be measured, 2 when PostgreSQL or Redis is missing; a figure that misses
its target is reported, not an error.
"""

import argparse
import os
import platform
import shutil
import signal
import sys
import tempfile
import time
import traceback
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
if str(BASE_DIR) not in sys.path:
    sys.path.insert(0, str(BASE_DIR))

from bench import figures as fig  # noqa: E402
from bench.database import (  # noqa: E402
    DEFAULT_URL,
    DatabaseRefused,
    DatabaseURL,
    database_prepare,
    database_recreate,
    server_answers,
)
from bench.processes import Children  # noqa: E402

RESULTS_DIR = BASE_DIR / "bench" / "results"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"
QUEUE = "bench-reports"


@dataclass(frozen=True)
class Sizes:
    leaders: int  # the closed cohort: aggregation, PDFs, end to end
    raters: int
    small: tuple[int, int]  # (leaders, raters) of the open cohorts the queries compare
    large: tuple[int, int]
    web_seconds: float  # per run of a scenario; every scenario runs fig.RUNS times
    web_warmup: float
    web_max_requests: int
    pdf_renders: int  # consecutive renders across themes: the single-render time
    pdf_pairs: int  # real and static renders of one report, alternated
    e2e_leaders: int  # 4 theme reports each; each of the 2 workers renders half
    profile_assessments: int
    pdf_timeout: float
    e2e_timeout: float  # a cap; the wait is 3 x the ideal duration within it
    aggregation_profile: int = 250  # assessments profiled when aggregation misses its target


FULL = Sizes(1000, 12, (20, 5), (2000, 40), 2.5, 0.5, 200_000, 20, 10, 100, 20, 600.0, 600.0)
SMOKE = Sizes(12, 12, (6, 5), (12, 12), 0.4, 0.1, 20_000, 4, 1, 3, 2, 180.0, 180.0, 4)
PART_KEYS = {
    "generate": ["generate.cohort"],
    "queries": [k for k in fig.FIGURE_KEYS if k.startswith("queries.")],
    "web": [k for k in fig.FIGURE_KEYS if k.startswith("web.")],
    "aggregation": ["aggregation.all_assessments"],
    "pdf": ["pdf.theme_render"],
    "e2e": ["e2e.parallel", "pdf.memory"],
}


def database_url() -> str:
    if os.environ.get("BENCH_DATABASE_URL"):
        return os.environ["BENCH_DATABASE_URL"]
    url = os.environ.get("DATABASE_URL", "")
    return url if "bench" in url.rsplit("/", 1)[-1] else DEFAULT_URL


def redis_answers(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_timeout=2).ping())
    except redis.RedisError:
        return False


class Run:
    """One run: its cohorts, figures and the time each part took."""

    def __init__(self, sizes: Sizes, children: Children, redis_url: str, parts=tuple(PART_KEYS)):
        self.sizes, self.children, self.redis_url = sizes, children, redis_url
        self.parts = parts
        self.figures: dict[str, fig.Figure] = {}
        self.part_seconds: dict[str, float] = {}
        self.load: dict[str, list[float]] = {}  # 1-minute load average before and after
        self.cohorts: dict = {}
        self.single_render_s: float | None = None
        self.single_render_cpu_s: float | None = None

    def part(self, name: str, action) -> None:
        print(f"[bench] {name} ...", flush=True)
        self.load[name] = [round(os.getloadavg()[0], 2)]
        started = time.monotonic()
        try:
            for figure in action() or []:
                self.figures[figure.key] = figure
        except Exception as error:
            detail = f"{type(error).__name__}: {error}"
            print(f"[bench] {name} failed: {detail}\n{traceback.format_exc()}", flush=True)
            for key in PART_KEYS[name]:
                if key not in self.figures:
                    self.figures[key] = fig.Figure.failed(key, key, detail[:2000])
        self.part_seconds[name] = round(time.monotonic() - started, 2)
        self.load[name].append(round(os.getloadavg()[0], 2))
        print(f"[bench] {name} done in {self.part_seconds[name]:.1f} s", flush=True)

    def needs(self, *names):
        missing = [n for n in names if n not in self.cohorts]
        if missing:
            raise RuntimeError(f"No {', '.join(missing)} cohort (its generation failed).")
        return [self.cohorts[n] for n in names]

    # The parts.

    def generate(self):
        from bench.generate import cohort_make, generate_measure

        s = self.sizes
        figure, self.cohorts["closed"] = generate_measure(
            leaders=s.leaders, raters=s.raters, seed=1
        )
        for name, (leaders, raters), seed in (("small", s.small, 2), ("large", s.large, 3)):
            if not {"queries", "web"} & set(self.parts):
                break  # only the queries and web parts use the open cohorts
            self.cohorts[name] = cohort_make(
                leaders=leaders, raters=raters, state="open", seed=seed, submitted_share=0.5
            )
            figure.details[f"{name}_open_cohort_s"] = round(self.cohorts[name].seconds, 2)
        _vacuum()
        figure.details["ratings_table"] = _table_size("assessments_rating")
        return [figure]

    def queries(self):
        from bench.queries import page_counts, queries_figures
        from bench.web import _largest_theme_slug

        small, large = self.needs("small", "large")
        slug = _largest_theme_slug()
        labels = [
            f"{c.counts['leaders']:,} leaders x {c.counts['raters_per_leader']} raters"
            for c in (small, large)
        ]
        return queries_figures(
            page_counts(small, theme_slug=slug, repeats=self.sizes.profile_assessments),
            page_counts(large, theme_slug=slug, repeats=self.sizes.profile_assessments),
            small_label=labels[0],
            large_label=labels[1],
        )

    def web(self):
        from bench.web import web_measure

        (large,) = self.needs("large")
        s = self.sizes
        return web_measure(
            children=self.children,
            cohort=large,
            duration=s.web_seconds,
            warmup=s.web_warmup,
            max_requests=s.web_max_requests,
        )

    def aggregation(self):
        from bench.aggregation import aggregation_measure

        (closed,) = self.needs("closed")
        return [aggregation_measure(cohort=closed, profile_size=self.sizes.aggregation_profile)]

    def pdf(self):
        from bench.pdf import pdf_measure

        (closed,) = self.needs("closed")
        s = self.sizes
        figures, self.single_render_s, self.single_render_cpu_s = pdf_measure(
            children=self.children,
            cohort=closed,
            renders=s.pdf_renders,
            pairs=s.pdf_pairs,
            timeout=s.pdf_timeout,
        )
        return figures

    def e2e(self):
        from bench.e2e import e2e_measure

        (closed,) = self.needs("closed")
        if self.single_render_s is None:
            raise RuntimeError("No single-render time: the PDF part did not run.")
        return e2e_measure(
            children=self.children,
            cohort=closed,
            leaders=self.sizes.e2e_leaders,
            single_render_s=self.single_render_s,
            single_render_cpu_s=self.single_render_cpu_s,
            redis_url=self.redis_url,
            queue=QUEUE,
            timeout=self.sizes.e2e_timeout,
        )


def _uptime() -> str:
    """The machine's load as ``uptime`` prints it: 1, 5 and 15-minute averages, and CPUs."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f} on {os.cpu_count()} CPUs"


def _vacuum():
    """Settle the tables after the bulk loads, so autovacuum does not run during a measurement."""
    from django.db import connection

    with connection.cursor() as cursor:
        for table in ("assessments_rating", "assessments_response", "assessments_invitation"):
            cursor.execute(f"VACUUM ANALYZE {table}")


def _table_size(table: str) -> dict:
    """Rows (as of the last ANALYZE) and bytes of a table and its indexes, for estimates."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint, pg_relation_size(oid), pg_indexes_size(oid), "
            "pg_total_relation_size(oid) FROM pg_class WHERE oid = %s::regclass",
            [table],
        )
        rows, heap, indexes, total = cursor.fetchone()
    return {
        "rows": rows,
        "heap_mib": round(heap / 2**20, 1),
        "indexes_mib": round(indexes / 2**20, 1),
        "total_mib": round(total / 2**20, 1),
        "bytes_per_row": round(total / rows, 1) if rows else None,
    }


def machine(server_version: str, redis_url: str) -> dict:
    import django
    import redis
    import weasyprint

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = next(
        (
            line.split()[1]
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        "0",
    )
    try:
        redis_version = redis.Redis.from_url(redis_url).info("server")["redis_version"]
    except redis.RedisError:
        redis_version = None
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(int(memory) / 1024 / 1024, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "weasyprint": weasyprint.__version__,
        "postgresql": server_version,
        "redis": redis_version,
    }


def web_table(figures: list[fig.Figure]) -> str:
    rows = [("scenario", "req/s", "p50 ms", "p95 ms", "errors", "x baseline", "server CPU")]
    for f in figures:
        if not f.key.startswith("web.") or f.measured is None:
            continue
        d = f.details if f.key != "web.baseline" else f.details.get("first", {})
        rows.append(
            (
                f.label.removeprefix("Web: "),
                f"{f.measured:,.1f}",
                str(d.get("p50_ms", "-")),
                str(d.get("p95_ms", "-")),
                str(d.get("errors", "-")),
                "-" if f.ratio is None else f"{f.ratio:.2f}",
                f"{d.get('server_cpu_share_of_2_cores', 0):.0%} of 2 cores",
            )
        )
    if len(rows) == 1:
        return ""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="Tiny sizes: a check that it runs.")
    parser.add_argument("--output", type=Path, default=None)
    parser.add_argument("--parts", default=",".join(PART_KEYS), help="Comma-separated subset.")
    parser.add_argument("--keep-logs", action="store_true")
    args = parser.parse_args(argv)
    sizes = SMOKE if args.smoke else FULL
    output = args.output or RESULTS_DIR / ("smoke.json" if args.smoke else "latest.json")
    parts = [p for p in PART_KEYS if p in args.parts.split(",")]
    redis_url = os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL
    try:
        database = DatabaseURL.parse(database_url())
    except DatabaseRefused as error:
        print(f"bench: {error}", file=sys.stderr)
        return 2
    if not server_answers(database):
        print(
            f"bench: PostgreSQL does not answer at {database.host}:{database.port}.",
            file=sys.stderr,
        )
        return 2
    if not redis_answers(redis_url):
        print(f"bench: Redis does not answer at {redis_url} (set REDIS_URL).", file=sys.stderr)
        return 2

    work_dir = Path(tempfile.mkdtemp(prefix="lpc360-bench-"))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DATABASE_URL=database.url,
        REDIS_URL=redis_url,
        MEDIA_ROOT=str(work_dir / "media"),
        BENCH_REPORTS_QUEUE=QUEUE,
    )
    children = Children(work_dir)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started, started_at = time.monotonic(), datetime.now(UTC)
    load_before = round(os.getloadavg()[0], 2)
    uptime_before = _uptime()
    if load_before > 0.5:
        print(
            f"[bench] warning: the 1-minute load average is {load_before} before starting; "
            "other work on this machine will slow the measurements down.",
            flush=True,
        )
    print(f"[bench] {'smoke' if args.smoke else 'full'} run on {database.name}; logs in {work_dir}")
    print(f"[bench] load before: {uptime_before}", flush=True)
    run = Run(sizes, children, redis_url, parts)
    try:
        server_version = database_recreate(database)
        import django

        django.setup()
        database_prepare()
        run.part("generate", run.generate)
        for name in ("queries", "web", "aggregation", "pdf", "e2e"):
            if name in parts:
                run.part(name, getattr(run, name))
    finally:
        children.stop_all()

    ordered = [run.figures[k] for k in fig.FIGURE_KEYS if k in run.figures]
    document = {
        "suite": "LPC 360 benchmark",
        "mode": "smoke" if args.smoke else "full",
        "started_at": started_at.isoformat(timespec="seconds"),
        "duration_s": round(time.monotonic() - started, 1),
        "machine": machine(server_version, redis_url),
        "sizes": asdict(sizes),
        "part_seconds": run.part_seconds,
        "load_average_1min": {"before_run": load_before, **run.load},
        "uptime": {"before_run": uptime_before, "after_run": _uptime()},
        "summary": {
            "figures": len(ordered),
            "passed": sum(f.passed is True for f in ordered),
            "failed": sum(f.passed is False and not f.error for f in ordered),
            "errors": sum(bool(f.error) for f in ordered),
        },
        "figures": fig.figures_document(ordered),
    }
    fig.results_write(output, document)
    from bench.queries import side_by_side

    for title, text in (
        ("Web pages", web_table(ordered)),
        ("SQL queries per page", side_by_side(ordered)),
    ):
        if text:
            print(f"\n{title}\n{text}")
    print(f"\n{fig.table(ordered)}\n")
    ratios = fig.ratios_table(ordered, run.load)
    if ratios:
        print(f"Repeated and interleaved ({fig.RUNS} runs each; ratio = subject / baseline)")
        print(f"{ratios}\n")
    print(f"[bench] load before: {uptime_before}")
    print(f"[bench] load after:  {document['uptime']['after_run']}")
    print(f"[bench] {document['duration_s']:.0f} s; figures written to {output}")
    errors = document["summary"]["errors"]
    if errors or args.keep_logs:
        print(f"[bench] logs kept in {work_dir}")
    else:
        shutil.rmtree(work_dir, ignore_errors=True)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
