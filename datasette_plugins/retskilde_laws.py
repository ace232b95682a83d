"""The law page (/retskilde/laws/<id>): which of the law's paragraphs the documents apply, how
often, and the newest documents that refer to it, read from law_references."""

from datasette import hookimpl

NEWEST_SHOWN = 15

_PARAGRAPHS = """
select r.paragraph,
       count(distinct r.document_id) as documents,
       count(distinct case when d.doc_type = 'principmeddelelse' then d.id end) as decisions,
       max(d.date) as newest
  from law_references r join documents d on d.id = r.document_id
 where r.law_id = :id and r.paragraph is not null
 group by r.paragraph
 order by cast(r.paragraph as integer), r.paragraph
"""
# The newest documents first (over the narrow index), then only their details.
_NEWEST = f"""
with newest as (
  select d.id, d.date
    from law_references r join documents d on d.id = r.document_id
   where r.law_id = :id
   group by d.id
   order by d.date is null, d.date desc, d.id
   limit {NEWEST_SHOWN}
)
select d.id, d.title, d.doc_type, d.number, d.date, d.status, d.outcome,
       (select group_concat(canonical, '; ') from (
          select distinct canonical from law_references
           where document_id = d.id and law_id = :id order by canonical
       )) as references_made
  from newest n join documents d on d.id = n.id
 order by n.date is null, n.date desc, n.id
"""
_TOTAL = "select count(distinct document_id) from law_references where law_id = :id"
_REPLACED = "select id, short_name from laws where replaced_by = :id order by id"


@hookimpl
def extra_template_vars(datasette, database, table):
    async def law_usage(law_id):
        if table != "laws" or not database:
            return None
        db = datasette.get_database(database)
        if not await db.table_exists("law_references"):
            return None
        params = {"id": law_id}

        async def rows(sql):
            return [dict(r) for r in (await db.execute(sql, params)).rows]

        total = (await db.execute(_TOTAL, params)).rows[0][0]
        return {
            "documents": total,
            "paragraphs": await rows(_PARAGRAPHS),
            "newest": await rows(_NEWEST),
            "replaces": await rows(_REPLACED),
        }

    return {"law_usage": law_usage}
