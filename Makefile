# Alongside: `make run` sets up, builds and serves; `make test` runs every check.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := run

RELEASE_BIN := target/release/alongside
# Integration tests make (and drop) their own databases on this PostgreSQL server.
export TEST_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/postgres
timed = @start=$$(date +%s); $(1); echo "== $(2) took $$(( $$(date +%s) - start ))s"

.PHONY: run setup build site server test fmt lint unit budget e2e bench bench-phone bench-reminders clean

## run: install what is missing, build, migrate, seed the demo and serve on http://localhost:3000
run: build
	$(RELEASE_BIN) seed-demo
	$(RELEASE_BIN) serve

setup:
	$(call timed,bash scripts/setup.sh,setup)

build: setup site server

site:
	$(call timed,bash scripts/build-site.sh,build site (wasm + css))

server:
	$(call timed,cargo build --release -p server --bin alongside,build server (release))

## test: formatting, clippy, unit and integration tests (SQLite and PostgreSQL), budget, browser tests
test: setup fmt lint unit build budget e2e
	@echo "== all checks passed"

fmt:
	$(call timed,cargo fmt --all -- --check,rustfmt)

lint:
	$(call timed,cargo clippy --workspace --all-targets -- -D warnings && \
	  cargo clippy -p app --lib --target wasm32-unknown-unknown --no-default-features --features hydrate -- -D warnings,clippy)

unit:
	@scripts/check-postgres.sh
	$(call timed,cargo test --workspace --lib --bins --tests,unit and integration tests)

budget:
	$(call timed,node scripts/budget.mjs target/site,bundle budget)

e2e:
	$(call timed,cd end2end && npx playwright test,browser tests)

## bench: requests per second of the Today page beside a bare axum handler (see BENCHMARKS.md)
bench: site
	cargo run --release -p server --example bench_today

## bench-reminders: 10,000 reminders due in one minute, sent to a local mock push service
bench-reminders:
	cargo run --release -p server --example bench_reminders

## bench-phone: first and repeat visit on an emulated Pixel 7 over slow 4G (see BENCHMARKS.md)
bench-phone: build
	cd end2end && npx playwright test --config bench.config.ts

clean:
	cargo clean
