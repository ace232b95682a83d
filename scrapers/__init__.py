"""Scrapers: fetch sources politely, parse pages into Document records, write them to corpus/."""
