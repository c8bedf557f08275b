# Alongside: `make run` sets up, builds and serves; `make test` runs every check.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := run

RELEASE_BIN := target/release/alongside
# The tests build this debug binary anyway (the integration tests need it); the browser tests
# run against it, so `make test` never waits for a release build.
DEBUG_BIN := $(CURDIR)/target/debug/alongside
# Integration tests make (and drop) their own databases on this PostgreSQL server.
export TEST_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/postgres
# The one cargo command that builds every test, the examples and the debug binary, with our own
# crates compiled by clippy-driver so clippy's lints (warnings as errors) come with the build
# instead of a second pass over every dependency. Running it the same way everywhere matters:
# another feature set or wrapper (`cargo build -p server`, say) would rebuild.
CLIPPY_WRAP := RUSTC_WORKSPACE_WRAPPER=$(CURDIR)/scripts/clippy-rustc.sh
CARGO_TEST_CMD := cargo test --workspace --lib --bins --tests --examples
CARGO_TESTS := $(CLIPPY_WRAP) $(CARGO_TEST_CMD)
# Integration tests mostly wait on their databases, so more of them at once than cores pays:
# on 2 cores, 4 at a time took the suite from 128 s to 81 s; 6 at a time, see BENCHMARKS.md.
TEST_THREADS ?= 6
timed = @start=$$(date +%s); $(1); echo "== $(2) took $$(( $$(date +%s) - start ))s"

.PHONY: bench-import bench-mixed run setup setup-test build site server test test-release fmt lint lint-wasm unit site-linted debug-bin budget \
	e2e e2e-release bench bench-phone bench-reminders bench-durability bench-scale clean

## run: install what running needs, build (release), migrate, seed the demo and serve on :3000
run: build
	$(RELEASE_BIN) seed-demo
	$(RELEASE_BIN) serve

## setup: what building and running needs; setup-test adds what the tests need
setup:
	$(call timed,bash scripts/setup.sh run,setup)

setup-test:
	$(call timed,bash scripts/setup.sh test,setup)

build: setup site server

site:
	$(call timed,bash scripts/build-site.sh,build site (wasm + css))

# The site built with the browser's code compiled by clippy-driver (warnings are errors): the
# lints come with the wasm build `make test` needs anyway, instead of a second pass over every
# dependency for the wasm target.
site-linted:
	$(call timed,$(CLIPPY_WRAP) bash scripts/build-site.sh,clippy (browser) with the site build (wasm + css))

server:
	$(call timed,cargo build --release -p server --bin alongside,build server (release))

## test: formatting, unit and integration tests (SQLite and PostgreSQL), the site, the bundle
## budget, browser tests against the debug binary the tests built. Clippy's lints come with the
## builds: the server's code in the test build, the browser's in the site build.
test: setup-test fmt unit site-linted budget e2e
	@echo "== all checks passed"

## test-release: the browser tests against the release build (what `make run` serves)
test-release: setup-test site server budget e2e-release

fmt:
	$(call timed,cargo fmt --all -- --check,rustfmt)

## lint: clippy on everything, on its own (make test runs the same lints within its build)
lint: lint-wasm
	$(call timed,cargo clippy --workspace --all-targets -- -D warnings,clippy (server))

lint-wasm:
	$(call timed,cargo clippy -p app --lib --target wasm32-unknown-unknown --no-default-features --features hydrate -- -D warnings,clippy (browser))

unit:
	@scripts/check-postgres.sh
	$(call timed,$(CARGO_TESTS) -- --test-threads $(TEST_THREADS),clippy (server) with unit and integration tests)

# Builds nothing after `unit`; on its own, builds what `unit` would.
debug-bin:
	@$(CARGO_TESTS) --no-run --quiet

budget:
	$(call timed,node scripts/budget.mjs target/site,bundle budget)

e2e: debug-bin
	$(call timed,cd end2end && ALONGSIDE_BIN_FOR_E2E=$(DEBUG_BIN) npx playwright test,browser tests)

e2e-release:
	$(call timed,cd end2end && ALONGSIDE_BIN_FOR_E2E=$(CURDIR)/$(RELEASE_BIN) npx playwright test,browser tests (release))

## bench: requests per second of the Today page beside a bare axum handler (see BENCHMARKS.md)
bench: site
	cargo run --release -p server --example bench_today

## bench-import: a 20 MB FHIR Bundle of 5,000 results for 1,000 people imported on SQLite (#20)
bench-import:
	cargo run --release -p server --example bench_import

## bench-mixed: 30% Today, 30% plan, 30% results, 10% logging through HTTP against the release
## server (a child process, its memory measured) at 1, 8, 32 and 128 connections, on SQLite and
## PostgreSQL (see BENCHMARKS.md; not part of `make test`)
bench-mixed: site
	$(call timed,cargo build --release -p server --bin alongside --example bench_mixed,build server and mixed-load bench (release))
	ALONGSIDE_BIN=$(CURDIR)/$(RELEASE_BIN) target/release/examples/bench_mixed

## bench-reminders: 10,000 reminders due in one minute, sent to a local mock push service
bench-reminders:
	cargo run --release -p server --example bench_reminders

## bench-durability: the release server killed with kill -9 ten times under 8 writers of goals, on
## SQLite and PostgreSQL: no acknowledged goal lost, none saved twice (not part of `make test`)
bench-durability:
	$(call timed,cargo build --release -p server --bin alongside --example bench_durability,build server and durability bench (release))
	ALONGSIDE_BIN=$(CURDIR)/$(RELEASE_BIN) target/release/examples/bench_durability

## bench-scale: 1k, 10k and 100k people generated in SQL on SQLite and PostgreSQL (127.0.0.1:5432):
## EXPLAIN of every Today and caseload statement (a full scan of a large table fails), and Today,
## the caseload's first page and logging timed at each size (#21; not part of `make test`)
bench-scale: site
	$(call timed,cargo build --release -p server --example bench_scale,build the scale bench (release))
	target/release/examples/bench_scale

## bench-phone: first and repeat visit on an emulated Pixel 7 over slow 4G (see BENCHMARKS.md)
bench-phone: setup-test site server
	cd end2end && ALONGSIDE_BIN_FOR_E2E=$(CURDIR)/$(RELEASE_BIN) npx playwright test --config bench.config.ts

clean:
	cargo clean
