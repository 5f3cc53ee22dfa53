"""Digital procedures: the engine and one module per procedure type."""
