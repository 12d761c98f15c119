"""Benchmarks of the reader's speed and size budgets (issue #7): `python -m bench` (see
bench/__main__.py). Not part of the installed package and never run by the test suite."""
