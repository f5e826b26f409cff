"""Integration tests of the exchange: the log store on SQLite and PostgreSQL."""
