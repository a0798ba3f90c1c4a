#!/usr/bin/env bash
# bench.sh runs Socle's end-to-end benchmarks against their baselines and
# prints a Markdown table of medians and ratios (see docs/benchmarks.md).
#
#   scripts/bench.sh                 # 1,000,000 rows, 3 runs, SQLite and PostgreSQL
#   ROWS=100000 RUNS=1 scripts/bench.sh
#
# Environment:
#   ROWS      rows in the generated CSV (default 1000000)
#   RUNS      runs per import/export benchmark; the median is reported (default 3)
#   REQS      sequential requests for cheap /records queries (default 200)
#   SLOW_REQS sequential requests for full-scan queries (default 30)
#   WRK_SECS  duration of each wrk run (default 15)
#   PG_URL    PostgreSQL to use, loopback only; empty string skips PostgreSQL
#             (default postgres://postgres@127.0.0.1:5432/test?sslmode=disable)
#   KEEP=1    keep the work directory for inspection
#
# Everything runs on 127.0.0.1, in a fresh temporary directory and in
# dedicated PostgreSQL schemas, all removed on exit. It takes about
# 6 to 8 minutes on a 2-core machine with the defaults (docs/benchmarks.md).
set -euo pipefail

ROWS=${ROWS:-1000000}
RUNS=${RUNS:-3}
REQS=${REQS:-200}
SLOW_REQS=${SLOW_REQS:-30}
WRK_SECS=${WRK_SECS:-15}
PG_URL=${PG_URL-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}
export PGOPTIONS="-c client_min_messages=warning"
ROOT=$(cd "$(dirname "$0")/.." && pwd)

die() { echo "bench.sh: $*" >&2; exit 1; }
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

