"""The composed message's own layer: what the exporters, the handbook, the lint and delivery
share about a message without importing one another (today: its route)."""
