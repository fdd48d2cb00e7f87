"""Cross-cutting services: errors, logging, access policy, audit, events, tasks, rule packs."""
