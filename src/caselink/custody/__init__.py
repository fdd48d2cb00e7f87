"""Custody: receptions, movements, sentence calculation and release."""
