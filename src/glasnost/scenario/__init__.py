"""Scenario data: the built-in catalog of missile types (and, later, whole scenarios)."""
