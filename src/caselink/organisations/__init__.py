"""Agencies, their units (forces, courts, CPS areas, prisons, probation regions and delivery units), teams."""
