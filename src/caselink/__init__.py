"""Caselink: one case management system for the criminal justice journey in England and Wales."""

__version__ = "0.1.0"
