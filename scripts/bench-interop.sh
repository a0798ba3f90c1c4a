#!/usr/bin/env bash
# bench-interop.sh measures the interoperability paths on the demo
# territory against the raw transfer of the same data, in the same run on
# the same machine (docs/benchmarks.md, "Interoperability"):
#
#   socle harvest (ods | ckan | dcat) of a whole portal into an empty
#     instance  vs  curl downloading every dataset's JSON Lines export
#     (what any mirroring must at least transfer)
#   ogr2ogr copying an OGC API – Features collection  vs  curl of the same
#     dataset's GeoJSON export
#
#   scripts/bench-interop.sh        # RUNS=3
#
# Needs curl, ogr2ogr (gdal-bin), python3. SQLite only (the source's
# engine does not change what is measured: the protocols).
set -euo pipefail
RUNS=${RUNS:-3}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d)
PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$WORK"; }
trap cleanup EXIT
for tool in curl ogr2ogr python3 bc; do command -v $tool >/dev/null || { echo "missing $tool" >&2; exit 1; }; done

cd "$ROOT" && go build -tags sqlite_dbstat -o "$WORK/socle" ./cmd/socle
S="$WORK/socle"
"$S" demo --data "$WORK/src" --seed-only >/dev/null 2>&1
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
"$S" serve --data "$WORK/src" --addr "127.0.0.1:$PORT" >"$WORK/serve.log" 2>&1 &
PID=$!
for _ in $(seq 1 60); do curl -fs "$BASE/healthz" >/dev/null && break; sleep 0.5; done

now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
timeit() { local t0 t1; t0=$(now); "$@" >/dev/null 2>&1; t1=$(now); echo "$t1 - $t0" | bc -l; }

ids=$(curl -fs "$BASE/api/explore/v2.1/catalog/datasets?limit=100&select=dataset_id" | python3 -c 'import json,sys; print(" ".join(r["dataset_id"] for r in json.load(sys.stdin)["results"]))')
rows=$(curl -fs "$BASE/api/explore/v2.1/catalog/datasets?limit=100" | python3 -c 'import json,sys; print(sum(r["metas"]["default"]["records_count"] for r in json.load(sys.stdin)["results"]))')
download_all() { for id in $ids; do curl -fs "$BASE/api/explore/v2.1/catalog/datasets/$id/exports/jsonl" >/dev/null; done; }
geo=arbres-remarquables
declare -A R
for i in $(seq 1 "$RUNS"); do
  R[raw]+="$(timeit download_all)"$'\n'
  for p in ods ckan dcat; do
    src="$BASE"; [ $p = dcat ] && src="$BASE/catalog.ttl"
    rm -rf "$WORK/dst-$p"
    R[$p]+="$(timeit "$S" harvest --data "$WORK/dst-$p" --source "$src" --type $p --prefix -)"$'\n'
  done
  rm -f "$WORK/o.geojson"
  R[ogr]+="$(timeit ogr2ogr -f GeoJSON "$WORK/o.geojson" "OAPIF:$BASE/api/features" "$geo")"$'\n'
  R[geojson]+="$(timeit curl -fs -o "$WORK/e.geojson" "$BASE/api/explore/v2.1/catalog/datasets/$geo/exports/geojson")"$'\n'
done
m() { printf '%s' "${R[$1]}" | grep -v '^$' | median; }
echo "demo territory: $(echo $ids | wc -w) public datasets, $rows records; median of $RUNS runs"
echo
echo "| what | Socle (s) | baseline | baseline (s) | ratio |"
echo "|---|---|---|---|---|"
row() { printf '| %s | %.2f | %s | %.2f | %.2f× |\n' "$1" "$(m "$2")" "$3" "$(m "$4")" "$(echo "$(m "$2") / $(m "$4")" | bc -l)"; }
row "harvest the portal over the Explore API (ods)" ods "curl of every JSON Lines export" raw
row "harvest the portal over the CKAN Action API" ckan "curl of every JSON Lines export" raw
row "harvest the portal over DCAT (catalog.ttl)" dcat "curl of every JSON Lines export" raw
row "ogr2ogr of the $geo collection (OAPIF)" ogr "curl of its GeoJSON export" geojson
