#!/usr/bin/env bash
# The Docker image's runtime, tested without Docker (CI has no daemon): the Dockerfile's own
# runtime install script on this machine, then the shipped (dist-profile, stripped) binary
# started the way the image starts it — as a non-root user with a home of its own, under tini,
# with only the image's files and environment — until /healthz and /readyz answer 200 and the
# Dockerfile's HEALTHCHECK command passes; a report converted to PDF by that user; SIGTERM
# stops it and leaves no LibreOffice process behind.
# BIN=path skips the build (default: cargo build --profile dist).
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { echo "image-smoke: $*" >&2; exit 1; }

# --- the Dockerfile is wired as this test assumes --------------------------------------------
grep -q '^RUN /tmp/install-runtime.sh' Dockerfile || fail "the Dockerfile does not run scripts/install-runtime.sh"
grep -q '^ENTRYPOINT \["/usr/bin/tini", "--"\]' Dockerfile || fail "the Dockerfile's ENTRYPOINT is not tini"
grep -q '^CMD \["webhook-service", "serve"\]' Dockerfile || fail "the Dockerfile's CMD is not webhook-service serve"
grep -q '^USER app' Dockerfile || fail "the Dockerfile does not switch to the non-root user"
grep -q 'target/dist/webhook-service' Dockerfile || fail "the Dockerfile does not ship the dist binary"
healthcheck=$(sed -n 's/^HEALTHCHECK .* CMD //p' Dockerfile)
[ -n "$healthcheck" ] || fail "the Dockerfile has no HEALTHCHECK ... CMD line"

# --- the runtime packages: the image's script ------------------------------------------------
./scripts/install-runtime.sh
for tool in soffice tini curl; do
    command -v "$tool" >/dev/null || fail "$tool is missing after install-runtime.sh"
done

# --- the binary ------------------------------------------------------------------------------
if [ -z "${BIN:-}" ]; then
    cargo build --profile dist --locked --bin webhook-service
    BIN=${CARGO_TARGET_DIR:-target}/dist/webhook-service
fi
BIN=$(cd "$(dirname "$BIN")" && pwd)/$(basename "$BIN")
# Section names, read from the ELF section table: the binary itself contains strings such as
# ".debug_info" (its backtrace code), so grepping the file would prove nothing.
python3 - "$BIN" <<'PY'
import os, struct, sys
data = open(sys.argv[1], "rb").read()
if data[:4] != b"\x7fELF" or data[4] != 2:
    sys.exit("image-smoke: not a 64-bit ELF file: " + sys.argv[1])
shoff, = struct.unpack_from("<Q", data, 0x28)
shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
def section(i):
    return struct.unpack_from("<IIQQQQ", data, shoff + i * shentsize)
strtab = section(shstrndx)
strtab_off, strtab_size = strtab[4], strtab[5]
names = []
for i in range(shnum):
    start = strtab_off + section(i)[0]
    names.append(data[start:data.index(b"\0", start)].decode())
left = [n for n in names if n == ".symtab" or n.startswith(".debug")]
if os.environ.get("SMOKE_DEBUG_BINARY") == "1":
    # CI's stripped debug build: the runtime is what is tested; size and sections are the dist
    # profile's, checked when this script builds it.
    print(f"image-smoke: {sys.argv[1]} is a stripped debug build, {len(data) / 2**20:.1f} MiB")
    sys.exit(0)
if left:
    sys.exit("image-smoke: the binary is not stripped, it still has " + ", ".join(left))
mib = len(data) / 2**20
print(f"image-smoke: {sys.argv[1]} is stripped, {mib:.1f} MiB")
if mib > 40:
    sys.exit(f"image-smoke: the binary is {mib:.1f} MiB, expected about 26")
PY

