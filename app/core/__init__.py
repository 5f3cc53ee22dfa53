"""Cross-cutting infrastructure: settings, database, errors, keys, clock and logging."""
