"""How many documents hold each value of each JSON list column (topics, keywords, cited laws …),
counted once at build time.

The documents table page shows these as facets on every visit; counted live over 100k documents
the topics facet alone took ~280 ms (past Datasette's facet time limit) even from a covering
index. The site's list facet (datasette_plugins/retskilde_facets.py) reads this table for the
unfiltered table and counts live only for a filtered one.
"""

from __future__ import annotations

from retskilde.db.sqlite import sqlite3
from retskilde.db.tables import LIST_COLUMNS, LIST_COUNTS_TABLE


def fill_list_counts(conn: sqlite3.Connection) -> None:
    """(Re)count every value of every JSON list column of documents."""
    conn.execute(
        f"create table if not exists {LIST_COUNTS_TABLE} (list text not null, value text not "
        "null, documents integer not null, primary key (list, value)) without rowid"
    )
    conn.execute(f"delete from {LIST_COUNTS_TABLE}")
    present = {row[1] for row in conn.execute("select * from pragma_table_info('documents')")}
    for column in LIST_COLUMNS:
        if column not in present:
            continue
        # count(distinct): a list that names a value twice still counts the document once.
        conn.execute(
            f"insert into {LIST_COUNTS_TABLE} select ?, j.value, count(distinct d.rowid) "
            f"from documents d, json_each(d.{column}) j where j.type = 'text' group by j.value",
            (column,),
        )
