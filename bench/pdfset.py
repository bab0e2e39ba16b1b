"""A leader's full PDF set, this code against an older commit's, alternated (issue 15 item 8).

    git worktree add --detach /work/wt-pdfold aeb47ec && ln -s $PWD/.venv /work/wt-pdfold/.venv
    python -m bench.pdfset --old /work/wt-pdfold --runs 7

Each tree gets a worker process of its own (``python bench/pdfset.py --worker --tree T``,
this file run with the tree's code first on the path) over its own SQLite database holding
the demo (``load_demo``, made once in ``--data``). The workers render the demo leader's
PDFs (Alex Morgan, the closed cohort) one run each in turn, after a warm-up run: the new
code its full set (``leader_set_render``: summary + 4 themes) where it has one, the old
code its 4 theme reports (``theme_report_content`` + ``pdf_render``, as its task did).
Prints wall and CPU min/median per run, the ratio new/old, pages and resident memory after
each run (flat RSS: the last run's against the first's).
"""

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

LEADER = "Alex Morgan"
PROGRAMME = "Demo cohort 1 (closed)"


def _rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def worker(tree: Path, db: Path, programme: str) -> None:
    os.chdir(tree)
    sys.path[0] = str(tree)  # not bench/ of this tree: the tree's own code
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
    os.environ.pop("REDIS_URL", None)
    os.environ["MEDIA_ROOT"] = str(db.parent / (db.stem + "-media"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from assessments.models import Assessment

    found = Assessment.objects.filter(programme__name=programme, leader__full_name=LEADER)
    if not found.exists():
        call_command("load_demo", verbosity=0, stdout=io.StringIO())
    assessment = found.select_related("programme__framework", "leader").get()
    from reports.pdf import pdf_render

    try:
        from reports.summary import leader_set_render
    except ImportError:
        leader_set_render = None

    def render() -> list[tuple[str, bytes]]:
        if leader_set_render is not None:
            return leader_set_render(assessment=assessment)
        from reports.report_context import THEME_REPORT_TEMPLATE, theme_report_content

        parts = []
        for theme in assessment.programme.framework.themes.order_by("order"):
            content = theme_report_content(assessment=assessment, theme=theme)
            parts.append(
                (
                    theme.name,
                    pdf_render(template_name=THEME_REPORT_TEMPLATE, context=content.context),
                )
            )
        return parts

    from pypdf import PdfReader

    print(json.dumps({"ready": True, "pid": os.getpid()}), flush=True)
    for line in sys.stdin:
        if line.strip() != "run":
            break
        wall, cpu = time.perf_counter(), time.process_time()
        parts = render()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        pages = [len(PdfReader(io.BytesIO(pdf)).pages) for _, pdf in parts]
        print(
            json.dumps(
                {"wall": wall, "cpu": cpu, "rss_kib": _rss_kib(), "pages": pages,
                 "bytes": sum(len(pdf) for _, pdf in parts), "parts": [n for n, _ in parts]}
            ),
            flush=True,
        )  # fmt: skip


class Worker:
    def __init__(self, name: str, tree: Path, data: Path, programme: str):
        data.mkdir(parents=True, exist_ok=True)
        self.name = name
        python = tree / ".venv" / "bin" / "python"
        self.process = subprocess.Popen(  # noqa: S603 — our own interpreter and script
            [str(python), str(Path(__file__).resolve()), "--worker", "--tree", str(tree),
             "--db", str(data / f"{name}.sqlite3"), "--programme", programme],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=tree,
        )  # fmt: skip
        self._read()

    def _read(self) -> dict:
        while line := self.process.stdout.readline():
            if line.startswith("{"):
                return json.loads(line)
        raise RuntimeError(f"The {self.name} worker stopped.")

    def run(self) -> dict:
        self.process.stdin.write("run\n")
        self.process.stdin.flush()
        return self._read()

    def stop(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=30)


def compare(*, old: Path, new: Path, data: Path, runs: int, programme: str) -> dict:
    workers = {
        "old": Worker("old", old, data, programme),
        "new": Worker("new", new, data, programme),
    }
    try:
        results = {name: [] for name in workers}
        warm = {name: w.run() for name, w in workers.items()}  # warm-up: fonts, CSS, caches
        for index in range(runs):
            order = ("old", "new") if index % 2 == 0 else ("new", "old")  # cancel drift
            for name in order:
                results[name].append(workers[name].run())
    finally:
        for w in workers.values():
            w.stop()
    summary = {}
    for name, series in results.items():
        walls, cpus = [r["wall"] for r in series], [r["cpu"] for r in series]
        summary[name] = {
            "parts": series[0]["parts"],
            "pages": series[0]["pages"],
            "bytes": series[0]["bytes"],
            "wall_min": min(walls), "wall_median": statistics.median(walls),
            "cpu_min": min(cpus), "cpu_median": statistics.median(cpus),
            "rss_mib_warm": warm[name]["rss_kib"] / 1024,
            "rss_mib_first": series[0]["rss_kib"] / 1024,
            "rss_mib_last": series[-1]["rss_kib"] / 1024,
        }  # fmt: skip
    for key in ("wall_min", "wall_median", "cpu_min", "cpu_median"):
        summary[f"ratio_{key}"] = summary["new"][key] / summary["old"][key]
    summary["runs"] = runs
    summary["load"] = os.getloadavg()
    return summary


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--worker", action="store_true")
    parser.add_argument("--tree", type=Path)
    parser.add_argument("--db", type=Path)
    parser.add_argument("--old", type=Path, default=Path("/work/wt-pdfold"))
    data = Path(__file__).parent / "results" / "pdfset.tmp"  # ignored by git
    parser.add_argument("--data", type=Path, default=data)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--programme", default=PROGRAMME)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.tree.resolve(), args.db.resolve(), args.programme)
        return
    new = Path(__file__).resolve().parent.parent
    result = compare(
        old=args.old.resolve(), new=new, data=args.data.resolve(), runs=args.runs,
        programme=args.programme,
    )  # fmt: skip
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
