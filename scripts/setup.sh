#!/usr/bin/env bash
# Installs what the service needs on Debian/Ubuntu, only where it is missing:
#   LibreOffice Writer (Word -> PDF), poppler-utils (pdftotext/pdfinfo, used by the tests and
#   the fidelity checks) and metric-compatible fonts (Carlito = Calibri, Caladea = Cambria,
#   Liberation = Arial/Times/Courier, DejaVu, Noto Color Emoji) so reports keep their layout.
# With --test it also installs PostgreSQL, Python 3 (the template conformance checker) and
# Chromium with its WebDriver (chromedriver) for the dashboard's browser test.
# Safe to run again: it does nothing when everything is present.
set -euo pipefail

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

packages=()
need() { # command-or-file package
    if ! command -v "$1" >/dev/null 2>&1 && [ ! -e "$1" ]; then packages+=("$2"); fi
}
need soffice libreoffice-writer-nogui
need pdftotext poppler-utils
need /usr/share/fonts/truetype/crosextra/Carlito-Regular.ttf fonts-crosextra-carlito
need /usr/share/fonts/truetype/crosextra/Caladea-Regular.ttf fonts-crosextra-caladea
need /usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf fonts-liberation
need /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf fonts-dejavu-core
need /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf fonts-noto-color-emoji
if [ "$want_test" = 1 ]; then
    need pg_ctlcluster postgresql
    need python3 python3
    need /usr/bin/chromium chromium
    need /usr/bin/chromedriver chromium-driver
fi

if [ "${#packages[@]}" -eq 0 ]; then
    echo "setup: all system dependencies are present"
    exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
        echo "setup: need root (or sudo) to install: ${packages[*]}" >&2
        exit 1
    fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "setup: no apt-get; install these yourself: ${packages[*]}" >&2
    exit 1
fi
echo "setup: installing ${packages[*]}"
$sudo apt-get update -qq
# The -nogui LibreOffice variant keeps the install small; java is not needed for Writer.
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
echo "setup: done"
