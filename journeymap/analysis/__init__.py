"""Analyses: pure functions of a journey (and its graph) returning findings and metrics."""