need() { # need TOOL HOW-TO-INSTALL
	command -v "$1" >/dev/null 2>&1 || die "$1 is missing; install it with: $2"
}
need go "https://go.dev/dl/ (Go >= 1.24)"
need sqlite3 "apt-get install -y sqlite3"
need wrk "apt-get update && apt-get install -y wrk"
need awk "apt-get install -y gawk"
[ -x /usr/bin/time ] || die "/usr/bin/time (GNU time) is missing; install it with: apt-get install -y time"
if [ -n "$PG_URL" ]; then
	need psql "apt-get install -y postgresql-client"
	case "$PG_URL" in
	*@127.0.0.1[:/]* | *@localhost[:/]* | *@\[::1\][:/]*) ;;
	*) die "PG_URL must point at a loopback PostgreSQL" ;;
	esac
	psql "$PG_URL" -Atqc 'select 1' >/dev/null || die "cannot connect to $PG_URL (start PostgreSQL or set PG_URL='' to skip it)"
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/socle-bench.XXXXXX")
SERVER_PID=""
SCHEMAS=()
cleanup() {
	if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
	for s in "${SCHEMAS[@]}"; do psql "$PG_URL" -qc "DROP SCHEMA IF EXISTS $s CASCADE" >/dev/null 2>&1 || true; done
	if [ "${KEEP:-}" = 1 ]; then echo "work directory kept: $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

RESULTS=$WORK/results.tsv
: >"$RESULTS"

# result NAME SOCLE BASELINE_NAME BASELINE TARGET_RATIO UNIT HIGHER_IS_BETTER
# records one row; the ratio is SOCLE/BASELINE for times (lower is better)
# and BASELINE/SOCLE for throughputs, so a ratio of 2 always means "2x worse".
result() { printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$RESULTS"; }

# median prints the median of its arguments.
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# seconds CMD... runs CMD and prints its wall time in seconds.
seconds() {
	local t0 t1
	t0=$(date +%s.%N)
	"$@" >/dev/null
	t1=$(date +%s.%N)
	awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", b-a}'
}

# quantiles prints "p50 p99" (ms, nearest rank) of the numbers on stdin.
quantiles() { sort -g | awk '{a[NR]=$1} END {i50=int(NR*0.5+0.999999); i99=int(NR*0.99+0.999999); printf "%.3f %.3f", a[i50], a[i99]}'; }

log "building socle and benchgen"
(cd "$ROOT" && go build -o "$WORK/socle" ./cmd/socle && go build -o "$WORK/benchgen" ./scripts/benchgen)
SOCLE=$WORK/socle

CSV=$WORK/data.csv
log "generating $ROWS rows"
"$WORK/benchgen" csv -rows "$ROWS" -out "$CSV"
cat "$CSV" >/dev/null # warm the page cache for every contender alike

# ---------------------------------------------------------------- import
log "import, SQLite: socle import vs sqlite3 .import ($RUNS runs each)"
s=() b=()
for i in $(seq "$RUNS"); do
	rm -rf "$WORK/sqlite"
	s+=("$(seconds "$SOCLE" import --data "$WORK/sqlite" --dataset bench --title Bench "$CSV")")
	rm -f "$WORK/base.db"
	b+=("$(seconds sqlite3 "$WORK/base.db" '.mode csv' ".import $CSV t")")
done
log "  socle ${s[*]} s; sqlite3 ${b[*]} s"
result "Import $ROWS-row CSV, SQLite (s)" "$(median "${s[@]}")" "sqlite3 .import (untyped)" "$(median "${b[@]}")" 1.5 s 0
rm -f "$WORK/base.db"
base_import=$(median "${b[@]}")
# The query benchmarks filter on categorie: index it, as a publisher would
# for a large dataset (--index), by re-importing the file; report that time.
ti=$(seconds "$SOCLE" import --data "$WORK/sqlite" --dataset bench --index categorie "$CSV")
log "  socle import --index categorie: $ti s"
result "Import $ROWS-row CSV, SQLite, with an index on categorie (s)" "$ti" "sqlite3 .import (untyped, no index)" "$base_import" "—" s 0
DB=$WORK/sqlite/socle.db
TABLE=$(sqlite3 "$DB" "SELECT 'r_' || uid || '_' || version FROM datasets WHERE id = 'bench'")
[ "$(sqlite3 "$DB" "SELECT count(*) FROM \"$TABLE\"")" = "$ROWS" ] || die "SQLite import did not load $ROWS rows"

PGTABLE=""
if [ -n "$PG_URL" ]; then
	log "import, PostgreSQL: socle import vs psql \\copy ($RUNS runs each)"
	sep='&'
	case "$PG_URL" in *\?*) ;; *) sep='?' ;; esac
	# COLS mirrors bench.PostgresColumns.
	COLS="id bigint, nom text, montant double precision, date_releve date, horodatage timestamptz, actif boolean, quantite bigint, categorie text, taux double precision, commentaire text"
	s=() b=()
	for i in $(seq "$RUNS"); do
		sch="socle_bench_$$_$i" base="socle_bench_$$_base$i"
		SCHEMAS+=("$sch" "$base")
		s+=("$(seconds "$SOCLE" import --data "$WORK/pgdata" --db "$PG_URL${sep}schema=$sch" --dataset bench --title Bench "$CSV")")
		psql "$PG_URL" -v ON_ERROR_STOP=1 -qc "CREATE SCHEMA $base; CREATE TABLE $base.t ($COLS)" >/dev/null
		b+=("$(seconds psql "$PG_URL" -v ON_ERROR_STOP=1 -qc "\\copy $base.t FROM '$CSV' CSV HEADER")")
		psql "$PG_URL" -qc "DROP SCHEMA $base CASCADE" >/dev/null
		if [ "$i" -lt "$RUNS" ]; then psql "$PG_URL" -qc "DROP SCHEMA $sch CASCADE" >/dev/null; fi
	done
	log "  socle ${s[*]} s; psql \\copy ${b[*]} s"
	result "Import $ROWS-row CSV, PostgreSQL (s)" "$(median "${s[@]}")" "psql \\copy into typed table" "$(median "${b[@]}")" 1.5 s 0
	PGSCHEMA=$sch
	PGDSN="$PG_URL${sep}schema=$PGSCHEMA"
	ti=$(seconds "$SOCLE" import --data "$WORK/pgdata" --db "$PGDSN" --dataset bench --index categorie "$CSV")
	log "  socle import --index categorie (PostgreSQL): $ti s"
	result "Import $ROWS-row CSV, PostgreSQL, with an index on categorie (s)" "$ti" "psql \\copy (no index)" "$(median "${b[@]}")" "—" s 0
	PGTABLE=$(psql "$PG_URL" -Atc "SELECT 'r_' || uid || '_' || version FROM $PGSCHEMA.datasets WHERE id = 'bench'")
	psql "$PG_URL" -qc "VACUUM ANALYZE $PGSCHEMA.\"$PGTABLE\"" >/dev/null
fi

