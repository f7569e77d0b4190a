#!/usr/bin/env python3
"""Regenerates the shipped report templates:

* templates/plantilla_test_diagnostico.docx, the default: the seed placeholders <<Nombre>>,
  <<Nivel>>, <<PD%>>, <<T1>>..<<T8>> (one per area of the sample bank, in bank order), plus the
  chart ({{ chart }}) and a Jinja list of the areas to reinforce;
* templates/ejemplo_jinja.docx, the same report written only with Jinja tags (one table row
  per area, whatever their number): the example of docs/templates.md.

The school normally designs its templates in Word; this script only exists so the shipped ones
can be rebuilt and reviewed as code. Requires python-docx (pip install python-docx).
"""
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.shared import Cm, Pt, RGBColor

AREAS = ["Números", "Álgebra", "Funciones", "Geometría", "Probabilidad", "Estadística",
         "Ecuaciones", "Proporcionalidad"]
BLUE = RGBColor(0x1F, 0x3A, 0x68)


def heading(doc, text, size=14):
    run = doc.add_paragraph().add_run(text)
    run.bold, run.font.size, run.font.color.rgb = True, Pt(size), BLUE


def build(jinja):
    name = "{{ student.name }}" if jinja else "<<Nombre>>"
    level = "{{ level }}" if jinja else "<<Nivel>>"
    pd = "{{ pd_text }}" if jinja else "<<PD%>>"

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.2)
    doc.styles["Normal"].font.name = "Carlito"
    doc.styles["Normal"].font.size = Pt(11)
    header = section.header.paragraphs[0]
    header.text = "Preuniversitario · Informe de resultados"
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    footer = section.footer.paragraphs[0]
    footer.text = f"Informe generado automáticamente para {name}"
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER

    heading(doc, "Informe de resultados", 24)
    sub = doc.add_paragraph().add_run("{{ assessment.title }}" if jinja else "Test de diagnóstico")
    sub.font.size, sub.font.color.rgb = Pt(14), BLUE

    p = doc.add_paragraph("Hola ")
    p.add_run(name).bold = True
    p.add_run(", gracias por rendir el test de diagnóstico. Este informe resume tu desempeño por área "
              "y el nivel en que te recomendamos comenzar.")

    summary = doc.add_table(rows=2, cols=2)
    summary.style = "Light Grid Accent 1"
    summary.alignment = WD_TABLE_ALIGNMENT.CENTER
    for row, (label, value) in enumerate([("Nivel asignado", level), ("Áreas aprobadas", pd)]):
        summary.cell(row, 0).text = label
        summary.cell(row, 1).text = ""
        summary.cell(row, 1).paragraphs[0].add_run(value).bold = True

    doc.add_paragraph()
    heading(doc, "Resultados por área")
    doc.add_paragraph("Un área se considera aprobada cuando respondiste correctamente todas sus preguntas.")
    if jinja:
        table = doc.add_table(rows=4, cols=3)
        table.cell(0, 0).text, table.cell(0, 1).text, table.cell(0, 2).text = "Área", "Correctas", "Estado"
        table.cell(1, 0).text = "{%tr for g in groups %}"
        table.cell(2, 0).text = "{{ g.name }}"
        table.cell(2, 1).text = "{{ g.correct }} de {{ g.total }}"
        table.cell(2, 2).text = "{{ g.status }}"
        table.cell(3, 0).text = "{%tr endfor %}"
    else:
        table = doc.add_table(rows=1 + len(AREAS), cols=2)
        table.cell(0, 0).text, table.cell(0, 1).text = "Área", "Estado"
        for i, area in enumerate(AREAS, start=1):
            table.cell(i, 0).text = area
            table.cell(i, 1).text = f"<<T{i}>>"
    table.style = "Light Grid Accent 1"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER

    # The chart starts the second page, with room for up to ~12 areas.
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    heading(doc, "Tu desempeño por área")
    doc.add_paragraph("Porcentaje de respuestas correctas en cada área. En azul, las áreas aprobadas; "
                      "en naranja, las que debes reforzar.")
    chart = doc.add_paragraph("{{ chart }}")
    chart.alignment = WD_ALIGN_PARAGRAPH.CENTER

    doc.add_paragraph("{%p if failed_groups %}")
    doc.add_paragraph("Áreas para reforzar: {{ failed_groups | join(', ') }}.")
    doc.add_paragraph("{%p endif %}")

    heading(doc, "¿Qué sigue?")
    # Only the student's own level's advice.
    doc.add_paragraph('{%p if level == "Nivel 3" %}')
    doc.add_paragraph("Con tu nivel (Nivel 3) puedes avanzar directamente a los contenidos del curso.")
    doc.add_paragraph("{%p else %}")
    doc.add_paragraph("Con tu nivel ({{ level }}) te recomendamos repasar primero las lecciones de las "
                      "áreas reprobadas en el curso base.")
    doc.add_paragraph("{%p endif %}")
    doc.add_paragraph("Ante cualquier duda, responde el correo con el que recibiste este informe.")
    return doc


if __name__ == "__main__":
    root = Path(__file__).resolve().parent.parent / "templates"
    for file, jinja in [("plantilla_test_diagnostico.docx", False), ("ejemplo_jinja.docx", True)]:
        build(jinja).save(root / file)
        print(f"wrote templates/{file}")
