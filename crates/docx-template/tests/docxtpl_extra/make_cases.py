#!/usr/bin/env python3
"""Extra docxtpl cases: templates built with python-docx, expected files rendered by docxtpl 0.20.2.

Run: python3 make_cases.py [CASE ...] (needs pip install docxtpl==0.20.2, and Pillow for the
BMP/TIFF pictures of bmp_tiff), then ../../../../../shared/conformance/docxtpl/run_all.sh -d .
with RENDER_CMD set. With case names only those folders are rebuilt.

Some templates need XML python-docx cannot write (a plain <w:t> with a leading space, a real tab
character, a tab element inside a tag, an endnotes part): `xml` edits the saved template's
document.xml, `post` the saved package.

docxtpl renders footnotes but not endnotes or comments; for `notes=True` cases the expected file
applies docxtpl's own footnote step (patch_xml, then render_xml_part) to those two parts. The
shared checker does not compare them, so tests/jinja_render.rs compares their text, and the
*_error cases make run_all.sh itself fail when they are not rendered.
"""
import json, os, sys, shutil, zipfile
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', '..', 'benches'))
from docxtpl_reference import convert
from docx import Document
from docx.shared import Pt, RGBColor
from docx.oxml import parse_xml
from docxtpl import DocxTemplate
import jinja2

ONLY = set(sys.argv[1:])
NOTES = ('application/vnd.openxmlformats-officedocument.wordprocessingml.endnotes+xml',
         'application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml')


