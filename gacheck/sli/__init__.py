"""SLI arithmetic shared by the Prometheus gate kinds: breaches, alert history, PromQL."""
