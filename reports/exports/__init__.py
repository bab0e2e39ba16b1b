"""Cohort exports: a programme's results for its admins, as CSV (zip), XLSX or PDF.

``rows`` takes every figure from the leaders' aggregation results (PRODUCT.md, promise 7:
every export obeys the same rules as the reports), ``cohort`` adds them up across leaders
where at least k leaders contribute, ``tabular`` writes spreadsheets safe from formula
injection, ``cohort_pdf`` draws the PDF, and ``services`` runs an export's lifecycle
(requested, built by a Celery task with progress, downloaded, expired).
"""
