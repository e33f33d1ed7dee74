"""Storage: the database engine and sessions, the typed models, migrations and the data CLI."""
