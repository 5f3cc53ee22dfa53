"""The RFC 9457 problem document, defined with the error handling in app/core/problem.py."""

from app.core.problem import Problem

__all__ = ["Problem"]