def rewrite(path, edit, part='word/document.xml'):
    """Apply edit(text) -> text to one part of the package at path (other entries unchanged)."""
    with zipfile.ZipFile(path) as z:
        items = [(i, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(path, 'w', zipfile.ZIP_DEFLATED) as z:
        for info, data in items:
            if info.filename == part:
                data = edit(data.decode('utf-8')).encode('utf-8')
            z.writestr(info, data)


def render_notes(tpl, ctx, jinja_env):
    """docxtpl's footnote step (render_footnotes) applied to the endnotes and comments parts."""
    for part in tpl.docx.part.package.parts:
        if part.content_type in NOTES:
            xml = tpl.patch_xml(part.blob.decode('utf-8'))
            out = tpl.render_xml_part(xml, part, ctx, jinja_env).encode('utf-8')
            if hasattr(part, '_element'):  # python-docx keeps the comments part as a tree
                part._element = parse_xml(out)
            else:
                part._blob = out


def case(name, build, ctx, autoescape=True, xml=None, post=None, images=None, notes=False):
    if ONLY and name not in ONLY:
        return
    d = os.path.join(HERE, name)
    os.makedirs(d, exist_ok=True)
    if 'images/' in json.dumps(ctx):
        os.makedirs(os.path.join(d, 'images'), exist_ok=True)
        if images:
            images(os.path.join(d, 'images'))
        else:
            shutil.copy(os.path.join(HERE, '..', '..', 'benches', 'fixtures', 'chart.png'), os.path.join(d, 'images'))
    doc = Document()
    build(doc)
    doc.save(os.path.join(d, 'template.docx'))
    if xml:
        rewrite(os.path.join(d, 'template.docx'), xml)
    if post:
        post(os.path.join(d, 'template.docx'))
    json.dump(ctx, open(os.path.join(d, 'context.json'), 'w'), ensure_ascii=False)
    tpl = DocxTemplate(os.path.join(d, 'template.docx'))
    try:
        c = convert(ctx, tpl, d)
        tpl.render(c, autoescape=autoescape)
        if notes:
            render_notes(tpl, c, jinja2.Environment(autoescape=autoescape))
        tpl.save(os.path.join(d, 'expected.docx'))
    except Exception as e:
        # Jinja2 says "'x' is undefined"; the engine's message differs, the word is shared.
        open(os.path.join(d, 'expected_error.txt'), 'w').write("undefined\n")
        print(name, 'docxtpl error', e)

def merge_par(doc):
    doc.add_paragraph('Texto A')
    doc.add_paragraph('{%- if vive %}')
    doc.add_paragraph('vive en la ciudad')
    doc.add_paragraph('{%- endif %}')
    doc.add_paragraph('Texto C {%- if x -%} ')
    doc.add_paragraph('unido')
    doc.add_paragraph('{%- endif -%}')
    doc.add_paragraph('fin')
case('merge_paragraph', merge_par, {'vive': True, 'x': True})

def comments(doc):
    doc.add_paragraph('uno {#p borrar #} dos')
    doc.add_paragraph('tres {# inline #}cuatro')
    t = doc.add_table(rows=3, cols=3)
    t.cell(0,0).text = 'a'; t.cell(0,1).text = '{#tc x #}'; t.cell(0,2).text = 'c'
    t.cell(1,0).text = '{#tr fila #}'
    t.cell(2,0).text = 'g'; t.cell(2,1).text = 'h'; t.cell(2,2).text = 'i'
case('comments', comments, {})

def less_cells(doc):
    t = doc.add_table(rows=2, cols=5)
    t.cell(0,0).text = 'Nombre'
    t.cell(0,1).text = '{%tc for c in cols %}'
    t.cell(0,2).text = '{{ c }}'
    t.cell(0,3).text = '{%tc endfor %}'
    t.cell(0,4).text = 'Fin'
    t.cell(1,0).text = 'x'
case('less_cells', less_cells, {'cols': ['A']})

def rich_ea(doc):
    doc.add_paragraph('{{r rt }} y {{ img }}')
    p = doc.add_paragraph()
    r = p.add_run('{{ ')
    r.bold = True
    r2 = p.add_run('nombre')
    r2.italic = True
    r3 = p.add_run(' }}')
    r3.font.color.rgb = RGBColor(255, 0, 0)
    p.add_run(' cola')
    doc.add_paragraph('{{p rp }}')
case('rich_ea', rich_ea, {'rt': {'$richtext': [{'text': '中文', 'font': 'eastAsia:Microsoft YaHei', 'size': 30}, {'text': 'link', 'url': 'http://example.com/a?b=1&c=2'}, {'text': 'x\ny\tz\u0007w', 'underline': 'wave', 'strike': True, 'highlight': '#00FF00'}]},
                          'img': {'$image': {'path': 'images/chart.png', 'width_mm': 50}},
                          'nombre': 'Ana <&>',
                          'rp': {'$richtextparagraph': [{'parastyle': 'Heading1', 'runs': [{'text': 'Título'}]}, {'runs': [{'text': 'a', 'bold': True}, {'text': 'b\u0007c'}]}]}})

def loops(doc):
    doc.add_paragraph('{%p for a in areas %}')
    doc.add_paragraph('Área {{ loop.index }}: {{ a.nombre|upper }} {% for l in a.lecciones %}{{ l }}{% if not loop.last %}, {% endif %}{% endfor %}')
    doc.add_paragraph('{%p endfor %}')
    doc.add_paragraph('{{ vacio|length }} {{ 3.0 }} {{ 10/4 }} {{ 7//2 }} {{ "%.1f"|format(pd) }} {{ items|join("-") }} {{ d.items()|list }}')
    t = doc.add_table(rows=3, cols=2)
    t.cell(0,0).text = '{%tr for l in vacio %}'
    t.cell(1,0).text = '{{ l }}'
    t.cell(2,0).text = '{%tr endfor %}'
# loops: items() prints tuples in Python
None and case('loops', loops, {'areas': [{'nombre': 'álgebra', 'lecciones': ['L1', 'L2']}, {'nombre': 'geometría', 'lecciones': []}], 'vacio': [], 'pd': 54.55, 'items': [1,2], 'd': {'a': 1, 'b': [True, None]}})

def hf(doc):
    sec = doc.sections[0]
    sec.header.paragraphs[0].text = 'Cabecera {{ nombre }} {{ img }}'
    sec.footer.paragraphs[0].text = 'Pie {{r rt }}'
    doc.add_paragraph('cuerpo {{ nombre }}')
# case('hf', hf,  # docxtpl puts footer hyperlinks in the main part's rels (dangling id)
None and case('hf', hf, {'nombre': 'Ana', 'img': {'$image': {'path': 'images/chart.png', 'height_mm': 10}}, 'rt': {'$richtext': [{'text': 'link', 'url': 'http://e.com'}]}})

def vm_nested(doc):
    outer = doc.add_table(rows=1, cols=2)
    outer.cell(0,0).text = 'Exterior'
    inner = outer.cell(0,1).add_table(rows=3, cols=3)
    inner.cell(0,0).text = '{%tr for g in grupos %}'
    inner.cell(1,0).text = '{% vm %}{{ g.cat }}'
    inner.cell(1,1).text = '{{ g.item }}'
    inner.cell(1,2).text = '{% cellbg g.bg %}{% colspan 1 %}x'
    inner.cell(2,0).text = '{%tr endfor %}'
case('vm_nested', vm_nested, {'grupos': [{'cat': 'A', 'item': 'i1', 'bg': 'FF0000'}, {'cat': 'A', 'item': 'i2', 'bg': '00FF00'}, {'cat': 'B', 'item': 'i3', 'bg': '0000FF'}]})

def errors(doc):
    doc.add_paragraph('{{ x.y.z }}')
case('undef_attr', errors, {})

def spaces(doc):
    p = doc.add_paragraph()
    p.add_run('  antes ')
    p.add_run('{{ a }}')
    p.add_run('   ')
    p.add_run('{{ b }}  ')
    p.add_run(' después  ')
    doc.add_paragraph('{% for i in range(3) %}{{ i }} {% endfor %}|{{ "a,b"|replace(",", ";") }}|{{ nombre.title() }}|{{ "x" if si else "y" }}|{{ lst|sort|first }}|{{ n|abs }}|{{ s.strip() }}|{{ s.upper() }}|{{ s.startswith("  h") }}')
case('spaces', spaces, {'a': 'A', 'b': 'B', 'nombre': 'maría josé', 'si': False, 'lst': [3, 1, 2], 'n': -4, 's': '  hola  '})


# --- issue 11: the rest of docxtpl parity -------------------------------------------------

def ws_unicode(doc):
    # A join ({%- / -%} across paragraphs) removes the dash, so the joined text keeps its
    # spaces, U+00A0 and U+3000 included; a dash left to Jinja (same paragraph) strips every
    # str.isspace() character: U+2002, U+2009, U+200A, U+202F, U+1680, U+3000, U+00A0.
    doc.add_paragraph('Texto A\u00a0\u3000')
    doc.add_paragraph('{%- if x %}\u2003dentro')
    doc.add_paragraph('{%- endif %}')
    doc.add_paragraph('antes\u00a0\u2002 {%- if x -%}\u3000\u00a0 después')
    doc.add_paragraph('{%- endif -%}')
    doc.add_paragraph('\u205f\u00a0fin {{- y -}}\u2009\u200a cola')
    doc.add_paragraph('a\u00a0{{- y }}|{{ y -}}\u202f\u1680b')
case('ws_unicode', ws_unicode, {'x': True, 'y': 'Y'})

def nbsp_in_tags(doc):
    # Word puts no-break spaces inside tags too; Jinja reads them as spaces between tokens,
    # but keeps them inside string literals.
    doc.add_paragraph('{%\u00a0if\u00a0x\u00a0%}sí{%\u00a0endif\u00a0%}|{{\u3000y\u2003}}|{{ "n\u00a0b" }}')
case('nbsp_in_tags', nbsp_in_tags, {'x': True, 'y': 'Y'})

def cell_spaces(doc):
    t = doc.add_table(rows=2, cols=3)
    t.cell(0, 0).text = 'A1'; t.cell(0, 1).text = '{{ a }} '; t.cell(0, 2).text = 'A3'
    t.cell(1, 0).text = 'B1'; t.cell(1, 1).text = 'B2'; t.cell(1, 2).text = ' {% cellbg "FF0000" %}y'
    t2 = doc.add_table(rows=3, cols=3)
    t2.cell(0, 0).text = '{%tr for r in rows %}'
    t2.cell(1, 0).text = ' {% vm %}{{ r }}'; t2.cell(1, 1).text = 'C2'; t2.cell(1, 2).text = ' z'
    t2.cell(2, 0).text = '{%tr endfor %}'
    t3 = doc.add_table(rows=1, cols=4)
    t3.cell(0, 0).text = ' n'; t3.cell(0, 1).text = '{%tc for c in rows %}'
    t3.cell(0, 2).text = ' {{ c }}'; t3.cell(0, 3).text = '{%tc endfor %}'
    doc.add_paragraph('Q1')

def cell_spaces_xml(x):
    # Plain <w:t> (no xml:space) holding leading spaces: docxtpl marks one "preserve" when a tag
    # follows it before the next plain <w:t>, even in another run, cell or row.
    x = x.replace('<w:t>A1</w:t>', '<w:t> sin preserve</w:t>')
    x = x.replace('<w:t>A3</w:t>', '<w:t>  tres</w:t>')
    x = x.replace('<w:r><w:t>B1</w:t></w:r>', '<w:r><w:t xml:space="preserve"> </w:t></w:r><w:r><w:t>b1</w:t></w:r>')
    x = x.replace('<w:t>B2</w:t>', '<w:t> antes del color</w:t>')
    x = x.replace('<w:t>C2</w:t>', '<w:t>  dos</w:t>')
    x = x.replace('<w:t>Q1</w:t>', '<w:t> q1</w:t></w:r><w:r><w:t xml:space="preserve">{{ a }}</w:t>')
    return x
case('cell_spaces', cell_spaces, {'a': 'A', 'rows': ['r1', 'r2']}, xml=cell_spaces_xml)

def tab_literals(doc):
    doc.sections[0].header.paragraphs[0].text = 'H1'
    doc.add_paragraph('T1')
    t = doc.add_table(rows=3, cols=2)
    t.cell(0, 0).text = '{%tr for r in rows %}'
    t.cell(1, 0).text = 'T2'; t.cell(1, 1).text = '{{ "\\t" ~ r }}'
    t.cell(2, 0).text = '{%tr endfor %}'
    doc.add_paragraph('{%p if y %}')
    doc.add_paragraph('T3')
    doc.add_paragraph('{%p endif %}')
    doc.add_paragraph('T4')

def tab_literals_xml(x):
    # Real tab characters inside string literals (python-docx would write <w:tab/> instead).
    x = x.replace('<w:t>T1</w:t>', '<w:t>{{ "a\tb" }}|{{ y ~ "\t" }}|{% if y %}c\td{% endif %}|{{ "\t".join(rows) }}</w:t>')
    x = x.replace('<w:t>T2</w:t>', '<w:t>{{ r|replace("r", "\tr") }}</w:t>')
    x = x.replace('<w:t>T3</w:t>', "<w:t>{{ 'e\tf' }}</w:t>")
    # A tab Word stores as <w:tab/> inside a tag: docxtpl reads only the tag's w:t text.
    x = x.replace('<w:r><w:t>T4</w:t></w:r>', '<w:r><w:t>{{ "g</w:t><w:tab/><w:t>h" }}</w:t></w:r><w:r><w:t xml:space="preserve"> {{ "i</w:t></w:r><w:r><w:tab/><w:t>j" ~ y }}</w:t></w:r>')
    return x

def tab_literals_post(path):
    rewrite(path, lambda x: x.replace('<w:t>H1</w:t>', '<w:t>{{ "k\tl" }}</w:t>'), 'word/header1.xml')
case('tab_literals', tab_literals, {'y': 'Y', 'rows': ['r1', 'r2']}, xml=tab_literals_xml, post=tab_literals_post)

ENDNOTES = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<w:endnotes xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            '<w:endnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:endnote>'
            '<w:endnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:endnote>'
            '<w:endnote w:id="1"><w:p><w:r><w:endnoteRef/></w:r><w:r><w:t xml:space="preserve"> %s</w:t></w:r></w:p></w:endnote>'
            '</w:endnotes>')

def add_endnotes(text):
    def post(path):
        with zipfile.ZipFile(path) as z:
            items = [(i, z.read(i.filename)) for i in z.infolist()]
        with zipfile.ZipFile(path, 'w', zipfile.ZIP_DEFLATED) as z:
            for info, data in items:
                if info.filename == '[Content_Types].xml':
                    data = data.replace(b'</Types>', b'<Override PartName="/word/endnotes.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.endnotes+xml"/></Types>')
                elif info.filename == 'word/_rels/document.xml.rels':
                    data = data.replace(b'</Relationships>', b'<Relationship Id="rIdEnd1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/endnotes" Target="endnotes.xml"/></Relationships>')
                elif info.filename == 'word/document.xml':
                    data = data.replace(b'<w:t>NOTA</w:t></w:r>', b'<w:t>nota</w:t></w:r><w:r><w:endnoteReference w:id="1"/></w:r>')
                z.writestr(info, data)
            z.writestr('word/endnotes.xml', ENDNOTES % text)
    return post

def notes(comment):
    def build(doc):
        p = doc.add_paragraph('Cuerpo {{ nombre }} ')
        r = p.add_run('NOTA')
        doc.add_comment(r, text=comment, author='Docente')
    return build
case('endnotes_comments', notes('Revisar {{ nombre|upper }}{% if pd > 50 %} (aprobado){% endif %}'),
     {'nombre': 'Ana & Bea', 'pd': 62.5}, post=add_endnotes('Fuente: {{ fuente }}, {{ "%.1f"|format(pd) }} %'), notes=True)
case('endnote_error', notes('sin tags'), {}, post=add_endnotes('{{ x.y.z }}'), notes=True)
case('comment_error', notes('{{ x.y.z }}'), {}, notes=True)

def bmp_tiff_images(folder):
    from PIL import Image
    Image.new('RGB', (60, 30), (200, 30, 30)).save(os.path.join(folder, 'rojo.bmp'), dpi=(150, 150))
    Image.new('RGB', (45, 20), (30, 30, 200)).save(os.path.join(folder, 'sin_dpi.bmp'))
    Image.new('RGB', (80, 40), (30, 160, 30)).save(os.path.join(folder, 'verde.tiff'), dpi=(200, 100))
    # Resolution in pixels per centimetre (ResolutionUnit 3).
    Image.new('L', (50, 25), 128).save(os.path.join(folder, 'gris_cm.tif'), tiffinfo={296: 3, 282: 40, 283: 40})

def bmp_tiff(doc):
    doc.sections[0].header.paragraphs[0].text = 'Logo {{ logo }}'
    doc.add_paragraph('{{ rojo }} | {{ sin_dpi }} | {{ verde }} | {{ gris }}')
    doc.add_paragraph('{{ rojo_ancho }} {{ verde_alto }}')
img = lambda f, **kw: {'$image': dict(path='images/' + f, **kw)}
case('bmp_tiff', bmp_tiff, {'logo': img('sin_dpi.bmp', height_mm=8), 'rojo': img('rojo.bmp'), 'sin_dpi': img('sin_dpi.bmp'),
                            'verde': img('verde.tiff'), 'gris': img('gris_cm.tif'),
                            'rojo_ancho': img('rojo.bmp', width_mm=30), 'verde_alto': img('verde.tiff', height_mm=12)},
     images=bmp_tiff_images)
