#!/usr/bin/env python3
"""Import-layering check of the workspace's crates (python3 >= 3.11, standard library only).

    python3 scripts/check-layers.py              every member of the root Cargo.toml's workspace
    python3 scripts/check-layers.py --crate DIR  one crate
    python3 scripts/check-layers.py --self-test  the checker against throwaway trees

Modules are files: src/a/b.rs and src/a/b/mod.rs are `a::b`, src/lib.rs and src/main.rs the root
(src/bin/ holds other crates' roots: skipped). Every `crate::`, `super::` and `self::` path (use
lines, groups `{a, b::c}`, paths in code; comments and strings blanked) is an edge to the deepest
module file it names (`crate::db::jobs::Row` -> db::jobs if src/db/jobs.rs exists, else db),
followed through `use` items to the module defining the item: `crate::queue::JobError`, re-exported
by queue/mod.rs from queue/error.rs, is an edge to queue::error, so re-exports hide nothing.
Unprefixed paths name the file's own children, which no rule is about.

Rule 1, every crate: no import cycle. An edge to one's own descendant does not count (a mod.rs
re-exporting or using its children is normal Rust); any other does, to the parent too. Each cycle
(files that all reach each other) is printed with the imports between its files.

Rule 2, crates with scripts/layers.toml (the root crate): a top-level module may import from itself
and from modules of strictly lower layers; modules of one layer are peers and may not import each
other, nor the crate root (`crate::X` defined in lib.rs). The root may import anything. Every
top-level module must be listed. TOML, one key, each string one layer of space-separated module
names, lowest first:  layers = ["domain", "config rules", "http"]
"""
import glob, re, sys, tempfile, tomllib
from collections import defaultdict
from pathlib import Path

IDENT, SEP, AS = re.compile(r"\s*(?:r#)?(\w+|\*)"), re.compile(r"\s*::"), re.compile(r"\s+as\s+(\w+)")
OPEN, CLOSE, COMMA = re.compile(r"\s*\{"), re.compile(r"\s*\}"), re.compile(r"\s*,")
CHAR = re.compile(r"b?'(?:\\(?:x[0-9a-fA-F]{2}|u\{[0-9a-fA-F]+\}|.)|[^\\'\n])'")  # not lifetimes
RAW, STR = re.compile(r'\b[bc]?r(#*)"'), re.compile(r'(?:\b[bc])?"')
TOKEN = re.compile(  # inline `mod x {`, braces, `use`, prefixed paths (`$crate::` too), item definitions
    r"\bmod\s+(?:r#)?(\w+)\s*\{|[{}]|\b(use)\s+|\b(?:crate|super|self)\s*::"
    r"|\b(?:struct|enum|union|trait|fn|type|const|static|macro_rules!)\s+(?:mut\s+)?(?:r#)?(?!fn\b)(\w+)")


def blank(s):
    return re.sub(r"[^\n]", " ", s)  # newlines stay, so do line numbers


def strip(src):
    """The source with comments, string and char literals blanked."""
    out, i, n = [], 0, len(src)
    while i < n:
        if src.startswith("//", i):
            j = src.find("\n", i) % (n + 1)  # -1 (last line) becomes n
        elif src.startswith("/*", i):  # block comments nest
            j, depth = i + 2, 1
            while j < n and depth:
                d = src.startswith("/*", j) - src.startswith("*/", j)
                depth, j = depth + d, j + (2 if d else 1)
        elif m := RAW.match(src, i):
            j = src.find('"' + m.group(1), m.end()) % (n + 1) + 1 + len(m.group(1))
        elif m := STR.match(src, i):
            j = m.end()
            while j < n and src[j] != '"':
                j += 2 if src[j] == "\\" else 1
            j += 1
        elif m := CHAR.match(src, i):
            j = m.end()
        else:
            out.append(src[i])
            i += 1
            continue
        out.append(blank(src[i:j]))
        i = j
    # `pub(in crate::a)` is a visibility, not a dependency.
    return re.sub(r"\bpub\s*\(\s*in\b[^)]*\)", lambda m: blank(m.group()), "".join(out))


def tree(s, i):
    """[(segments, alias)] of the use-tree at s[i] (`a::b as c`, `{a, b::{c, d}}`, `*`), and its end."""
    if m := OPEN.match(s, i):
        out, i = [], m.end()
        while not (m := CLOSE.match(s, i)):
            sub, i = tree(s, i)
            out += sub
            if m := COMMA.match(s, i):
                i = m.end()
            elif not CLOSE.match(s, i):
                return out, i  # malformed or cut short: keep what was read
        return out, m.end()
    if not (m := IDENT.match(s, i)):
        return [([], None)], i
    head, i = m.group(1), m.end()
    if m := SEP.match(s, i):
        rest, i = tree(s, m.end())
        return [([head] + r, a) for r, a in rest], i
    m = AS.match(s, i)
    return [([head], m and m.group(1))], m.end() if m else i


