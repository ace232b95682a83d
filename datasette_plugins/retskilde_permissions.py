"""Datasette's table permission rules read once per table instead of on every page.

To find a table's `allow` rules Datasette 0.65 deep-copies the whole metadata (here with the
dashboards' configuration) several times per table page: ~1.8 ms of CPU per check, three
checks per document page, which made a document page cost more than a search
(bench/bench_load.py). The public site's metadata is fixed while it runs (metadata.yml, no
plugin supplies metadata), so the rules are kept per database and table, and looked up again
if the metadata object is replaced.
"""

from datasette import hookimpl

_KEPT = 1024


@hookimpl
def startup(datasette):
    read_rules = datasette._table_permission_allows
    known: dict[tuple, tuple] = {}

    def table_permission_allows(database, table):
        key = (id(datasette._metadata_local), database, table)
        rules = known.get(key)
        if rules is None:
            if len(known) >= _KEPT:
                known.clear()
            rules = known[key] = tuple(read_rules(database, table))
        return list(rules)

    datasette._table_permission_allows = table_permission_allows
