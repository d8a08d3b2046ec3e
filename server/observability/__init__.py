"""What a running Sigap shows its operators: Prometheus metrics (/metrics), OpenTelemetry traces,
JSON logs with request ids, liveness and readiness, and a graceful shutdown."""
