#!/usr/bin/env bash
# What the service needs at run time, on Debian/Ubuntu, installed only where missing. The
# Dockerfile's runtime stage runs this very script, and scripts/setup.sh (local machines, CI)
# runs it too, so the LibreOffice and fonts the tests convert with are the image's.
#   LibreOffice Writer (Word -> PDF; the -nogui variant, no Java), metric-compatible fonts so
#   reports keep their layout (Carlito = Calibri, Caladea = Cambria, Liberation = Arial/Times/
#   Courier, DejaVu, Noto Color Emoji), CA certificates (HTTPS to LearnWorlds, GCS, SMTP TLS),
#   tini (the image's init: it reaps LibreOffice's children) and curl (the HEALTHCHECK).
# Extra CHECK:PACKAGE arguments add packages the same way (setup.sh's test tools): CHECK is a
# command or a file whose absence means PACKAGE is missing.
# --clean removes apt's lists afterwards (the image keeps no cache).
# Safe to run again: it does nothing when everything is present.
set -euo pipefail

clean=0
packages=()
need() { # command-or-file package
    if ! command -v "$1" >/dev/null 2>&1 && [ ! -e "$1" ]; then packages+=("$2"); fi
}
need soffice libreoffice-writer-nogui
need /usr/share/fonts/truetype/crosextra/Carlito-Regular.ttf fonts-crosextra-carlito
need /usr/share/fonts/truetype/crosextra/Caladea-Regular.ttf fonts-crosextra-caladea
need /usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf fonts-liberation
need /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf fonts-dejavu-core
need /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf fonts-noto-color-emoji
need /etc/ssl/certs/ca-certificates.crt ca-certificates
need tini tini
need curl curl
for arg in "$@"; do
    case "$arg" in
        --clean) clean=1 ;;
        *:*) need "${arg%%:*}" "${arg#*:}" ;;
        *)
            echo "install-runtime: unknown argument $arg (expected CHECK:PACKAGE or --clean)" >&2
            exit 2
            ;;
    esac
done

if [ "${#packages[@]}" -eq 0 ]; then
    echo "install-runtime: all system dependencies are present"
    exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
        echo "install-runtime: need root (or sudo) to install: ${packages[*]}" >&2
        exit 1
    fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-runtime: no apt-get; install these yourself: ${packages[*]}" >&2
    exit 1
fi
echo "install-runtime: installing ${packages[*]}"
# Another apt run (a second setup on the same machine) holds the lock for a while: wait for it.
apt=(apt-get -qq -o DPkg::Lock::Timeout=600)
$sudo "${apt[@]}" update
# No recommends: LibreOffice's pull in Java, help packs and a desktop's worth of fonts.
DEBIAN_FRONTEND=noninteractive $sudo "${apt[@]}" install -y --no-install-recommends "${packages[@]}" >/dev/null
if [ "$clean" = 1 ]; then
    $sudo rm -rf /var/lib/apt/lists/*
fi
echo "install-runtime: done"
