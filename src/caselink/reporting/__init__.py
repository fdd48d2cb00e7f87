"""Reporting: aggregate measures, dashboards and their downloads."""
