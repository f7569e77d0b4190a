#!/usr/bin/env python3
"""Write the crate's generated Word fixtures (standard library only).

- src/pool/warmup.docx: small document every pool instance converts at
  start-up, touching text, a table and an image so the filters get loaded.
- benches/fixtures/report.docx: stand-in for the default report, two pages
  with a results table and a bar-chart PNG, for benchmarks and tests.

Re-run after changing it: python3 scripts/make-fixtures.py
"""
import os
import struct
import zipfile
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
CRATE = os.path.dirname(HERE)


def png(width, height, pixel):
    rows = bytearray()
    for y in range(height):
        rows.append(0)
        for x in range(width):
            rows.extend(pixel(x, y))

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    head = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", head)
            + chunk(b"IDAT", zlib.compress(bytes(rows), 9)) + chunk(b"IEND", b""))


def bar_chart(width, height, values):
    colors = [(46, 125, 50), (249, 168, 37), (198, 40, 40), (21, 101, 192), (106, 27, 154), (0, 131, 143)]
    left, bottom, top = 80, height - 60, 40
    slot = (width - left - 40) // len(values)

    def pixel(x, y):
        if x == left or y == bottom:
            return (33, 33, 33)
        if y < bottom and (bottom - y) % ((bottom - top) // 5) == 0 and x > left:
            return (224, 224, 224)
        i = (x - left) // slot if x > left else -1
        if 0 <= i < len(values):
            x0 = left + i * slot + slot // 5
            bar_top = bottom - int((bottom - top) * values[i])
            if x0 <= x < x0 + slot * 3 // 5 and bar_top <= y < bottom:
                return colors[i % len(colors)]
        return (255, 255, 255)

    return png(width, height, pixel)


W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
WP = 'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"'


def run(text, bold=False, size=22):
    props = '<w:rFonts w:ascii="Calibri" w:hAnsi="Calibri"/>' + ("<w:b/>" if bold else "")
    props += f'<w:sz w:val="{size}"/>'
    return f'<w:r><w:rPr>{props}</w:rPr><w:t xml:space="preserve">{text}</w:t></w:r>'


def para(text, bold=False, size=22):
    return f"<w:p>{run(text, bold, size)}</w:p>"


def table(rows):
    border = "".join(f'<w:{s} w:val="single" w:sz="4" w:color="808080"/>'
                     for s in ("top", "left", "bottom", "right", "insideH", "insideV"))
    out = f'<w:tbl><w:tblPr><w:tblW w:w="5000" w:type="pct"/><w:tblBorders>{border}</w:tblBorders></w:tblPr>'
    for i, cells in enumerate(rows):
        out += "<w:tr>" + "".join(f"<w:tc>{para(c, bold=(i == 0))}</w:tc>" for c in cells) + "</w:tr>"
    return out + "</w:tbl>"


def image(rel_id, cx, cy):
    return (f'<w:p><w:r><w:drawing><wp:inline><wp:extent cx="{cx}" cy="{cy}"/><wp:docPr id="1" name="chart"/>'
            '<a:graphic xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
            '<a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">'
            '<pic:pic xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture">'
            '<pic:nvPicPr><pic:cNvPr id="1" name="chart.png"/><pic:cNvPicPr/></pic:nvPicPr>'
            f'<pic:blipFill><a:blip r:embed="{rel_id}"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>'
            f'<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm>'
            '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr></pic:pic></a:graphicData></a:graphic>'
            '</wp:inline></w:drawing></w:r></w:p>')


def docx(path, body, chart_png):
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Default Extension="png" ContentType="image/png"/>'
        '<Override PartName="/word/document.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
    rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/officeDocument" Target="word/document.xml"/></Relationships>')
    doc_rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                '<Relationship Id="rIdChart" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                'relationships/image" Target="media/chart.png"/></Relationships>')
    section = ('<w:sectPr><w:pgSz w:w="12240" w:h="15840"/>'
               '<w:pgMar w:top="1440" w:right="1440" w:bottom="1440" w:left="1440"/></w:sectPr>')
    document = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {W} {R} {WP}>'
                f"<w:body>{body}{section}</w:body></w:document>")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    # Fixed timestamps keep the bytes identical from run to run.
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in [("[Content_Types].xml", content_types), ("_rels/.rels", rels),
                           ("word/_rels/document.xml.rels", doc_rels), ("word/document.xml", document),
                           ("word/media/chart.png", chart_png)]:
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)


PAGE_BREAK = '<w:p><w:r><w:br w:type="page"/></w:r></w:p>'
UNITS = [("Números", "Sólido", "Sigue practicando con ensayos completos."),
         ("Álgebra y funciones", "En desarrollo", "Repasa ecuaciones lineales y funciones afines."),
         ("Geometría", "Riesgo", "Prioriza transformaciones isométricas y vectores."),
         ("Probabilidad y estadística", "Sólido", "Mantén el ritmo con preguntas de datos."),
         ("Proporcionalidad", "En desarrollo", "Refuerza porcentajes y razones."),
         ("Potencias y raíces", "Riesgo", "Vuelve a la lección de propiedades de potencias.")]


def report():
    body = para("Reporte de Resultados", bold=True, size=40)
    body += para("Estudiante: Camila Rojas · Evaluación: Test de diagnóstico M1")
    body += para("Este reporte resume tu desempeño por unidad y te recomienda qué practicar a continuación. "
                 "Lee primero la tabla, luego el gráfico de la página siguiente.")
    body += table([("Unidad", "Estado", "Recomendación")] + [list(u) for u in UNITS])
    for i in range(8):
        body += para(f"Observación {i + 1}: revisa las preguntas marcadas y anota por qué elegiste cada "
                     "alternativa; la reflexión sobre los errores consolida el aprendizaje.")
    body += PAGE_BREAK
    body += para("Desempeño por unidad", bold=True, size=32)
    body += image("rIdChart", 5486400, 3200400)
    body += para("Cómo usar este reporte: enfócate primero en las unidades en Riesgo, luego en las que "
                 "están En desarrollo. No intentes hacerlo todo: prioriza y ejecuta en orden.")
    return body


def main():
    chart = bar_chart(1200, 700, [0.82, 0.55, 0.31, 0.77, 0.58, 0.28])
    docx(os.path.join(CRATE, "benches", "fixtures", "report.docx"), report(), chart)
    small = bar_chart(300, 180, [0.5, 0.8, 0.3])
    warm = para("Calentamiento", bold=True, size=32) + para("Texto de prueba con acentos: áéíóú ñ.")
    warm += table([("A", "B"), ("1", "2")]) + image("rIdChart", 914400, 533400)
    docx(os.path.join(CRATE, "src", "pool", "warmup.docx"), warm, small)


if __name__ == "__main__":
    main()
