"""The routes: ``api`` (JSON under ``/api/v1``) and ``pages`` (the dashboard)."""
