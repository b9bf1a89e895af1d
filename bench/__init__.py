"""Benchmarks (figures, not tests). Run `python -m bench <name>`; `make bench` runs them all."""
