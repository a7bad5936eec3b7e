"""The command line."""

from modelatlas.cli.app import app, main

__all__ = ["app", "main"]
