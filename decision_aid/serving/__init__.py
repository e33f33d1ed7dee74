"""Serving: settings, Flask extensions, error pages, headers, health check, PDF rendering."""
