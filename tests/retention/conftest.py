"""The audit tests' people and data (tests/audit/conftest.py), for the retention tests."""

from tests.audit.conftest import assessment, facilitator, other_admin, rater  # noqa: F401
