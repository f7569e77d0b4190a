#!/usr/bin/env python3
"""Rebuilds the Word templates of the shipped report profiles (config/presets/*.toml) from the
school's own drafts, so that what a student opens is the school's design.

* templates/informe_examen_de_eje.docx and informe_ensayo.docx are the drafts `template
  examen.docx` and `template ensayos.docx` (shared/fixtures/templates) with their spec text
  ("NOMBRE UNIDAD 1", "{Sólido, En desarrollo, Riesgo}", "X/NT", "(PORCENTAJE DOMINIO POR
  UNIDAD)") replaced by tags; cover, logo, Arial, explanatory pages and table borders are the
  draft's own.
* The other report types (diagnostics, test de eje, test/examen de habilidad) are built in the
  same visual language: the examen draft's cover with the report type's title painted in, its
  fonts, paragraph spacing and table borders.

The .docx files in templates/ are the source the service reads; this script only exists so a
design change can be rebuilt and reviewed as code (docs/templates.md explains it; the service
never runs Python). Requires python-docx and Pillow (pip install python-docx pillow).
Usage: make_profile_templates.py [drafts_dir] [out_dir]
"""
import copy
import io
import os
import sys
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
DRAFTS = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(
    os.environ.get("SHARED_DIR", ROOT.parent / "shared")) / "fixtures" / "templates"
OUT = Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT / "templates"
COVER_FONT = "/usr/share/fonts/truetype/liberation/LiberationSansNarrow-Regular.ttf"


# --- paragraphs and tables, keeping the draft's formatting -------------------------------------

def body_items(doc):
    return list(doc.element.body.iterchildren())


def text_of(el):
    return "".join(t.text or "" for t in el.iter(qn("w:t")))


def find(doc, text):
    """The first top-level paragraph whose text starts with `text`."""
    for p in doc.paragraphs:
        if p.text.strip().startswith(text):
            return p
    raise SystemExit(f"draft changed: no paragraph starting with {text!r}")


def set_text(p, text, bold=None):
    """Replaces a paragraph's text, keeping its first run's formatting."""
    runs = p.runs
    if not runs:
        run = p.add_run(text)
    else:
        run = runs[0]
        run.text = text
        for r in runs[1:]:
            r._r.getparent().remove(r._r)
    if bold is not None:
        run.bold = bold
    return p


def insert_after(p, text, bold=None):
    """A new paragraph after `p`, formatted like it."""
    new = copy.deepcopy(p._p)
    p._p.addnext(new)
    from docx.text.paragraph import Paragraph
    para = Paragraph(new, p._parent)
    for br in new.iter(qn("w:br")):
        br.getparent().remove(br)
    return set_text(para, text, bold)


def remove(el):
    el = getattr(el, "_p", el)
    el.getparent().remove(el)


def set_cell(cell, text, bold=None):
    set_text(cell.paragraphs[0], text, bold)
    for p in cell.paragraphs[1:]:
        remove(p)


def tc_set(tc, text):
    """A table cell's text in its first paragraph's first run (made when the cell is empty)."""
    paras = tc.findall(qn("w:p"))
    for extra in paras[1:]:
        tc.remove(extra)
    p = paras[0]
    runs = p.findall(qn("w:r"))
    for r in runs[1:]:
        p.remove(r)
    if not runs:
        run = p.makeelement(qn("w:r"), {})
        p.append(run)
    else:
        run = runs[0]
    for child in list(run):
        if child.tag != qn("w:rPr"):
            run.remove(child)
    t = run.makeelement(qn("w:t"), {})
    t.text = text
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    run.append(t)


def loop_rows(table, body_row, loop, cells):
    """Turns `body_row` into a docxtpl row loop: `{%tr for %}` before, `{%tr endfor %}` after;
    the table's other body rows (the draft's examples) go."""
    rows = table.rows
    for i, c in enumerate(cells):
        set_cell(rows[body_row].cells[i], c)
    for r in list(rows[body_row + 1:]):
        table._tbl.remove(r._tr)
    tr = rows[body_row]._tr
    for tag, where in ((f"{{%tr for {loop} %}}", "before"), ("{%tr endfor %}", "after")):
        new = copy.deepcopy(tr)
        tcs = new.findall(qn("w:tc"))
        for tc in tcs[1:]:
            new.remove(tc)
        # One cell spanning the row: the tag row is removed at render time anyway.
        tc = tcs[0]
        span = tc.tcPr.find(qn("w:gridSpan")) if tc.tcPr is not None else None
        if span is None:
            span = tc.get_or_add_tcPr().makeelement(qn("w:gridSpan"), {})
            tc.tcPr.append(span)
        span.set(qn("w:val"), str(len(tcs)))
        tc_set(tc, tag)
        (tr.addprevious if where == "before" else tr.addnext)(new)


