"""Webhooks on the deliveries framework: the consumer that plans one delivery per matching event
per endpoint, and the sender that POSTs it signed."""
