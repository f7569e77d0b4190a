#!/usr/bin/env bash
# The whole test suite on a fresh Debian machine with Rust: installs and starts what the tests
# need (LibreOffice, fonts, poppler, PostgreSQL), checks formatting and lints, builds every
# target (benches are built, not run), runs every test of the workspace with SQLite, the
# service's integration tests (tests/api) again with PostgreSQL, the docxtpl conformance
# corpus, then the image's runtime (scripts/image-smoke.sh). Among the SQLite tests is the
# visual regression check of the shipped templates
# (tests/api/visual.rs: each rendered through `preview`, rasterised with pdftoppm and compared
# page by page with tests/visual/reference/; regenerate with
# `UPDATE_VISUAL_REFERENCES=1 cargo test --test api visual`). Prints the wall time of each
# phase and a summary at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

logs=$(mktemp -d)
summary=()
phase=""
phase_start=0

begin() {
    phase=$1
    phase_start=$SECONDS
    echo
    echo "==> $phase"
}

end() {
    local took=$((SECONDS - phase_start))
    echo "==> $phase: ok in ${took}s"
    summary+=("$(printf '  ok    %-16s %5ss  %s' "$phase" "$took" "${1:-}")")
    phase=""
}

# "N passed, M failed, K ignored" over every test binary in a cargo test log.
test_counts() {
    awk '/^test result:/ {
            for (i = 1; i <= NF; i++) {
                if ($(i+1) ~ /^passed/) p += $i
                if ($(i+1) ~ /^failed/) f += $i
                if ($(i+1) ~ /^ignored/) g += $i
            }
         }
         END { printf "%d passed, %d failed, %d ignored", p, f, g }' "$1"
}

finish() {
    local status=$?
    echo
    echo "== scripts/test.sh summary (wall time per phase) =="
    if [ "${#summary[@]}" -gt 0 ]; then printf '%s\n' "${summary[@]}"; fi
    if [ -n "$phase" ]; then
        printf '  FAIL  %-16s %5ss\n' "$phase" "$((SECONDS - phase_start))"
    fi
    if [ "$status" -eq 0 ]; then
        echo "  total ${SECONDS}s: all passed"
    else
        echo "  total ${SECONDS}s: FAILED (exit $status)"
    fi
    rm -rf "$logs"
}
trap finish EXIT

begin "setup"
./scripts/setup.sh --test
# rustfmt and clippy come with the usual rustup profile; add them where they are missing.
for component in rustfmt clippy; do
    subcommand=${component/rustfmt/fmt}
    if ! cargo "$subcommand" --version >/dev/null 2>&1; then
        if command -v rustup >/dev/null 2>&1; then
            rustup component add "$component"
        else
            echo "test: cargo $subcommand is missing and there is no rustup to add $component" >&2
            exit 1
        fi
    fi
done

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
end

begin "fmt"
cargo fmt --all --check
end

begin "layers"
# No import runs against the layers of src/ (scripts/layers.toml) and no crate has an import
# cycle; the checker tests itself first, so a broken checker cannot pass everything.
python3 scripts/check-layers.py --self-test
python3 scripts/check-layers.py
end

begin "deploy files"
# monitoring/ (log-based metrics, dashboard, alert policy) and deploy/ against the code: log
# codes the service emits, metrics defined, env vars env.template documents, commands that
# exist. The checker proves on broken copies that it finds each kind of problem.
python3 scripts/check-deploy.py --self-test
end

begin "clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
end

# Tests: libraries, binaries, integration tests and examples. Benches are compiled only: their
# smoke runs are for `cargo test --benches` by hand, not CI. The dashboard's browser test
# leaves its screenshots in target/screenshots/ (CI's artifacts).
test_targets=(--workspace --locked --lib --bins --tests --examples)

begin "build"
cargo test "${test_targets[@]}" --no-run
cargo build --workspace --locked --benches
end

begin "tests sqlite"
TEST_DATABASE=sqlite cargo test "${test_targets[@]}" 2>&1 | tee "$logs/sqlite.log"
end "$(test_counts "$logs/sqlite.log") (the workspace; tests/api on SQLite, with the visual check)"

begin "tests postgres"
# --workspace (not -p webhook-service): the same feature set as the build, so nothing rebuilds.
TEST_DATABASE=postgres cargo test --workspace --locked --test api 2>&1 | tee "$logs/postgres.log"
end "$(test_counts "$logs/postgres.log") (tests/api on PostgreSQL)"

# The Word template engine against docxtpl's conformance corpus, through the service's own
# `template render` command (the corpus and the engine's extra cases).
begin "conformance"
bin=${CARGO_TARGET_DIR:-target}/debug/webhook-service
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
export RENDER_CMD="'$bin' template render --template {template} --context {context} --out {out}"
bash "$SHARED_DIR/conformance/docxtpl/run_all.sh"
bash "$SHARED_DIR/conformance/docxtpl/run_all.sh" -d crates/docx-template/tests/docxtpl_extra
end "docxtpl corpus and the engine's extra cases"

# The Docker image's runtime without Docker: the Dockerfile's install script on this machine,
# a stripped binary started as the image starts it (non-root, tini, Cloud SQL's socket URL
# form), /healthz, /readyz and the HEALTHCHECK, a PDF, a clean SIGTERM. CI strips the debug
# binary it already has instead of building the dist profile (a second optimised build of the
# whole tree, ~10 minutes on 2 cores); what is tested is the runtime, the same for both.
begin "image"
strip --strip-all -o "$logs/webhook-service" target/debug/webhook-service
SMOKE_DEBUG_BINARY=1 BIN="$logs/webhook-service" ./scripts/image-smoke.sh 2>&1 | tee "$logs/image.log"
end "$(grep -o 'is a stripped debug build, [0-9.]* MiB' "$logs/image.log" | head -n 1)"
