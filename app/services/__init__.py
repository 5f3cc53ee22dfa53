"""Business rules, one module (or package) per capability."""