def draft_table(doc, proto_tbl, after, headers, cells, loop):
    """A table in the draft's style (borders, cell margins, Arial) with these columns and a
    row loop, placed after paragraph `after`."""
    tbl = copy.deepcopy(proto_tbl)
    rows = tbl.findall(qn("w:tr"))
    for r in rows[2:]:
        tbl.remove(r)
    n = len(headers)
    grid = tbl.find(qn("w:tblGrid"))
    width = 9029 // n
    for g in list(grid):
        grid.remove(g)
    for _ in range(n):
        col = grid.makeelement(qn("w:gridCol"), {qn("w:w"): str(width)})
        grid.append(col)
    for tr, texts in zip(rows[:2], (headers, cells)):
        tcs = tr.findall(qn("w:tc"))
        while len(tcs) < n:
            tcs[-1].addnext(copy.deepcopy(tcs[-1]))
            tcs = tr.findall(qn("w:tc"))
        for tc in tcs[n:]:
            tr.remove(tc)
        for tc, text in zip(tr.findall(qn("w:tc")), texts):
            w = tc.tcPr.find(qn("w:tcW")) if tc.tcPr is not None else None
            if w is not None:
                w.set(qn("w:w"), str(width))
            tc_set(tc, text)
    after._p.addnext(tbl)
    from docx.table import Table
    table = Table(tbl, after._parent)
    for cell in table.rows[0].cells:
        for r in cell.paragraphs[0].runs:
            r.bold = True
    loop_rows(table, 1, loop, cells)
    return table


# --- the cover ---------------------------------------------------------------------------------

def retitle_cover(doc, lines):
    """Paints the report type's title over the draft cover's own (same place, same weight)."""
    part = next(r.target_part for r in doc.part.rels.values() if "image" in r.reltype
                and r.target_part.blob[:2] == b"\xff\xd8")
    img = Image.open(io.BytesIO(part.blob)).convert("RGB")
    w, h = img.size
    top, bottom = int(h * 0.16), int(h * 0.335)
    # The old title goes: each column of the band blends the background just above it into
    # the background just below it (the cover's pattern is large and soft).
    px = img.load()
    for x in range(w):
        a, b = px[x, top - 1], px[x, bottom + 1]
        for y in range(top, bottom + 1):
            t = (y - top) / (bottom - top)
            px[x, y] = tuple(round(a[i] * (1 - t) + b[i] * t) for i in range(3))
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(COVER_FONT, int(h * 0.066))
    y = top + int(h * 0.008)
    for line in lines:
        box = draw.textbbox((0, 0), line, font=font)
        draw.text(((w - (box[2] - box[0])) / 2, y), line, font=font, fill=(20, 20, 20))
        y += int(h * 0.075)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=82, optimize=True)
    part._blob = out.getvalue()


def tidy_cover(doc):
    """The draft leaves empty paragraphs after the cover image, spec notes ("Página 1:
    Portada") and a page break on page 2. The cover picture fills page 1, so the report's text
    starts on page 2 without them."""
    items = body_items(doc)
    brk = next(i for i, el in enumerate(items) if el.find(".//" + qn("w:br")) is not None
               and el.find(".//" + qn("w:br")).get(qn("w:type")) == "page")
    for el in items[1:brk + 1]:
        remove(el)


def plain_after_cover(doc):
    """The examen draft with everything after its cover page removed: the frame of the report
    types the school has no draft for."""
    tidy_cover(doc)
    items = body_items(doc)
    for el in items[1:]:
        if el.tag != qn("w:sectPr"):
            remove(el)


# --- the drafts as templates -------------------------------------------------------------------

