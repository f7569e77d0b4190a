#!/usr/bin/env bash
# The whole test suite on a fresh Debian machine with Rust: installs and starts what the tests
# need (LibreOffice, fonts, poppler, PostgreSQL), then runs every test of the workspace.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup.sh --test

# Test data shared by the project (fixtures, conformance corpus): ../shared beside the
# repository, or SHARED_DIR.
if [ -z "${SHARED_DIR:-}" ]; then
    for candidate in ../shared /work/shared; do
        if [ -d "$candidate/fixtures" ]; then SHARED_DIR=$(cd "$candidate" && pwd); break; fi
    done
fi
if [ ! -d "${SHARED_DIR:-}/fixtures" ]; then
    echo "test: cannot find the shared test data (set SHARED_DIR to the folder holding fixtures/)" >&2
    exit 1
fi
export SHARED_DIR

./scripts/postgres-for-tests.sh
TEST_POSTGRES_URL=${TEST_POSTGRES_URL:-postgres://webhook_test:webhook_test@127.0.0.1:5432/postgres}
export TEST_POSTGRES_URL

cargo test --workspace --all-targets --locked

# The Word template engine against docxtpl's conformance corpus, through the service's own
# `template render` command (the corpus and the engine's extra cases).
bin=${CARGO_TARGET_DIR:-target}/debug/webhook-service
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
export RENDER_CMD="'$bin' template render --template {template} --context {context} --out {out}"
bash "$SHARED_DIR/conformance/docxtpl/run_all.sh"
bash "$SHARED_DIR/conformance/docxtpl/run_all.sh" -d crates/docx-template/tests/docxtpl_extra
