"""Prosecution: charging decisions, custody time limits, case readiness and the CPS outcome measures."""