def scan(text):
    """Paths as (inline module, line, segments, alias, is a file-level use) and names defined."""
    paths, defined, inline, depth, i = [], set(), [], 0, 0  # `super::` in `mod t { }` is the file
    while m := TOKEN.search(text, i):
        i = m.end()
        if m.group(1) or m.group() == "{":
            depth += 1
            inline += [(m.group(1), depth)] * bool(m.group(1))
        elif m.group() == "}":
            depth -= 1
            inline = [x for x in inline if x[1] <= depth]
        elif m.group(3):
            defined |= {m.group(3)} if depth == 0 else set()
        else:
            found, i = tree(text, i if m.group(2) else m.start())
            line, inner = text.count("\n", 0, m.start()) + 1, tuple(x[0] for x in inline)
            paths += [(inner, line, s, a, bool(m.group(2)) and depth == 0) for s, a in found if s]
    return paths, defined


def graph(crate):
    """{module: first file} and {(from, to): (file, line)} of a crate's src/."""
    files, mods = {}, {}
    for f in sorted(Path(crate, "src").rglob("*.rs")):
        parts = f.relative_to(crate / "src").with_suffix("").parts
        if parts[0] != "bin":
            files[f] = () if parts in (("lib",), ("main",)) else parts[:-1] if parts[-1] == "mod" else parts
            mods.setdefault(files[f], f)  # lib.rs before main.rs
    defined, imports, globs, refs = defaultdict(set), defaultdict(dict), defaultdict(list), []
    for f, here in files.items():
        paths, names = scan(strip(f.read_text(encoding="utf-8")))
        defined[here] |= names
        for inner, line, (head, *rest), alias, is_use in paths:
            at = here + inner
            if head in ("self", "super"):
                base = at if head == "self" else at[:-1]
                while rest[:1] == ["super"]:
                    base, rest = base[:-1], rest[1:]
                full = base + tuple(rest)
            elif head == "crate" or at + (head,) in mods:  # else another crate's path
                full = tuple(rest) if head == "crate" else at + (head, *rest)
            else:
                continue
            if head in ("crate", "self", "super"):
                refs.append((here, full, f, line))
            if is_use and full[-1:] == ("*",):
                globs[here].append(full[:-1])
            elif is_use and alias != "_" and full:  # what a module imports, its children see
                full = full[:-1] if full[-1] == "self" else full
                imports[here][alias or full[-1]] = full

    def resolve(path, seen):
        """(defining module, found) of a path, following use items and glob imports."""
        m = next(path[:k] for k in range(len(path), -1, -1) if path[:k] in mods or k == 0)
        rest = path[len(m):]
        if not rest or rest[0] in ("self", "*") or rest[0] in defined[m]:
            return m, True
        if (m, rest[0]) not in seen:
            seen.add((m, rest[0]))
            if rest[0] in imports[m]:
                return resolve(imports[m][rest[0]] + rest[1:], seen)
            for g in globs[m]:
                if (r := resolve(g + rest, seen))[1]:
                    return r
        return m, False

    edges = {}
    for here, full, f, line in refs:
        if (to := resolve(full, set())[0]) != here:
            edges.setdefault((here, to), (f, line))
    return mods, edges


def cycles(nodes, succ):
    """The sets of two or more modules that all reach each other (the graphs here are small)."""
    reach = {}
    for v in nodes:
        reach[v], todo = set(), [v]
        while todo:
            new = succ[todo.pop()] - reach[v]
            reach[v] |= new
            todo += new
    out = []
    for v in sorted(nodes):
        scc = {w for w in reach[v] if v in reach[w]}  # empty unless v is on a cycle
        out += [scc] * (len(scc) > 1 and scc not in out)
    return out


def check(crate):
    """Problems of one crate as (rule, message)."""
    crate, problems, succ = Path(crate), [], defaultdict(set)
    mods, edges = graph(crate)
    for a, b in edges:
        if b[: len(a)] != a:  # an edge to one's own descendant is no dependency
            succ[a].add(b)
    for scc in cycles(mods, succ):  # its files, then every import between them (to cut some)
        names = ", ".join(str(mods[m].relative_to(crate / "src")) for m in sorted(scc))
        inside = sorted((at, b) for (a, b), at in edges.items() if {a, b} <= scc and b in succ[a])
        lines = "".join(f"\n    {f}:{line} -> {mods[b]}" for (f, line), b in inside)
        problems.append(("cycle", f"import cycle among {len(scc)} files: {names}{lines}"))
    layers_file, layer = crate / "scripts" / "layers.toml", {}
    if not layers_file.exists():
        return problems
    for n, line in enumerate(tomllib.loads(layers_file.read_text())["layers"]):
        for m in line.split():
            problems += [("layers", f"{layers_file}: {m} is listed twice")] * (m in layer)
            layer[m] = n
    for m in sorted({m[0] for m in mods if m} - set(layer)):
        problems.append(("unlisted", f"{mods.get((m,), m)}: module {m} is not listed: add it to {layers_file}"))
    for (a, b), (f, line) in sorted(edges.items()):
        if not a or b[:1] == a[:1] or a[0] not in layer or b and b[0] not in layer:
            continue  # from the root, within a module, or unlisted (reported above)
        if not b:
            rule = f"{a[0]} may not import the crate root; import from the defining module"
        elif layer[b[0]] >= layer[a[0]]:
            rel = "the same layer as" if layer[b[0]] == layer[a[0]] else "a higher layer than"
            rule = f"{b[0]} (layer {layer[b[0]] + 1}) is in {rel} {a[0]} (layer {layer[a[0]] + 1})"
        else:
            continue
        problems.append(("layers", f"{f}:{line} -> crate::{'::'.join(b)} (layers: {rule})"))
    return problems


