"""Events: the transactional outbox, its relay to in-process handlers, replay of dead letters."""
