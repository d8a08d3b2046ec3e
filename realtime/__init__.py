"""Live events: the outbox rules, the bus between processes, the relay that publishes committed
events, and the per-process hub that delivers them in id order. Imports only `models`."""
