#!/usr/bin/env python3
"""Regenerates the Word templates of the shipped report profiles (config/presets/*.toml).

The school normally designs its templates in Word; these defaults exist so that every preset
works out of the box, and so they can be rebuilt and reviewed as code. They use the
docxtpl/Jinja tags of crates/docx-template ({{ }}, {%tr for %}, {%p if %}) over the report
context documented in docs/profiles.md, plus legacy <<ALUMNO>>-style markers.
Requires python-docx (pip install python-docx). Usage: make_profile_templates.py [out_dir]
"""
import sys
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.shared import Cm, Pt, RGBColor

BLUE = RGBColor(0x1F, 0x3A, 0x68)
OUT = Path(sys.argv[1] if len(sys.argv) > 1 else "templates")


def new_document(kind):
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(2.2))
    style = doc.styles["Normal"]
    style.font.name = "Carlito"
    style.font.size = Pt(11)
    section.header.paragraphs[0].text = f"Preuniversitario · {kind}"
    section.footer.paragraphs[0].text = "Informe generado el {{ report_date }} para {{ student.name }}"
    title = doc.add_paragraph()
    run = title.add_run("{{ report.title }}")
    run.bold, run.font.size, run.font.color.rgb = True, Pt(24), BLUE
    sub = doc.add_paragraph()
    run = sub.add_run("{{ assessment.title }}")
    run.font.size, run.font.color.rgb = Pt(14), BLUE
    return doc


def heading(doc, text):
    p = doc.add_paragraph()
    run = p.add_run(text)
    run.bold, run.font.size, run.font.color.rgb = True, Pt(14), BLUE


def loop_table(doc, headers, loop, cells):
    """A table whose body row repeats with {%tr for %}."""
    table = doc.add_table(rows=4, cols=len(headers))
    table.style = "Light Grid Accent 1"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for i, h in enumerate(headers):
        table.cell(0, i).text = h
    table.cell(1, 0).text = "{%tr for " + loop + " %}"
    for i, c in enumerate(cells):
        table.cell(2, i).text = c
    table.cell(3, 0).text = "{%tr endfor %}"
    return table


def diagnostico():
    doc = new_document("Diagnóstico")
    p = doc.add_paragraph("Alumno: ")
    p.add_run("<<ALUMNO>>").bold = True
    doc.add_paragraph("Materia: <<MATERIA>> · Prueba: <<Prueba>>")
    p = doc.add_paragraph("Tu nivel: ")
    p.add_run("{{ level }}").bold = True
    doc.add_paragraph("Respondiste correctamente {{ score.correct }} de {{ score.total }} "
                      "preguntas ({{ score.percent_text }}).")
    heading(doc, "Lecciones que debes tomar en el curso base")
    doc.add_paragraph("{%p if failed.lecciones %}")
    doc.add_paragraph("Una lección queda pendiente cuando alguna de sus preguntas no fue "
                      "respondida correctamente. Tómalas en este orden:")
    doc.add_paragraph("{%p for l in failed.lecciones %}")
    doc.add_paragraph("□ {{ l }}")
    doc.add_paragraph("{%p endfor %}")
    doc.add_paragraph("{%p else %}")
    doc.add_paragraph("¡Aprobaste todas las lecciones! ✓")
    doc.add_paragraph("{%p endif %}")
    heading(doc, "Detalle por lección")
    loop_table(doc, ["Lección", "Correctas", "Estado"], "l in groupings.lecciones",
               ["{{ l.name }}", "{{ l.correct }}/{{ l.total }}", "{{ l.status }}"])
    doc.add_paragraph("Ante cualquier duda, responde el correo con el que recibiste este informe.")
    return doc


