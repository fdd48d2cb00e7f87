"""Sharing: API clients' subscriptions, signed webhooks, the event feed and each person's sharing log."""
