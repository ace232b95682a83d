"""A facet over the JSON list columns of `documents` (topics, cited_laws, keywords …) that stays
fast with many documents: `facets: - liste: topics` in metadata.yml, `?_facet_liste=` in a URL.

Datasette's own array facet removes repeated items by making every (item, row) pair distinct
over all the row's columns, the whole text included: at 100k documents one such facet took 1 to
over 3 seconds and always hit the facet time limit, so the table page spent 0.8 s on facets it
could not show. The build writes every list without repeats, so here the items are counted
straight from (row, item) pairs, read from a covering index on the column (db/schema.py).
Choosing a value filters with Datasette's own `<column>__arraycontains=`. The unfiltered table
reads the counts the build stored (db/listcounts.py): ~280 ms for topics at 100k documents, live.
"""

from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.facets import Facet
from datasette.utils import (
    escape_sqlite,
    path_with_added_args,
    path_with_removed_args,
)

from retskilde.db.tables import LIST_COLUMNS, LIST_COUNTS_TABLE


class ListFacet(Facet):
    type = "liste"

    async def _whole_table_counted(self) -> bool:
        """The whole documents table is shown, and the build stored its list counts."""
        unfiltered = self.table == "documents" and self.sql.rstrip().endswith(
            f"from {escape_sqlite(self.table)}"
        )
        return unfiltered and await self.ds.get_database(self.database).table_exists(
            LIST_COUNTS_TABLE
        )

    async def facet_results(self):
        results, timed_out = [], []
        size = self.get_facet_size()
        chosen = self.get_querystring_pairs()
        stored = await self._whole_table_counted()
        for item in self.get_configs():
            column = item["config"].get("column") or item["config"]["simple"]
            if stored and column in LIST_COLUMNS:  # the columns the build counts
                sql = (
                    f"select value, documents as count from {LIST_COUNTS_TABLE} "
                    f"where list = :rs_list order by count desc, value limit {size + 1}"
                )
                params = {"rs_list": column}
            else:
                sql = (
                    f"with rows as ({self.sql}) "
                    f"select j.value as value, count(*) as count "
                    f"from rows, json_each(rows.{escape_sqlite(column)}) j "
                    f"group by j.value order by count desc, value limit {size + 1}"
                )
                params = self.params
            try:
                rows = await self.ds.execute(
                    self.database,
                    sql,
                    params,
                    truncate=False,
                    custom_time_limit=self.ds.setting("facet_time_limit_ms"),
                )
            except QueryInterrupted:
                timed_out.append(column)
                continue
            values = []
            for row in rows.rows[:size]:
                value = str(row["value"])
                pair = {f"{column}__arraycontains": value}
                selected = (f"{column}__arraycontains", value) in chosen
                path = (path_with_removed_args if selected else path_with_added_args)(
                    self.request, pair
                )
                values.append(
                    {
                        "value": value,
                        "label": value,
                        "count": row["count"],
                        "toggle_url": self.ds.absolute_url(self.request, path),
                        "selected": selected,
                    }
                )
            results.append(
                {
                    "name": column,
                    "type": self.type,
                    "results": values,
                    "hideable": item["source"] != "metadata",
                    "toggle_url": self.ds.urls.path(
                        path_with_removed_args(self.request, {f"_facet_{self.type}": column})
                    ),
                    "truncated": len(rows.rows) > size,
                }
            )
        return results, timed_out


@hookimpl
def register_facet_classes():
    return [ListFacet]