SELF_TEST = [  # (case, files under src/, layers or None, rules that must fail)
    ("clean", {"lib.rs": "mod a; mod b;", "b.rs": "pub fn g() {}",
               "a.rs": "use crate::b::{X, y::{Z}};\nfn f() { crate::b::g() }\nmod tests { use super::*; }"}, '["b", "a"]', set()),
    ("sibling cycle", {"lib.rs": "mod a;", "a/mod.rs": "mod x; mod y;", "a/x.rs": "use super::y::Y;",
                       "a/y.rs": "fn f() -> crate::a::x::X { todo!() }"}, None, {"cycle"}),
    ("cycle through another module", {"lib.rs": "", "a/mod.rs": "pub mod x;", "a/x.rs": "use crate::b::B;",
                                      "b.rs": "use crate::a::{self, x::X};"}, None, {"cycle"}),
    ("cycle behind a re-export", {"lib.rs": "", "a/mod.rs": "mod x;\npub use x::X;", "a/x.rs": "use crate::b::B;",
                                  "b.rs": "fn f(_: crate::a::X) {}"}, None, {"cycle"}),
    ("sibling cycle behind grouped re-exports", {"lib.rs": "", "a/mod.rs": "mod x; mod y;\npub use x::{X, X2};\n"
                                                 "pub use y::Y;", "a/x.rs": "use super::Y;", "a/y.rs": "use super::X;"},
     None, {"cycle"}),
    ("upward import", {"lib.rs": "", "low.rs": "fn f() -> crate::high::H { todo!() }", "mid.rs": "",
                       "high.rs": "use super::mid::M;"}, '["low", "mid", "high"]', {"layers"}),
    ("peers", {"lib.rs": "", "p.rs": "use crate::q::Q;", "q.rs": ""}, '["p q"]', {"layers"}),
    ("unlisted", {"lib.rs": "", "p.rs": "", "new.rs": ""}, '["p"]', {"unlisted"}),
    ("parent re-export, child super::", {
        "lib.rs": "pub mod a;\npub use a::T;", "a/mod.rs": "mod b;\npub use b::B;\npub use self::b::C as D;\npub struct T;",
        "a/b.rs": "use super::T;\npub struct B(crate::a::T);\nmod tests { use super::*; use super::super::T; }"},
     '["a"]', set()),
    ("comments and strings", {"lib.rs": "", "b.rs": "use crate::a::A;", "a.rs": '// use crate::b::X;\n'
                              '/* crate::b /* nested */ crate::b */ const S: &str = "crate::b::X \\" crate::b";\n'
                              'const R: &str = r#"crate::b"#; const C: char = \'"\'; fn f<\'a>(_: &\'a str) {}'},
     '["a", "b"]', set()),
]


def self_test():
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for n, (case, files, layers, want) in enumerate(SELF_TEST):
            root = Path(tmp, str(n))
            files = {f"src/{path}": text for path, text in files.items()}
            for path, text in files.items() | ({"scripts/layers.toml": f"layers = {layers}"} if layers else {}).items():
                (root / path).parent.mkdir(parents=True, exist_ok=True)
                (root / path).write_text(text)
            problems = check(root)
            ok = {rule for rule, _ in problems} == want
            failed += not ok
            print(f"{'ok  ' if ok else 'FAIL'} {case}" + "".join(f"\n    {m}" for _, m in problems if not ok))
    return 1 if failed else 0


def main(args):
    if args == ["--self-test"]:
        return self_test()
    if len(args) == 2 and args[0] == "--crate":
        crates = [Path(args[1])]
    elif not args:
        members = tomllib.loads(Path("Cargo.toml").read_text())["workspace"]["members"]
        crates = sorted({Path(p) for m in members for p in glob.glob(m) if Path(p, "src").is_dir()})
    else:
        print(__doc__, file=sys.stderr)
        return 2
    problems = [(c, m) for c in crates for _, m in check(c)]
    for crate, message in problems:
        print(f"check-layers: {crate / 'src'}: {message}")
    if problems:
        print(f"check-layers: {len(problems)} problem(s); the rules are at the top of scripts/check-layers.py")
        return 1
    print(f"check-layers: ok ({', '.join(str(c / 'src') for c in crates)})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
