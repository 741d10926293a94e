"""Benchmark of the portal: a data generator and load scenarios (see bench/README.md)."""
