"""Test support shipped with the sandbox for integrators: a pytest plugin giving each test its own world."""
