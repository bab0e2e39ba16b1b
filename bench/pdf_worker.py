"""The PDF measurements, in a fresh process of their own (as a Celery worker child would be).

    python -m bench.pdf_worker --assessments 1,2,3 --renders 200 --pairs 30 --out result.json

1. Comparison: one realistic theme report (the longest theme) rendered through the real
   path the task takes (``theme_report_content`` then ``pdf_render``), alternating with
   the renderer laying out that report's saved HTML (``pdf_from_html``: the same parser,
   stylesheets, fonts and URL fetcher; no data work, no template), ``--pairs`` times each.
2. Single render: ``--renders`` consecutive theme reports across the given assessments and
   every theme, the time of each (what the end-to-end part's ideal rate is built from),
   with the resident set size after each and the peak at the end.
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("--assessments", required=True)
    parser.add_argument("--renders", type=int, default=200)
    parser.add_argument("--pairs", type=int, default=30)
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    result = measure(
        assessment_ids=[int(x) for x in args.assessments.split(",")],
        renders=args.renders,
        pairs=args.pairs,
    )
    Path(args.out).write_text(json.dumps(result))


def measure(*, assessment_ids, renders: int, pairs: int) -> dict:
    from django.db.models import Count
    from django.template.loader import render_to_string

    from assessments.models import Assessment
    from bench.processes import peak_rss_kib, rss_kib
    from reports.pdf import pdf_from_html, pdf_render
    from reports.report_context import THEME_REPORT_TEMPLATE, theme_report_content

    started_rss = rss_kib()
    assessments = list(
        Assessment.objects.select_related("programme__framework", "leader").filter(
            pk__in=assessment_ids
        )
    )
    themes = list(
        assessments[0]
        .programme.framework.themes.annotate(size=Count("qualities__statements"))
        .order_by("order")
    )
    longest = max(themes, key=lambda t: (t.size, -t.order))

    def real(assessment, theme):
        content = theme_report_content(assessment=assessment, theme=theme)
        return pdf_render(template_name=THEME_REPORT_TEMPLATE, context=content.context)

    subject = assessments[0]
    html = render_to_string(
        THEME_REPORT_TEMPLATE, theme_report_content(assessment=subject, theme=longest).context
    )

    def static():
        return pdf_from_html(html)

    real_pdf, static_pdf = real(subject, longest), static()  # warm-up, and the two outputs
    real_times, static_times, data_times = [], [], []
    for index in range(pairs):
        order = (("real", "static"), ("static", "real"))[index % 2]  # cancel drift
        for kind in order:
            begin = time.perf_counter()
            if kind == "real":
                content = theme_report_content(assessment=subject, theme=longest)
                data_times.append(time.perf_counter() - begin)
                pdf_render(template_name=THEME_REPORT_TEMPLATE, context=content.context)
                real_times.append(time.perf_counter() - begin)
            else:
                static()
                static_times.append(time.perf_counter() - begin)

    series_times, series_cpu, series_rss = [], [], []
    for index in range(renders):
        assessment = assessments[(index // len(themes)) % len(assessments)]
        theme = themes[index % len(themes)]
        begin, cpu = time.perf_counter(), time.process_time()
        real(assessment, theme)
        series_times.append(time.perf_counter() - begin)
        series_cpu.append(time.process_time() - cpu)
        series_rss.append(rss_kib())
    return {
        "pid": os.getpid(),
        "theme": longest.slug,
        "theme_statements": longest.size,
        "assessment_id": subject.pk,
        "html_bytes": len(html.encode()),
        "pages_real": _pages(real_pdf),
        "pages_static": _pages(static_pdf),
        "pdf_bytes_real": len(real_pdf),
        "pdf_bytes_static": len(static_pdf),
        "real_s": real_times,
        "static_s": static_times,
        "data_s": data_times,
        "series_s": series_times,
        "series_cpu_s": series_cpu,
        "series_rss_kib": series_rss,
        "rss_before_kib": started_rss,
        "peak_rss_kib": peak_rss_kib(),
    }


def _pages(pdf: bytes) -> int | None:
    try:
        from io import BytesIO

        from pypdf import PdfReader
    except ImportError:
        return None
    return len(PdfReader(BytesIO(pdf)).pages)


if __name__ == "__main__":
    main()
