# Socle — the two commands of the README, plus helpers.
# make demo   builds and runs the synthetic demo territory on http://127.0.0.1:8080
# make test   runs every test (SQLite always; PostgreSQL when SOCLE_TEST_POSTGRES_URL is set)

GO ?= go
# sqlite_dbstat gives SQLite its dbstat table, which the sobriety report
# reads to measure each table's size (docs/sobriety.md).
TAGS ?= sqlite_dbstat

.PHONY: demo test build bench vet compat-deps

build:
	$(GO) build -tags $(TAGS) -o bin/socle ./cmd/socle

demo: build
	./bin/socle demo --data ./socle-data --addr 127.0.0.1:8080

# compat-deps installs the official Opendatasoft JavaScript client used by
# the compatibility test, and axe-core for the accessibility checks of the
# web portal's browser tests (from the npm registry, each pinned in its
# package-lock.json).
compat-deps:
	@if command -v npm >/dev/null 2>&1; then cd compat/odsclient && npm ci --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: the interoperability tests will be skipped"; fi
	@if command -v npm >/dev/null 2>&1; then cd compat/axe && npm ci --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: the accessibility checks of the browser tests will be skipped"; fi
	@if command -v npm >/dev/null 2>&1; then cd compat/ckan && npm ci --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: the CKAN client test will be skipped"; fi

vet:
	$(GO) vet -tags $(TAGS) ./...

test: compat-deps vet
	$(GO) test -tags $(TAGS) -count=1 -timeout 30m ./...

bench:
	./scripts/bench.sh