# ---------------------------------------------------------------- export
# rows_per_s SECONDS prints ROWS/SECONDS.
rows_per_s() { awk -v n="$ROWS" -v t="$1" 'BEGIN {printf "%.0f", n/t}'; }
log "export, SQLite: csv and parquet vs sqlite3 -csv ($RUNS runs each)"
b=()
for i in $(seq "$RUNS"); do b+=("$(seconds sqlite3 -csv "$DB" "SELECT * FROM \"$TABLE\"")"); done
base_rps=$(rows_per_s "$(median "${b[@]}")")
for fmt in csv parquet; do
	t=() m=()
	for i in $(seq "$RUNS"); do
		/usr/bin/time -f '%e %M' -o "$WORK/time.txt" "$SOCLE" export --data "$WORK/sqlite" --dataset bench --format "$fmt" >"$WORK/out.$fmt"
		read -r e kb <"$WORK/time.txt"
		t+=("$e") m+=("$kb")
	done
	[ -s "$WORK/out.$fmt" ] || die "empty $fmt export"
	log "  $fmt ${t[*]} s, max RSS ${m[*]} kB; sqlite3 -csv ${b[*]} s"
	rps=$(rows_per_s "$(median "${t[@]}")")
	result "Export $fmt, SQLite (rows/s)" "$rps" "sqlite3 -csv select *" "$base_rps" "≥ 1000000 rows/s" rows/s 1
	result "Export $fmt, SQLite, peak RSS (MB)" "$(awk -v k="$(median "${m[@]}")" 'BEGIN {printf "%.1f", k/1024}')" "" "" "< 150 MB" MB 0
	rm -f "$WORK/out.$fmt"
done

# ---------------------------------------------------------------- HTTP
# start_server DB-FLAGS... starts socle serve on a free loopback port and sets URL.
start_server() {
	"$SOCLE" serve --addr 127.0.0.1:0 "$@" >"$WORK/serve.log" 2>&1 &
	SERVER_PID=$!
	for _ in $(seq 100); do
		URL=$(sed -n 's/^Socle is serving on \(http[^ ]*\).*/\1/p' "$WORK/serve.log")
		[ -n "$URL" ] && return 0
		kill -0 "$SERVER_PID" 2>/dev/null || break
		sleep 0.1
	done
	cat "$WORK/serve.log" >&2
	die "socle serve did not start"
}
stop_server() { kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""; }

# The /records queries: NAME|query string|raw SQL equivalent (T is the table)|requests
QUERIES=(
	"first page, default order (_id)|limit=20|SELECT * FROM T ORDER BY _id LIMIT 21|$REQS"
	"indexed filter categorie, _id order|limit=20&where=categorie%3D%22culture%22|SELECT * FROM T WHERE categorie = 'culture' ORDER BY _id LIMIT 21|$REQS"
	"filter + order on unindexed columns|limit=20&where=quantite%3C50&order_by=montant%20desc|SELECT * FROM T WHERE quantite < 50 ORDER BY montant DESC, _id DESC LIMIT 21|$SLOW_REQS"
	"group_by categorie, count(*)|group_by=categorie&select=count(*)%20as%20n|SELECT categorie, count(*) AS n FROM T GROUP BY categorie ORDER BY categorie LIMIT 11|$SLOW_REQS"
)

# raw_sqlite SQL N prints "p50 p99" in ms of SQL run N times in one sqlite3
# session with .timer on. The shell's timer has a 1 ms resolution; when the
# median is under 5 ms it is replaced by the mean per query of the session's
# wall time (minus an empty session's), which resolves sub-millisecond queries.
raw_sqlite() {
	local q50 q99 full empty
	read -r q50 q99 <<<"$({ echo ".timer on"; for _ in $(seq "$2"); do echo "$1;"; done; } | sqlite3 "$DB" |
		sed -n 's/^Run Time: real \([0-9.]*\).*/\1/p' | awk '{print $1*1000}' | quantiles)"
	if awk -v v="$q50" 'BEGIN {exit !(v < 5)}'; then
		for _ in $(seq "$2"); do echo "$1;"; done >"$WORK/q.sql"
		full=$(seconds sqlite3 "$DB" ".read $WORK/q.sql")
		empty=$(seconds sqlite3 "$DB" "SELECT 1")
		q50=$(awk -v f="$full" -v e="$empty" -v n="$2" 'BEGIN {printf "%.3f", (f-e)*1000/n}')
	fi
	echo "$q50 $q99"
}
# raw_pg SQL N prints "p50 p99" in ms of SQL run N times in one psql session.
raw_pg() {
	{ echo "SET search_path = $PGSCHEMA;"; echo '\timing on'; for _ in $(seq "$2"); do echo "$1;"; done; } |
		psql "$PG_URL" -o /dev/null -q | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -n "$2" | quantiles
}