# --- /app as the image has it ----------------------------------------------------------------
app=$(mktemp -d)
pid=""
forward_pid=""
dropdb_on_exit=""
cleanup() {
    # Everything the service started, by its session id (tini leads the session).
    if [ -n "$pid" ]; then pkill -KILL -s "$pid" 2>/dev/null || true; fi
    if [ -n "$forward_pid" ]; then kill "$forward_pid" 2>/dev/null || true; fi
    if [ -n "$dropdb_on_exit" ]; then psql -q "$TEST_POSTGRES_URL" -c "DROP DATABASE IF EXISTS $dropdb_on_exit WITH (FORCE)" || true; fi
    rm -rf "$app"
}
trap cleanup EXIT
mkdir -p "$app/data/responses" "$app/tmp"
cp -r templates "$app/templates"
cp -r data/responses/questions "$app/data/responses/questions"
cp test_data.json "$app/"
# The image's user is not root: as root here, run as nobody (uid 65534) to be sure nothing
# needs root; as anyone else, that user is already not root.
as_user=()
if [ "$(id -u)" -eq 0 ]; then
    chown -R 65534:65534 "$app"
    chmod 755 "$app"
    as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
fi
# The binary where the image has it, root's and world-executable: BIN's own folder (CI's
# mktemp scratch) may not be searchable by that user.
install -D -m 755 "$BIN" "$app/usr/local/bin/webhook-service"
BIN="$app/usr/local/bin/webhook-service"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

