#!/usr/bin/env bash
# Makes sure PostgreSQL answers on 127.0.0.1:5432 and that the test role exists
# (webhook_test / webhook_test, allowed to create the throw-away databases of the tests).
set -euo pipefail

as_postgres() {
    if [ "$(id -u)" -eq 0 ]; then su postgres -s /bin/sh -c "$*"; else sudo -u postgres sh -c "$*"; fi
}

if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
    version=$(ls /etc/postgresql 2>/dev/null | sort -n | tail -n 1)
    if [ -z "$version" ]; then
        echo "postgres: PostgreSQL is not installed (scripts/setup.sh --test installs it)" >&2
        exit 1
    fi
    echo "postgres: starting cluster $version/main"
    sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo pg_ctlcluster --skip-systemctl-redirect "$version" main start || $sudo pg_ctlcluster "$version" main start
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
pg_isready -h 127.0.0.1 -p 5432

as_postgres "psql -q -v ON_ERROR_STOP=1 -d postgres" <<'SQL'
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'webhook_test') THEN
        CREATE ROLE webhook_test LOGIN CREATEDB PASSWORD 'webhook_test';
    END IF;
END
$$;
SQL
