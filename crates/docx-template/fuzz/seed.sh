#!/usr/bin/env bash
# Seed corpus/template_bytes with the conformance templates and the bench fixture, in both
# modes of the target (0x01 + whole .docx, 0x00 + word/document.xml).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
DIR=${CONFORMANCE_DIR:-$HERE/../../../../shared/conformance/docxtpl}
OUT=$HERE/corpus/template_bytes
mkdir -p "$OUT"
i=0
for f in "$DIR"/*/template.docx "$HERE"/../benches/fixtures/report_template.docx; do
    [ -f "$f" ] || continue
    i=$((i + 1))
    { printf '\001'; cat "$f"; } >"$OUT/seed_docx_$i"
    { printf '\000'; unzip -p "$f" word/document.xml; } >"$OUT/seed_xml_$i"
done
echo "$i templates seeded into $OUT"
