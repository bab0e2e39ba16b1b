"""Fixtures shared by the security tests."""