def test_plan(kind, parent, child, parent_label, child_label, child_plural):
    doc = new_document(kind)
    doc.add_paragraph("Hola {{ student.name }}, este es tu plan de estudio personalizado. "
                      "PD% es tu porcentaje de dominio: respuestas correctas sobre el total.")
    p = doc.add_paragraph("Tiempo estimado: ")
    p.add_run("{{ derived.horas_texto }} horas").bold = True
    heading(doc, f"Resumen por {parent_label.lower()}")
    loop_table(doc, [parent_label, "PD%", "Test de unidad", "Guía temática"], f"u in groupings.{parent}",
               ["{{ u.name }}", "{{ u.percent_text }}", "{{ u.status }}", "{{ u.status }}"])
    heading(doc, "Plan de estudio")
    doc.add_paragraph("✓: dominada (70 % o más). □: pendiente, repásala en el curso.")
    doc.add_paragraph(f"{{%p for u in groupings.{parent} %}}")
    p = doc.add_paragraph()
    p.add_run("{{ u.name }} — PD {{ u.percent_text }}").bold = True
    loop_table(doc, [child_label, "Estado"], f"l in u.{child}", ["{{ l.name }}", "{{ l.status }}"])
    doc.add_paragraph("{%p endfor %}")
    heading(doc, "Actividades")
    table = doc.add_table(rows=3, cols=2)
    table.style = "Light Grid Accent 1"
    table.cell(0, 0).text, table.cell(0, 1).text = "Actividad", "Acción"
    table.cell(1, 0).text = f"{child_plural} pendientes"
    table.cell(1, 1).text = f"{{{{ count.{child}.failed }}}} × 1 hora"
    table.cell(2, 0).text = "Examen final del eje"
    table.cell(2, 1).text = "2 horas"
    return doc


def examen(kind, grouping, label):
    doc = new_document(kind)
    doc.add_paragraph("Hola {{ student.name }}. Este examen mide tu aplicación de los contenidos "
                      "en formato PAES. No detiene tu avance: si aparece algo por reforzar, te "
                      "dejamos una recomendación concreta.")
    heading(doc, "Estados (cómo interpretarlos)")
    doc.add_paragraph("Sólido: estás aplicando bien en formato PAES. En desarrollo: estás cerca, "
                      "conviene reforzar. Riesgo: se recomienda priorizar práctica.")
    loop_table(doc, [label, "Dominio", "Estado", "Recomendación"], f"u in groupings.{grouping}",
               ["{{ u.name }}", "{{ u.percent_text }}", "{{ u.status }}", "{{ u.recomendacion }}"])
    doc.add_paragraph("{{ chart }}")
    doc.add_paragraph("Prioriza así: primero Riesgo, luego En desarrollo.")
    return doc


def ensayo():
    doc = new_document("Ensayo")
    p = doc.add_paragraph("Puntaje: ")
    p.add_run("{{ derived.puntaje }}").bold = True
    doc.add_paragraph("Correctas totales (incluye piloto): {{ score.correct_all }}/{{ score.total_all }}")
    doc.add_paragraph("Correctas para puntaje (sin piloto): {{ score.correct }}/{{ score.total }}")
    heading(doc, "Dominio por eje")
    loop_table(doc, ["Eje", "Correctas", "Dominio"], "e in groupings.ejes",
               ["{{ e.name }}", "{{ e.correct }}/{{ e.total }}", "{{ e.percent_text }}"])
    doc.add_paragraph("*Las preguntas piloto no se consideran para tu puntaje: no suman ni restan.")
    heading(doc, "Reporte rápido")
    loop_table(doc, ["Pregunta", "Unidad", "Habilidad", "Clave correcta", "Clave que marcaste", "Lección"],
               "q in questions",
               ["{{ q.label }}{% if q.pilot %} (piloto){% endif %}", "{{ q.columns.unidad }}",
                "{{ q.columns.habilidad }}", "{{ q.key }}", "{{ q.answer or '—' }}",
                "{{ q.columns.leccion }}"])
    return doc


OUT.mkdir(parents=True, exist_ok=True)
for name, doc in [
    ("informe_diagnostico.docx", diagnostico()),
    ("informe_test_de_eje.docx", test_plan("Test de eje", "unidades", "lecciones", "Unidad", "Lección", "Lecciones")),
    ("informe_test_de_habilidad.docx",
     test_plan("Test de habilidad", "habilidades", "tareas", "Habilidad", "Tarea", "Tareas")),
    ("informe_examen_de_eje.docx", examen("Examen de eje", "unidades", "Unidad")),
    ("informe_examen_de_habilidad.docx", examen("Examen de habilidad", "habilidades", "Habilidad")),
    ("informe_ensayo.docx", ensayo()),
]:
    doc.save(OUT / name)
    print(f"wrote {OUT / name}")
