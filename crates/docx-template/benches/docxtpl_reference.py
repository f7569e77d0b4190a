#!/usr/bin/env python3
"""docxtpl reference timings for the two cases of benches/render.rs.

Usage: python3 docxtpl_reference.py [--runs N] [--conformance DIR]
Needs docxtpl 0.20.2 (pip install docxtpl==0.20.2). Prints the median time of one
load + render + save (to memory) per case, in milliseconds: docxtpl cannot render a
loaded template twice, so loading is part of every render.
"""
import argparse
import io
import json
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def segment(seg, tpl):
    seg = dict(seg)
    if "url" in seg:
        seg["url_id"] = tpl.build_url_id(seg.pop("url"))
    return seg


def convert(value, tpl, base):
    """Turn the JSON context markers into docxtpl objects (see the conformance README)."""
    from docx.shared import Mm
    from docxtpl import InlineImage, RichText, RichTextParagraph

    if isinstance(value, dict):
        if len(value) == 1 and "$image" in value:
            spec = value["$image"]
            kw = {}
            if "width_mm" in spec:
                kw["width"] = Mm(spec["width_mm"])
            if "height_mm" in spec:
                kw["height"] = Mm(spec["height_mm"])
            return InlineImage(tpl, os.path.join(base, spec["path"]), **kw)
        if len(value) == 1 and "$richtext" in value:
            rt = RichText()
            for seg in value["$richtext"]:
                rt.add(**segment(seg, tpl))
            return rt
        if len(value) == 1 and "$richtextparagraph" in value:
            rp = RichTextParagraph()
            for par in value["$richtextparagraph"]:
                rt = RichText()
                for seg in par.get("runs", []):
                    rt.add(**segment(seg, tpl))
                rp.add(rt, parastyle=par.get("parastyle"))
            return rp
        return {k: convert(v, tpl, base) for k, v in value.items()}
    if isinstance(value, list):
        return [convert(v, tpl, base) for v in value]
    return value


def time_case(name, template, context_path, runs):
    from docxtpl import DocxTemplate

    with open(context_path, encoding="utf-8") as f:
        raw = json.load(f)
    base = os.path.dirname(context_path)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        tpl = DocxTemplate(template)
        tpl.render(convert(raw, tpl, base), autoescape=True)
        tpl.save(io.BytesIO())
        times.append((time.perf_counter() - t0) * 1000)
    print(f"{name}: median {statistics.median(times):.2f} ms over {runs} runs (docxtpl load+render+save)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument(
        "--conformance",
        default=os.environ.get(
            "DOCXTPL_CONFORMANCE_DIR",
            os.path.join(HERE, "..", "..", "..", "..", "shared", "conformance", "docxtpl"),
        ),
    )
    args = ap.parse_args()
    try:
        import docxtpl  # noqa: F401
    except ImportError:
        print("docxtpl is not installed (pip install docxtpl==0.20.2); nothing to compare", file=sys.stderr)
        return 0
    order = os.path.join(args.conformance, "order")
    if os.path.exists(os.path.join(order, "template.docx")):
        time_case("order", os.path.join(order, "template.docx"), os.path.join(order, "context.json"), args.runs)
    else:
        print(f"order: skipped, {order} not found", file=sys.stderr)
    fx = os.path.join(HERE, "fixtures")
    time_case("report_40_rows", os.path.join(fx, "report_template.docx"), os.path.join(fx, "report_context.json"), args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
