"""The national population database: synthetic citizens, look-ups, verification and the audit trail."""