def examen(kind="eje", grouping="unidades", label="Unidad"):
    doc = Document(DRAFTS / "template examen.docx")
    proto = copy.deepcopy(doc.tables[0]._tbl)
    tidy_cover(doc)
    if kind != "eje":
        retitle_cover(doc, ["REPORTE EXAMEN", f"DE {kind.upper()}"])
        for p in doc.paragraphs:
            for r in p.runs:
                r.text = (r.text.replace("cada unidad", f"cada {label.lower()}")
                          .replace("las unidades", f"las {grouping}")
                          .replace("esta unidad", f"esta {label.lower()}")
                          .replace("alguna unidad", f"alguna {label.lower()}")
                          .replace("Examen de Eje", f"Examen de {kind.capitalize()}"))
    title = find(doc, "Reporte Examen de")
    set_text(title, title.text, bold=True)
    hello = insert_after(title, "{{ assessment.display_title }}", bold=True)
    insert_after(hello, "Hola {{ student.name }}: este es tu reporte del {{ report_date | fecha }}.", bold=False)
    for head in ("Qué mide este examen", "Importante", "Estados (cómo interpretarlos)",
                 "Cómo usar este reporte"):
        p = find(doc, head)
        set_text(p, p.text, bold=True)
    table = doc.tables[0]
    set_cell(table.rows[0].cells[0], label, bold=True)
    set_cell(table.rows[0].cells[1], "Estado", bold=True)
    set_cell(table.rows[0].cells[2], "Recomendación", bold=True)
    loop_rows(table, 1, f"u in groupings.{grouping}",
              ["{{ u.name }}", "{{ u.status }} ({{ u.percent_text }})", "{{ u.recomendacion }}"])
    # The draft reserves this place for the per-unit percentages: the chart goes there.
    spot = find(doc, "(PORCENTAJE DOMINIO")
    set_text(spot, "{{ chart }}").alignment = WD_ALIGN_PARAGRAPH.CENTER
    for rule in ("Si PDU% <", "Si a <=", "Si PDU% >"):
        remove(find(doc, rule))
    remove(find(doc, "Contraportada"))
    del proto
    return doc


def ensayo():
    doc = Document(DRAFTS / "template ensayos.docx")
    tidy_cover(doc)
    set_text(find(doc, "Puntaje:"), "Puntaje: {{ derived.puntaje | num }}", bold=True)
    hello = find(doc, "Puntaje:").insert_paragraph_before(
        "Hola {{ student.name }}: estos son tus resultados de {{ assessment.display_title }}.")
    hello.insert_paragraph_before("{{ assessment.display_title }}").runs[0].bold = True
    set_text(find(doc, "Correctas totales"),
             "Correctas totales (incluye piloto): {{ score.correct_all }}/{{ score.total_all }}")
    set_text(find(doc, "Correctas para puntaje"),
             "Correctas para puntaje (sin piloto): {{ score.correct }}/{{ score.total }}")
    set_text(find(doc, "Tabla de dominio por eje"), "Dominio por eje", bold=True)
    set_text(find(doc, "Reporte Rápido"), "Reporte rápido", bold=True)
    ejes, quick = doc.tables[0], doc.tables[1]
    # The draft lays the ejes out as columns; their number varies, so one row per eje.
    proto = copy.deepcopy(ejes._tbl)
    anchor = find(doc, "Dominio por eje")
    draft_table(doc, proto, anchor, ["Eje", "Correctas / total", "Porcentaje de dominio"],
                ["{{ e.name }}", "{{ e.correct }}/{{ e.total }}", "{{ e.percent_text }}"],
                "e in groupings.ejes")
    ejes._tbl.getparent().remove(ejes._tbl)
    set_cell(quick.rows[0].cells[0], "Pregunta", bold=True)
    loop_rows(quick, 1, "q in questions",
              ["{{ q.label }}{% if q.pilot %} (piloto){% endif %}", "{{ q.columns.unidad }}",
               "{{ q.columns.habilidad }}", "{{ q.key }}", "{{ q.answer or '—' }}",
               "{{ q.columns.leccion }}"])
    remove(find(doc, "Contraportada"))
    return doc


# --- report types without a draft, in the same visual language ---------------------------------

