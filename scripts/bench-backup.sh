#!/usr/bin/env bash
# bench-backup.sh measures the reversibility commands on the demo
# territory against the engines' own dump tools, in the same run on the
# same machine (docs/benchmarks.md, docs/backup.md):
#
#   socle backup (SQLite)      vs  sqlite3 .dump of the same database (text SQL)
#   socle restore → PostgreSQL vs  psql replaying pg_dump's plain SQL of the result
#   socle backup (PostgreSQL)  vs  pg_dump --format=plain of the same schema
#   socle drill                    the whole restore drill, for the record
#
#   scripts/bench-backup.sh          # RUNS=3
#
# Needs sqlite3, pg_dump and psql; PostgreSQL at PG_URL (loopback).
set -euo pipefail

RUNS=${RUNS:-3}
PG_URL=${PG_URL-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}
export PGOPTIONS="-c client_min_messages=warning"
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d)
SCHEMAS=()
cleanup() {
  for s in "${SCHEMAS[@]}"; do psql -q "$PG_URL" -c "DROP SCHEMA IF EXISTS $s CASCADE" >/dev/null 2>&1 || true; done
  [ -n "${KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT
for tool in sqlite3 pg_dump psql; do command -v $tool >/dev/null || { echo "missing $tool" >&2; exit 1; }; done

cd "$ROOT" && go build -tags sqlite_dbstat -o "$WORK/socle" ./cmd/socle
S="$WORK/socle"
"$S" demo --data "$WORK/demo" --seed-only >/dev/null 2>&1
DB="$WORK/demo/socle.db"

schema() { local s="bench_bk_$1_$RANDOM"; SCHEMAS+=("$s"); echo "$s"; }
pgdsn() { echo "$PG_URL&schema=$1"; }
now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
timeit() { local t0 t1; t0=$(now); "$@" >/dev/null 2>&1; t1=$(now); echo "$t1 - $t0" | bc -l; }

declare -A R
for i in $(seq 1 "$RUNS"); do
  rm -f "$WORK/a.zip" "$WORK/dump.sql"
  R[backup_sqlite]+="$(timeit "$S" backup --data "$WORK/demo" --to "$WORK/a.zip")"$'\n'
  R[dump_sqlite]+="$(timeit sh -c "sqlite3 '$DB' .dump > '$WORK/dump.sql'")"$'\n'
  s1=$(schema r); s2=$(schema p)
  R[restore_pg]+="$(timeit "$S" restore --data "$WORK/x" --db "$(pgdsn "$s1")" --from "$WORK/a.zip")"$'\n'
  pg_dump --format=plain --no-owner --schema="$s1" "$PG_URL" | sed "s/\b$s1\b/$s2/g" > "$WORK/pg.sql"
  R[psql_replay]+="$(timeit psql -q -v ON_ERROR_STOP=1 "$PG_URL" -f "$WORK/pg.sql")"$'\n'
  rm -f "$WORK/b.zip"
  R[backup_pg]+="$(timeit "$S" backup --data "$WORK/x" --db "$(pgdsn "$s1")" --to "$WORK/b.zip")"$'\n'
  R[pg_dump]+="$(timeit sh -c "pg_dump --format=plain --no-owner --schema='$s1' '$PG_URL' > '$WORK/pg2.sql'")"$'\n'
  R[drill]+="$(timeit "$S" drill --data "$WORK/demo")"$'\n'
done
m() { printf '%s' "${R[$1]}" | grep -v '^$' | median; }
rows=$(unzip -p "$WORK/a.zip" datapackage.json | python3 -c 'import json,sys; print(sum(r["socle:rows"] for r in json.load(sys.stdin)["resources"]))')
echo "demo territory: $rows rows in $(unzip -p "$WORK/a.zip" datapackage.json | grep -c '"socle:table"') tables;" \
  "archive $(du -k "$WORK/a.zip" | cut -f1) KB, SQLite file $(du -k "$DB" | cut -f1) KB, sqlite3 .dump $(du -k "$WORK/dump.sql" | cut -f1) KB; median of $RUNS runs"
echo
echo "| step | Socle (s) | baseline | baseline (s) | ratio |"
echo "|---|---|---|---|---|"
row() { printf '| %s | %.2f | %s | %.2f | %.2f× |\n' "$1" "$(m "$2")" "$3" "$(m "$4")" "$(echo "$(m "$2") / $(m "$4")" | bc -l)"; }
row "backup from SQLite" backup_sqlite "sqlite3 .dump" dump_sqlite
row "restore into PostgreSQL (verified)" restore_pg "psql replaying pg_dump's SQL" psql_replay
row "backup from PostgreSQL" backup_pg "pg_dump --format=plain" pg_dump
printf '| restore drill (backup + restore into SQLite + verify) | %.2f | | | |\n' "$(m drill)"
