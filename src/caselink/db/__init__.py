"""Database layer: engine and sessions, the embedded PostgreSQL, migrations."""
