#!/usr/bin/env bash
# Quick start: runs the service on embedded defaults — SQLite and local storage under this
# folder, emails written to ./outbox/ unless SMTP_SERVER is set. Installs LibreOffice and the
# fonts first if they are missing, and creates .env (with a fresh WEBHOOK_SECRET) on first run.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup.sh
if [ ! -f .env ]; then
    secret=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
    sed "s/^WEBHOOK_SECRET=.*/WEBHOOK_SECRET=$secret/" env.template > .env
    echo "run-local: created .env with a new WEBHOOK_SECRET; add your LearnWorlds settings there"
fi
exec cargo run --release --locked -- serve "$@"
