"""Events: the envelope, the transactional outbox and its relay, durable consumers with an inbox."""
