"""The build stage: corpus/ in, one SQLite database out. Only this package writes SQL."""