# http_queries ENGINE RAWFUNC TABLE runs every query over HTTP and raw.
http_queries() {
	local engine=$1 raw=$2 table=$3 q name qs sql n api h r
	api="$URL/api/explore/v2.1/catalog/datasets/bench/records"
	for q in "${QUERIES[@]}"; do
		IFS='|' read -r name qs sql n <<<"$q"
		sql=${sql//FROM T/FROM \"$table\"}
		h=$("$WORK/benchgen" get -n "$n" "$api?$qs")
		r=$($raw "$sql" "$n")
		log "  $engine, $name: http $h; raw $r"
		set -- $r
		local p50=${h#p50_ms=}; p50=${p50%% *}
		local p99=${h#*p99_ms=}; p99=${p99%% *}
		result "/records $name, $engine, p50 (ms)" "$p50" "raw SQL p50" "$1" "" ms 0
		result "/records $name, $engine, p99 (ms)" "$p99" "raw SQL p99" "$2" "" ms 0
	done
	# Socle answers total_count on every page: time the raw COUNT too.
	r=$($raw "SELECT count(*) FROM \"$table\"" "$SLOW_REQS")
	log "  $engine, raw SELECT count(*) over the table: p50/p99 $r ms"
	echo "$engine: raw SELECT count(*) over the whole table (what a filtered page counts for total_count, without the filter), p50/p99 ms: $r" >>"$WORK/notes.txt"
}

# wrk_run URL prints "req/s p99_ms" and notes wrk's socket errors (timeouts
# are requests slower than wrk's 2 s timeout, left out of its latencies).
wrk_run() {
	wrk -t2 -c16 -d"${WRK_SECS}s" --latency "$1" >"$WORK/wrk.txt"
	if grep -q 'Socket errors\|Non-2xx' "$WORK/wrk.txt"; then
		echo "wrk ${1#"$URL"}: $(grep 'Socket errors\|Non-2xx' "$WORK/wrk.txt" | tr -s ' ' | tr '\n' ' ')" >>"$WORK/notes.txt"
	fi
	awk '
		/Requests\/sec:/ {rps=$2}
		/^ *99%/ {v=$2; u=v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v)
			ms = (u=="us") ? v/1000 : (u=="s") ? v*1000 : (u=="m") ? v*60000 : v}
		END {printf "%s %.3f", rps, ms}' "$WORK/wrk.txt"
}

log "HTTP, SQLite: /records queries vs sqlite3 CLI"
start_server --data "$WORK/sqlite"
curl -fsS "$URL/healthz" >/dev/null || die "healthz failed"
http_queries sqlite raw_sqlite "$TABLE"
log "HTTP, SQLite: wrk -t2 -c16 -d${WRK_SECS}s on /records?limit=10 and /healthz"
read -r rec_rps rec_p99 <<<"$(wrk_run "$URL/api/explore/v2.1/catalog/datasets/bench/records?limit=10")"
read -r hz_rps hz_p99 <<<"$(wrk_run "$URL/healthz")"
log "  records $rec_rps req/s p99 $rec_p99 ms; healthz $hz_rps req/s p99 $hz_p99 ms"
result "wrk /records?limit=10, SQLite (req/s)" "$rec_rps" "wrk /healthz" "$hz_rps" "" req/s 1
result "wrk /records?limit=10, SQLite, p99 (ms)" "$rec_p99" "wrk /healthz p99" "$hz_p99" "" ms 0
stop_server

if [ -n "$PG_URL" ]; then
	log "HTTP, PostgreSQL: /records queries vs psql"
	start_server --data "$WORK/pgdata" --db "$PGDSN"
	http_queries postgres raw_pg "$PGTABLE"
	stop_server
fi

# ---------------------------------------------------------------- report
echo
echo "Socle benchmarks: $ROWS rows, median of $RUNS runs (imports, exports); $REQS/$SLOW_REQS sequential requests (queries)"
echo
echo "| benchmark | Socle | baseline | baseline value | ratio (≥1 = slower) | target | met |"
echo "|---|---:|---|---:|---:|---|---|"
awk -F'\t' '{
	ratio = ""; met = "";
	if ($4 != "" && $4 > 0 && $2 > 0) ratio = sprintf("%.2f×", ($7 == 1) ? $4/$2 : $2/$4)
	if ($5 == "1.5") { met = (($2/$4) <= 1.5) ? "yes" : "no"; tgt = "≤ 1.5×" }
	else if ($5 ~ /rows\/s/) { met = ($2 >= 1000000) ? "yes" : "no"; tgt = $5 }
	else if ($5 ~ /MB/) { met = ($2 < 150) ? "yes" : "no"; tgt = $5 }
	else tgt = "—"
	printf "| %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, ($3 == "" ? "—" : $3), ($4 == "" ? "—" : $4), (ratio == "" ? "—" : ratio), tgt, (met == "" ? "—" : met)
}' "$RESULTS"
if [ -s "$WORK/notes.txt" ]; then echo; sed 's/^/- /' "$WORK/notes.txt"; fi
echo "- sqlite3 raw p50 under 5 ms is the mean per query of one sqlite3 session (the .timer resolution is 1 ms)"
