"""The transactional outbox: side effects of domain changes, delivered at least once."""
