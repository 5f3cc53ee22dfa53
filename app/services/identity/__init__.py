"""VNeID identity accounts: levels, life cycle, sign-in checks and one-time codes."""
