"""The benchmark suite: ``python -m bench.run [--smoke]`` (``make bench``, ``make bench-smoke``).

Every figure is measured against a baseline taken in the same run on the same machine, and
written with the absolute numbers to ``bench/results/``. See ``docs/performance.md``.
"""
