#!/usr/bin/env bash
# Compiles our own crates with clippy-driver (rustc plus clippy's lints) and every warning an
# error. `make test` builds the tests through it (RUSTC_WORKSPACE_WRAPPER), so clippy's lints run
# in the build the tests need anyway, instead of a separate `cargo clippy` pass that checks
# every dependency a second time (clippy's artefacts cannot be reused by a test build).
# Cargo calls a workspace wrapper for workspace members only, as `wrapper rustc ARGS…`;
# clippy-driver accepts exactly that.
exec clippy-driver "$@" -D warnings
