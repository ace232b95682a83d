"""The enrichment on the document page: outcome, topics and why, law and decision references."""

from datasette import hookimpl

KIND_LABELS = {"cites": "henviser til", "replaces": "erstatter", "replaced_by": "er erstattet af"}

_TOPICS = """
select t.label, dt.rule, dt.evidence
  from document_topics dt join topics t on t.id = dt.topic_id
 where dt.document_id = :id order by t.label
"""
_LAWS = """
select r.canonical, r.law_id, l.short_name, r.paragraph, count(*) as times
  from law_references r left join laws l on l.id = r.law_id
 where r.document_id = :id
 group by r.canonical order by min(coalesce(r.position, 1e9))
"""
_CITES = """
select c.cited_number, c.kind, c.cited_id, d.title
  from citations c left join documents d on d.id = c.cited_id
 where c.citing_id = :id order by c.kind != 'replaces', c.cited_number
"""
_CITED_BY = """
select c.citing_id, c.kind, d.title, d.number
  from citations c join documents d on d.id = c.citing_id
 where c.cited_id = :id order by d.date desc, c.citing_id
"""
_MUNICIPALITIES = """
select municipality, mentions from document_municipalities
 where document_id = :id order by municipality
"""


@hookimpl
def extra_template_vars(datasette, database, table):
    async def enrichment(document_id):
        if table != "documents" or not database:
            return None
        db = datasette.get_database(database)
        if not await db.table_exists("document_topics"):
            return None
        params = {"id": document_id}

        def read(conn):
            # One trip to Datasette's database thread for the five lists, not five.
            def rows(sql):
                cursor = conn.execute(sql, params)
                names = [column[0] for column in cursor.description]
                return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

            return {
                "topics": rows(_TOPICS),
                "laws": rows(_LAWS),
                "citations": rows(_CITES),
                "cited_by": rows(_CITED_BY),
                "municipalities": rows(_MUNICIPALITIES),
            }

        found = await db.execute_fn(read)
        for row in (*found["citations"], *found["cited_by"]):
            row["kind_label"] = KIND_LABELS.get(row["kind"], row["kind"])
        return found

    return {"enrichment": enrichment}
