"""Run the collector's newer-dialect ClickHouse SQL in chDB (the
in-process ClickHouse engine from PyPI), for tests/clickhouse_chdb.rs.

argv: DIR, holding ddl.sql (statements separated by ';\n'),
records.json and events.json (JSONEachRow), queries.sql (one query a
line). Prints, for each query, its TabSeparated answer, then a line
'--end--'. Inserts each table twice with the same dedup token, then once
with another token, so the caller can check both kinds of dedup.
"""
import os
import sys

from chdb import session

d = sys.argv[1]
s = session.Session(os.path.join(d, "chdb"))
for stmt in open(os.path.join(d, "ddl.sql")).read().split(";\n"):
    if stmt.strip():
        s.query(stmt)
for table in ("records", "events"):
    data = open(os.path.join(d, table + ".json")).read()
    for token in ("batch-1", "batch-1", "batch-2"):
        s.query(
            "INSERT INTO akt.%s SETTINGS insert_deduplication_token='%s/%s' FORMAT JSONEachRow\n%s"
            % (table, token, table, data)
        )
for q in open(os.path.join(d, "queries.sql")).read().splitlines():
    if q.strip():
        r = s.query(q, "TabSeparatedRaw") if "FORMAT" not in q else s.query(q)
        sys.stdout.write(r.bytes().decode("utf-8", "replace"))
        sys.stdout.write("--end--\n")
