"""Dagster definitions for econ-indicators: a thin layer over the `econ_indicators` library."""
