"""Thin HTTP adapters, one module per API area: parse, call a service, shape the response."""
