"""VNeID Sandbox: synthetic VNeID identity accounts, population database and digital procedures."""

__version__ = "0.2.0"
