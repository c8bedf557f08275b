#!/usr/bin/env bash
# The database tests run on PostgreSQL as well as SQLite. Say clearly when it is not there,
# rather than letting every PostgreSQL test fail with a connection error.
set -eu
url=${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
if ! psql "$url" -tAc 'select 1' >/dev/null 2>&1; then
  echo "PostgreSQL is not reachable at $url." >&2
  echo "The tests need it: start it (pg_ctlcluster <version> main start) or set TEST_POSTGRES_URL." >&2
  exit 1
fi
echo "PostgreSQL reachable at $url"
