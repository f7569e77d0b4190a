#!/usr/bin/env bash
# Installs what the service needs on Debian/Ubuntu, only where it is missing: the runtime
# packages of scripts/install-runtime.sh (LibreOffice Writer, the fonts, CA certificates, tini,
# curl: exactly what the Docker image gets) plus poppler-utils (pdftotext/pdfinfo, used by the
# tests and the fidelity checks).
# With --test it also installs PostgreSQL and Python 3 with PyYAML (the template conformance
# checker and scripts/check-deploy.py), and Chromium with chromedriver (the dashboard's
# browser test).
# Safe to run again: it does nothing when everything is present.
set -euo pipefail
cd "$(dirname "$0")"

extra=(pdftotext:poppler-utils)
if [ "${1:-}" = "--test" ]; then
    extra+=(pg_ctlcluster:postgresql python3:python3)
    extra+=(/usr/lib/python3/dist-packages/yaml/__init__.py:python3-yaml)
    extra+=(/usr/bin/chromium:chromium /usr/bin/chromedriver:chromium-driver)
fi
exec ./install-runtime.sh "${extra[@]}"
