"""Audit: an append-only, hash-chained record of every read of person-level data, every search
and every write. ``service.record(db, actor, action, ...)`` from any service; auditors search it."""
