"""The prefetching path of ``assessment_reports``: on PostgreSQL outside a transaction the
next chunk's queries run on a second connection while the current chunk is built. Its
reports must be those of the serial path, in order."""

import threading

import pytest
from django.db import connection, transaction

from reports.aggregation import assessment_report, assessment_reports, build
from reports.aggregation.disclosure import memo_clear
from tests.reports.test_aggregation_batch import _loaded, batch_cohorts  # noqa: F401

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the second connection is PostgreSQL only"
)


@pytest.mark.django_db(transaction=True)
def test_prefetched_chunks_give_the_serial_reports(framework, batch_cohorts, monkeypatch):  # noqa: F811
    alone = [assessment_report(assessment=a) for a in _loaded(batch_cohorts)]
    memo_clear()
    monkeypatch.setattr(build, "CHUNK", 3)  # several chunks from the small cohorts
    threads = []
    fetched = build._fetched

    def watched(**kwargs):
        threads.append(threading.current_thread().name)
        return fetched(**kwargs)

    monkeypatch.setattr(build, "_fetched", watched)

    batch = list(assessment_reports(assessments=_loaded(batch_cohorts)))

    assert [r.assessment_id for r in batch] == batch_cohorts
    assert batch == alone
    chunks = -(-len(batch_cohorts) // 3)
    assert len(threads) == chunks > 1
    assert all(name.startswith("aggregation-prefetch") for name in threads)


@pytest.mark.django_db(transaction=True)
def test_inside_a_transaction_the_chunks_are_read_on_this_connection(framework, batch_cohorts):  # noqa: F811
    assert build._prefetch_allowed()
    with transaction.atomic():
        assert not build._prefetch_allowed()