# The database as Cloud Run reaches Cloud SQL: a unix socket in /cloudsql/PROJECT:REGION:INSTANCE
# (deploy/README.md's DATABASE_URL form), here a socket forwarding to the test PostgreSQL
# server, as the Cloud SQL Auth Proxy does. Without TEST_POSTGRES_URL (by hand), SQLite.
database_url=""
if [ -n "${TEST_POSTGRES_URL:-}" ]; then
    db=image_smoke_$$
    psql -q "$TEST_POSTGRES_URL" -c "CREATE DATABASE $db" || fail "cannot create database $db on $TEST_POSTGRES_URL"
    dropdb_on_exit=$db
    pg_hostport=$(python3 -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print((p.hostname or "127.0.0.1") + ":" + str(p.port or 5432))' "$TEST_POSTGRES_URL")
    pg_user=$(python3 -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(p.username + (":" + p.password if p.password else ""))' "$TEST_POSTGRES_URL")
    socket_dir="$app/cloudsql/school-project:southamerica-west1:webhook-db"
    mkdir -p "$socket_dir"
    python3 scripts/unix-socket-forward.py "$socket_dir/.s.PGSQL.5432" "$pg_hostport" &
    forward_pid=$!
    deadline=$((SECONDS + 10))
    until [ -S "$socket_dir/.s.PGSQL.5432" ]; do
        [ "$SECONDS" -lt "$deadline" ] || fail "the Cloud SQL socket stand-in did not start"
        sleep 0.1
    done
    # The URL needs a host for the driver to parse it (`@/db` is refused: "empty host");
    # host= then replaces it with the socket's folder.
    database_url="postgres://$pg_user@localhost/$db?host=$socket_dir"
    echo "image-smoke: DATABASE_URL=postgres://…@localhost/$db?host=$socket_dir (unix socket)"
fi
secret=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
# The image's environment (ENV DATA_DIR, PORT) and the settings Cloud Run would add; the
# LearnWorlds host is never called at start-up.
# TMPDIR: the image's /tmp is empty and the user's own; this machine's /tmp may hold other
# runs' scratch folders owned by someone else.
image_env=(env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$app" TMPDIR="$app/tmp" DATA_DIR="$app" PORT="$port"
    HOST=127.0.0.1 LOG_FORMAT=json WEBHOOK_SECRET="$secret" SCHOOL_DOMAIN=school.invalid
    CLIENT_ID=image-smoke ACCESS_TOKEN=image-smoke-token CONVERTER_INSTANCES=1 WORKERS=1
    RECONCILE_INTERVAL=off ${database_url:+DATABASE_URL=$database_url})

log="$app/serve.log"
(cd "$app" && exec setsid "${as_user[@]}" "${image_env[@]}" tini -s -- "$BIN" serve) >"$log" 2>&1 &
pid=$!

# Polls URL until it answers 200 or DEADLINE seconds pass.
wait_for() {
    local url=$1 deadline=$((SECONDS + $2))
    while [ "$SECONDS" -lt "$deadline" ]; do
        kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; fail "the service exited while waiting for $url"; }
        if curl -fsS -o "$app/answer" "$url" 2>/dev/null; then return 0; fi
        sleep 0.2
    done
    cat "$log" >&2
    curl -sS "$url" >&2 || true
    fail "$url did not answer 200 within $2 s"
}
base="http://127.0.0.1:$port"
wait_for "$base/healthz" 60
echo "image-smoke: /healthz 200 after ${SECONDS}s"
wait_for "$base/readyz" 120
echo "image-smoke: /readyz 200: $(cat "$app/answer")"
python3 -c '
import json, sys
checks = json.load(open(sys.argv[1]))["checks"]
for name in ("database", "template", "pdf_converter", "learnworlds"):
    if not checks.get(name, {}).get("ok"):
        sys.exit(f"image-smoke: /readyz check {name} is not ok: {checks.get(name)}")
' "$app/answer"
PORT=$port sh -c "$healthcheck" || fail "the Dockerfile's HEALTHCHECK command failed: $healthcheck"
echo "image-smoke: the Dockerfile's HEALTHCHECK passes"

# A real conversion by the image's user: LibreOffice needs nothing it cannot write.
(cd "$app" && "${as_user[@]}" "${image_env[@]}" "$BIN" template sample --out-dir "$app/sample" >/dev/null)
(cd "$app" && "${as_user[@]}" "${image_env[@]}" "$BIN" template render \
    --template "$app/templates/plantilla_test_diagnostico.docx" --context "$app/sample/context.json" \
    --out "$app/sample/report.docx" --pdf "$app/sample/report.pdf" >/dev/null)
head -c 5 "$app/sample/report.pdf" | grep -q '%PDF-' || fail "the sample report is not a PDF"
echo "image-smoke: a report converted to PDF as the image's user"

# Every log line a Cloud Logging entry.
python3 -c '
import json, sys
lines = [l for l in open(sys.argv[1]) if l.strip()]
for n, line in enumerate(lines, 1):
    try:
        entry = json.loads(line)
    except ValueError:
        sys.exit(f"image-smoke: log line {n} is not JSON: {line[:200]}")
    if "severity" not in entry or "message" not in entry:
        sys.exit(f"image-smoke: log line {n} has no severity or message: {line[:200]}")
print(f"image-smoke: {len(lines)} log lines, each a JSON entry")
' "$log"

# SIGTERM to tini, as the container runtime sends it: the service stops in time and nothing
# of its session (LibreOffice included) is left.
kill -TERM "$pid"
deadline=$((SECONDS + 30))
while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.2; done
kill -0 "$pid" 2>/dev/null && { cat "$log" >&2; fail "the service did not stop within 30 s of SIGTERM"; }
status=0
wait "$pid" || status=$?
session=$pid
pid=""
[ "$status" -eq 0 ] || { cat "$log" >&2; fail "the service exited with status $status after SIGTERM"; }
# By session, not process group: LibreOffice runs in groups of its own. Converter workers
# notice their parent is gone and shut LibreOffice down, which takes a few seconds in a debug
# build.
deadline=$((SECONDS + 10))
while :; do
    left=$(ps -eo sid=,pid=,comm= | awk -v s="$session" '$1 == s')
    [ -n "$left" ] && [ "$SECONDS" -lt "$deadline" ] || break
    sleep 0.5
done
[ -z "$left" ] || fail "processes left after the service stopped: $left"
echo "image-smoke: SIGTERM stopped the service, nothing left behind"