class Builder:
    def __init__(self, cover):
        self.doc = Document(DRAFTS / "template examen.docx")
        self.proto = copy.deepcopy(self.doc.tables[0]._tbl)
        self.style = copy.deepcopy(find(self.doc, "Qué mide este examen")._p)
        plain_after_cover(self.doc)
        retitle_cover(self.doc, cover)
        self.last = self.doc.paragraphs[-1]

    def para(self, text, bold=None):
        new = copy.deepcopy(self.style)
        self.last._p.addnext(new)
        from docx.text.paragraph import Paragraph
        self.last = set_text(Paragraph(new, self.last._parent), text, bold)
        return self.last

    def table(self, headers, cells, loop):
        table = draft_table(self.doc, self.proto, self.last, headers, cells, loop)
        # What follows goes after the table, in an empty paragraph of the draft's style.
        new = copy.deepcopy(self.style)
        table._tbl.addnext(new)
        from docx.text.paragraph import Paragraph
        self.last = set_text(Paragraph(new, self.last._parent), "")


def header(b, title):
    b.para(title, bold=True)
    b.para("{{ assessment.display_title }}", bold=True)
    b.para("Hola {{ student.name }}: este es tu reporte del {{ report_date | fecha }}.")


def diagnostico():
    b = Builder(["REPORTE", "DIAGNÓSTICO"])
    header(b, "Reporte de Diagnóstico")
    b.para("Tu nivel: {{ level }}", bold=True)
    b.para("Respondiste correctamente {{ score.correct }} de {{ score.total }} preguntas "
           "({{ score.percent_text }}).")
    b.para("Lecciones que debes tomar en el curso base", bold=True)
    b.para("{%p if failed.lecciones %}")
    b.para("Una lección queda pendiente cuando alguna de sus preguntas no fue respondida "
           "correctamente. Tómalas en este orden:")
    b.para("{%p for l in failed.lecciones %}")
    b.para("□ {{ l }}")
    b.para("{%p endfor %}")
    b.para("{%p else %}")
    b.para("¡Aprobaste todas las lecciones! ✓")
    b.para("{%p endif %}")
    b.para("Detalle por lección", bold=True)
    b.table(["Lección", "Correctas", "Estado"],
            ["{{ l.name }}", "{{ l.correct }}/{{ l.total }}", "{{ l.status }}"],
            "l in groupings.lecciones")
    b.para("Ante cualquier duda, responde el correo con el que recibiste este informe.")
    return b.doc


def test_plan(kind, parent, child, parent_label, child_label, child_plural):
    b = Builder(["REPORTE TEST", f"DE {kind.upper()}"])
    header(b, f"Plan de estudio · Test de {kind}")
    b.para("PD % es tu porcentaje de dominio: respuestas correctas sobre el total.")
    b.para("Tiempo estimado: {{ derived.horas_texto }} horas", bold=True)
    b.para(f"Resumen por {parent_label.lower()}", bold=True)
    b.table([parent_label, "PD %", "Test de unidad", "Guía temática"],
            ["{{ u.name }}", "{{ u.percent_text }}", "{{ u.status }}", "{{ u.status }}"],
            f"u in groupings.{parent}")
    b.para("Plan de estudio", bold=True)
    b.para("✓: dominada (70 % o más). □: pendiente, repásala en el curso.")
    b.para(f"{{%p for u in groupings.{parent} %}}")
    b.para("{{ u.name }} — PD {{ u.percent_text }}", bold=True)
    b.table([child_label, "PD %", "Estado"],
            ["{{ l.name }}", "{{ l.percent_text }}", "{{ l.status }}"], f"l in u.{child}")
    b.para("{%p endfor %}")
    b.para("Actividades", bold=True)
    # Every term of derived.horas, so the table adds up to the total it states.
    b.table(["Actividad", "Cantidad", "Tiempo"],
            ["{{ a.name }}", "{{ a.count }}", "{{ a.hours | num }} h"], "a in derived.actividades")
    b.para("Total estimado: {{ derived.horas_texto }} horas", bold=True)
    return b.doc


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    for name, build in [
        ("informe_examen_de_eje.docx", lambda: examen()),
        ("informe_examen_de_habilidad.docx", lambda: examen("habilidad", "habilidades", "Habilidad")),
        ("informe_ensayo.docx", ensayo),
        ("informe_diagnostico.docx", diagnostico),
        ("informe_test_de_eje.docx",
         lambda: test_plan("eje", "unidades", "lecciones", "Unidad", "Lección", "Lecciones")),
        ("informe_test_de_habilidad.docx",
         lambda: test_plan("habilidad", "habilidades", "tareas", "Habilidad", "Tarea", "Tareas")),
    ]:
        build().save(OUT / name)
        print(f"wrote {OUT / name}")


if __name__ == "__main__":
    main()
