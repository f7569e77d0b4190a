#!/usr/bin/env python3
"""Regenerates templates/plantilla_test_diagnostico.docx, the default report template.

The school normally designs its template in Word; this script only exists so the shipped
default can be rebuilt and reviewed as code. Requires python-docx (pip install python-docx).
Placeholders: <<Nombre>>, <<Nivel>>, <<PD%>>, <<T1>>..<<T8>> (one per area of the sample bank,
in bank order).
"""
import sys
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt, RGBColor

AREAS = ["Números", "Álgebra", "Funciones", "Geometría", "Probabilidad", "Estadística",
         "Ecuaciones", "Proporcionalidad"]
BLUE = RGBColor(0x1F, 0x3A, 0x68)

doc = Document()
section = doc.sections[0]
section.page_width, section.page_height = Cm(21), Cm(29.7)
for side in ("left_margin", "right_margin"):
    setattr(section, side, Cm(2.2))
style = doc.styles["Normal"]
style.font.name = "Carlito"
style.font.size = Pt(11)

header = section.header.paragraphs[0]
header.text = "Preuniversitario · Informe de resultados"
header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
footer = section.footer.paragraphs[0]
footer.text = "Informe generado automáticamente para <<Nombre>>"
footer.alignment = WD_ALIGN_PARAGRAPH.CENTER

title = doc.add_paragraph()
run = title.add_run("Informe de resultados")
run.bold, run.font.size, run.font.color.rgb = True, Pt(24), BLUE
subtitle = doc.add_paragraph()
run = subtitle.add_run("Test de diagnóstico")
run.font.size, run.font.color.rgb = Pt(14), BLUE

p = doc.add_paragraph("Hola ")
p.add_run("<<Nombre>>").bold = True
p.add_run(", gracias por rendir el test de diagnóstico. Este informe resume tu desempeño por área "
          "y el nivel en que te recomendamos comenzar.")

summary = doc.add_table(rows=2, cols=2)
summary.style = "Light Grid Accent 1"
summary.alignment = WD_TABLE_ALIGNMENT.CENTER
for row, (label, value) in enumerate([("Nivel asignado", "<<Nivel>>"),
                                      ("Áreas aprobadas", "<<PD%>>")]):
    summary.cell(row, 0).text = label
    cell = summary.cell(row, 1)
    cell.text = ""
    cell.paragraphs[0].add_run(value).bold = True

doc.add_paragraph()
heading = doc.add_paragraph()
run = heading.add_run("Resultados por área")
run.bold, run.font.size, run.font.color.rgb = True, Pt(14), BLUE
doc.add_paragraph("Un área se considera aprobada cuando respondiste correctamente todas sus preguntas.")

table = doc.add_table(rows=1 + len(AREAS), cols=2)
table.style = "Light Grid Accent 1"
table.alignment = WD_TABLE_ALIGNMENT.CENTER
table.cell(0, 0).text, table.cell(0, 1).text = "Área", "Estado"
for i, area in enumerate(AREAS, start=1):
    table.cell(i, 0).text = area
    table.cell(i, 1).text = f"<<T{i}>>"

doc.add_paragraph()
heading = doc.add_paragraph()
run = heading.add_run("¿Qué sigue?")
run.bold, run.font.size, run.font.color.rgb = True, Pt(14), BLUE
doc.add_paragraph("Nivel 3: puedes avanzar directamente a los contenidos del curso. "
                  "Nivel 2: te recomendamos repasar primero las lecciones de las áreas reprobadas "
                  "en el curso base.")
doc.add_paragraph("Ante cualquier duda, responde el correo con el que recibiste este informe.")

out = Path(sys.argv[1] if len(sys.argv) > 1 else "templates/plantilla_test_diagnostico.docx")
doc.save(out)
print(f"wrote {out}")
