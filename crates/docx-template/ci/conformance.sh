#!/usr/bin/env bash
# Run the docxtpl conformance corpus against this crate's render example.
# Usage: crates/docx-template/ci/conformance.sh [run_all.sh options and case names]
# CONFORMANCE_DIR defaults to the shared/ folder next to the repository.
set -euo pipefail
CRATE=$(cd "$(dirname "$0")/.." && pwd)
ROOT=$(cd "$CRATE/../.." && pwd)
DIR=${CONFORMANCE_DIR:-$ROOT/../shared/conformance/docxtpl}
if [ ! -x "$DIR/run_all.sh" ] && [ ! -f "$DIR/run_all.sh" ]; then
    echo "conformance.sh: no corpus at $DIR (set CONFORMANCE_DIR)" >&2
    exit 2
fi
cd "$ROOT"
# Build first so the per-case timeout is not spent compiling.
cargo build -q -p docx-template --release --example render
BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release/examples/render
export RENDER_CMD="'$BIN' --template {template} --context {context} --out {out}"
status=0
bash "$DIR/run_all.sh" "$@" || status=1
# Our own extra cases (expected files rendered by docxtpl, see tests/docxtpl_extra/make_cases.py).
if [ $# -eq 0 ]; then
    bash "$DIR/run_all.sh" -d "$CRATE/tests/docxtpl_extra" || status=1
fi
exit $status
