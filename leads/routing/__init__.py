"""Lead routing: queues, lead assignment rules, round-robin and the lead settings."""
