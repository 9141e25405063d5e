"""Benchmarks of KPI Portal at province scale: `make bench SCALE=5000 MONTHS=3`."""
