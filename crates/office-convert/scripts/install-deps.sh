#!/bin/sh
# Debian 12 packages office-convert needs at run time (LibreOffice Writer
# without X11, the fonts the school's Word drafts use or fall back to) and in
# its tests (poppler-utils: pdftotext, pdfinfo, pdftoppm).
set -eu
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends \
    libreoffice-writer-nogui \
    fonts-crosextra-carlito fonts-crosextra-caladea \
    fonts-liberation fonts-dejavu-core fonts-noto-color-emoji \
    poppler-utils
