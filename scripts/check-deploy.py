#!/usr/bin/env python3
"""Checks the deployment and monitoring files against the code, so they work as written:

* monitoring/log-metrics/*.yaml: the shape `gcloud logging metrics create --config-from-file`
  takes; every log code (`jsonPayload.code="…"`) a filter names is a code the service logs
  (`code = "…"` or a stable `"…"` code in src/), every message it matches is written in src/,
  every jsonPayload field it reads is a field the service logs;
* monitoring/dashboard.json (`gcloud monitoring dashboards create --config-from-file`) and
  monitoring/alert-policy.yaml (`gcloud alpha monitoring policies create --policy-from-file`):
  their shape, aligners and reducers that fit the metric's kind, tiles inside the grid, and
  every metric they chart defined in log-metrics/ (or one of Cloud Run's own);
* deploy/README.md and deploy/service.yaml: every environment variable they set (env vars,
  secrets) is one env.template documents, both set the same ones, and every
  `webhook-service` command they run exists (src/cli/args.rs).

Exit status 1 with one line per problem. `--self-test` first proves on broken copies that
each kind of problem is found.
"""
import copy
import glob
import json
import os
import re
import sys

import yaml

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
USER_PREFIX = "logging.googleapis.com/user/"
# Cloud Run's built-in metrics the files may chart, with their kind and value type.
BUILTIN = {
    "run.googleapis.com/container/instance_count": ("GAUGE", "INT64"),
    "run.googleapis.com/request_count": ("DELTA", "INT64"),
    "run.googleapis.com/request_latencies": ("DELTA", "DISTRIBUTION"),
}
# What Cloud Monitoring accepts for each value type (projects.timeSeries aggregation docs).
NUMERIC_ALIGNERS = {"ALIGN_SUM", "ALIGN_DELTA", "ALIGN_RATE", "ALIGN_MEAN", "ALIGN_MAX",
                    "ALIGN_MIN", "ALIGN_COUNT", "ALIGN_NONE", "ALIGN_NEXT_OLDER"}
DISTRIBUTION_ALIGNERS = {"ALIGN_DELTA", "ALIGN_SUM", "ALIGN_COUNT", "ALIGN_MEAN", "ALIGN_NONE",
                         "ALIGN_PERCENTILE_99", "ALIGN_PERCENTILE_95", "ALIGN_PERCENTILE_50",
                         "ALIGN_PERCENTILE_05"}
REDUCERS = {"REDUCE_NONE", "REDUCE_SUM", "REDUCE_MEAN", "REDUCE_MAX", "REDUCE_MIN",
            "REDUCE_COUNT", "REDUCE_PERCENTILE_99", "REDUCE_PERCENTILE_95",
            "REDUCE_PERCENTILE_50", "REDUCE_PERCENTILE_05"}
COMPARISONS = {"COMPARISON_GT", "COMPARISON_GE", "COMPARISON_LT", "COMPARISON_LE",
               "COMPARISON_EQ", "COMPARISON_NE"}
PLOT_TYPES = {"LINE", "STACKED_AREA", "STACKED_BAR", "HEATMAP"}
KINDS = {"DELTA", "GAUGE", "CUMULATIVE"}
VALUE_TYPES = {"INT64", "DOUBLE", "DISTRIBUTION", "BOOL", "STRING"}
DURATION = re.compile(r"^\d+s$")
# Fields every JSON log line has (src/telemetry/mod.rs) besides the events' own.
ENTRY_FIELDS = {"message", "target", "time", "severity"}


class Source:
    """The service's Rust sources (src/, the crates), read once."""

    def __init__(self, root):
        self.text = ""
        for pattern in ("src/**/*.rs", "crates/*/src/**/*.rs"):
            for path in glob.glob(os.path.join(root, pattern), recursive=True):
                if os.sep + "tests" in path[len(root):] or path.endswith("tests.rs"):
                    continue
                with open(path, encoding="utf-8") as f:
                    self.text += f.read() + "\n"

    def has_code(self, code):
        return f'"{code}"' in self.text

    def has_message(self, text):
        return text in self.text

    def has_field(self, field):
        return field in ENTRY_FIELDS or re.search(r"\b" + re.escape(field) + r"\b", self.text)


def read_yaml(path):
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def filter_terms(filt):
    """(field, op, values) of each `field op value` comparison of a Logging filter."""
    terms = []
    for m in re.finditer(r'(jsonPayload\.[\w.]+)\s*(=|:|>=|<=|>|<|!=)\s*(\("[^)]*"\)|"[^"]*"|[\w.-]+)', filt):
        field, op, value = m.groups()
        values = re.findall(r'"([^"]*)"', value) if value.startswith(("(", '"')) else [value]
        terms.append((field, op, values))
    return terms


def check_log_metrics(metrics, src, problems):
    for path, m in metrics.items():
        where = os.path.relpath(path, ROOT)
        if not isinstance(m, dict):
            problems.append(f"{where}: not a mapping")
            continue
        stem = os.path.splitext(os.path.basename(path))[0]
        if m.get("name") != stem:
            problems.append(f"{where}: name {m.get('name')!r} is not the file's name {stem!r}")
        filt = m.get("filter")
        if not isinstance(filt, str) or not filt.strip():
            problems.append(f"{where}: no filter")
            continue
        if 'resource.type="cloud_run_revision"' not in filt:
            problems.append(f"{where}: the filter does not select Cloud Run's logs")
        desc = m.get("metricDescriptor") or {}
        kind, vtype = desc.get("metricKind"), desc.get("valueType")
        if kind not in KINDS:
            problems.append(f"{where}: metricDescriptor.metricKind {kind!r} is not one of {sorted(KINDS)}")
        if vtype not in VALUE_TYPES:
            problems.append(f"{where}: metricDescriptor.valueType {vtype!r} is not one of {sorted(VALUE_TYPES)}")
        if vtype == "DISTRIBUTION":
            if "valueExtractor" not in m:
                problems.append(f"{where}: a DISTRIBUTION metric needs a valueExtractor")
            if "bucketOptions" not in m:
                problems.append(f"{where}: a DISTRIBUTION metric needs bucketOptions")
        elif "valueExtractor" in m:
            problems.append(f"{where}: valueExtractor on a {vtype} metric (counters count entries)")
        labels = {l.get("key") for l in desc.get("labels", []) or []}
        extractors = m.get("labelExtractors", {}) or {}
        if set(extractors) != labels:
            problems.append(f"{where}: labelExtractors {sorted(extractors)} differ from the labels {sorted(labels)}")
        read = []
        for extractor in list(extractors.values()) + [m.get("valueExtractor", "")]:
            for field in re.findall(r"EXTRACT\((jsonPayload\.[\w.]+)\)", extractor or ""):
                read.append(field)
            if extractor and not re.fullmatch(r"(EXTRACT|REGEXP_EXTRACT)\(.*\)", extractor):
                problems.append(f"{where}: extractor {extractor!r} is not EXTRACT(…) or REGEXP_EXTRACT(…)")
        terms = filter_terms(filt)
        for field, op, values in terms:
            read.append(field)
            if field == "jsonPayload.code":
                for code in values:
                    if not src.has_code(code):
                        problems.append(f"{where}: log code {code!r} is not one the service emits (not in src/)")
            elif field == "jsonPayload.message":
                for text in values:
                    if not src.has_message(text):
                        problems.append(f"{where}: message {text!r} is not written by the service (not in src/)")
        for field in read:
            name = field.split(".", 1)[1]
            if not src.has_field(name):
                problems.append(f"{where}: field {field} is not one the service logs")


def metric_types(filt):
    return re.findall(r'metric\.type\s*=\s*"([^"]+)"', filt)


def kind_of(metric, metrics_by_name):
    if metric.startswith(USER_PREFIX):
        m = metrics_by_name.get(metric[len(USER_PREFIX):])
        if m is None:
            return None
        d = m.get("metricDescriptor", {})
        return d.get("metricKind"), d.get("valueType")
    return BUILTIN.get(metric)


def check_query(where, filt, aggregations, metrics_by_name, problems):
    types = metric_types(filt or "")
    if len(types) != 1:
        problems.append(f"{where}: the filter names {len(types)} metric types, not one")
        return
    metric = types[0]
    kind = kind_of(metric, metrics_by_name)
    if kind is None:
        problems.append(f"{where}: metric {metric} is defined neither in monitoring/log-metrics/ nor a known Cloud Run metric")
        return
    _, vtype = kind
    for agg in aggregations:
        aligner, reducer = agg.get("perSeriesAligner"), agg.get("crossSeriesReducer", "REDUCE_NONE")
        allowed = DISTRIBUTION_ALIGNERS if vtype == "DISTRIBUTION" else NUMERIC_ALIGNERS
        if aligner not in allowed:
            problems.append(f"{where}: aligner {aligner} does not fit a {vtype} metric ({metric})")
        if reducer not in REDUCERS:
            problems.append(f"{where}: unknown reducer {reducer}")
        if reducer.startswith("REDUCE_PERCENTILE") and vtype != "DISTRIBUTION" and not aligner.startswith("ALIGN_PERCENTILE"):
            problems.append(f"{where}: a percentile of {metric}, which is not a distribution")
        if vtype == "DISTRIBUTION" and aligner == "ALIGN_DELTA" and reducer not in REDUCERS - {"REDUCE_MEAN"}:
            problems.append(f"{where}: reducer {reducer} on a distribution")
        if not DURATION.match(str(agg.get("alignmentPeriod", ""))):
            problems.append(f"{where}: alignmentPeriod {agg.get('alignmentPeriod')!r} is not like '300s'")
        for group in agg.get("groupByFields", []) or []:
            m = re.fullmatch(r'metric\.label\."?(\w+)"?', group)
            if m and metric.startswith(USER_PREFIX):
                d = metrics_by_name[metric[len(USER_PREFIX):]].get("metricDescriptor", {})
                keys = {l.get("key") for l in d.get("labels", []) or []}
                if m.group(1) not in keys:
                    problems.append(f"{where}: groups by label {m.group(1)!r}, which {metric} does not have")
    for label in re.findall(r'metric\.label\."?(\w+)"?\s*=', filt):
        if metric.startswith(USER_PREFIX):
            d = metrics_by_name[metric[len(USER_PREFIX):]].get("metricDescriptor", {})
            if label not in {l.get("key") for l in d.get("labels", []) or []}:
                problems.append(f"{where}: filters on label {label!r}, which {metric} does not have")


def check_dashboard(dash, metrics_by_name, problems):
    where = "monitoring/dashboard.json"
    if not dash.get("displayName"):
        problems.append(f"{where}: no displayName")
    layout = dash.get("mosaicLayout")
    if not isinstance(layout, dict) or not layout.get("tiles"):
        problems.append(f"{where}: no mosaicLayout.tiles")
        return
    columns = layout.get("columns", 48)
    cells = {}
    for i, tile in enumerate(layout["tiles"]):
        w = f"{where}: tile {i}"
        x, y, width, height = (tile.get(k, 0) for k in ("xPos", "yPos", "width", "height"))
        if width <= 0 or height <= 0 or x < 0 or y < 0 or x + width > columns:
            problems.append(f"{w}: outside the {columns}-column grid (x {x}, width {width})")
        for cx in range(x, x + width):
            for cy in range(y, y + height):
                if (cx, cy) in cells:
                    problems.append(f"{w}: overlaps tile {cells[(cx, cy)]}")
                    break
                cells[(cx, cy)] = i
            else:
                continue
            break
        widget = tile.get("widget", {})
        if not widget.get("title"):
            problems.append(f"{w}: no title")
        chart = widget.get("xyChart")
        if not chart or not chart.get("dataSets"):
            problems.append(f"{w}: not an xyChart with dataSets")
            continue
        for j, ds in enumerate(chart["dataSets"]):
            wd = f"{w} ({widget.get('title')}), dataSet {j}"
            if ds.get("plotType") not in PLOT_TYPES:
                problems.append(f"{wd}: plotType {ds.get('plotType')!r}")
            tsf = ds.get("timeSeriesQuery", {}).get("timeSeriesFilter")
            if not tsf:
                problems.append(f"{wd}: no timeSeriesQuery.timeSeriesFilter")
                continue
            check_query(wd, tsf.get("filter"), [tsf.get("aggregation", {})], metrics_by_name, problems)


def check_alert_policy(policy, metrics_by_name, problems):
    where = "monitoring/alert-policy.yaml"
    for key in ("displayName", "combiner", "conditions"):
        if not policy.get(key):
            problems.append(f"{where}: no {key}")
    if policy.get("combiner") not in {"OR", "AND", "AND_WITH_MATCHING_RESOURCE"}:
        problems.append(f"{where}: combiner {policy.get('combiner')!r}")
    if not (policy.get("documentation") or {}).get("content"):
        problems.append(f"{where}: no documentation.content for the person paged")
    for i, cond in enumerate(policy.get("conditions") or []):
        w = f"{where}: condition {i} ({cond.get('displayName')})"
        if not cond.get("displayName"):
            problems.append(f"{w}: no displayName")
        kinds = [k for k in ("conditionThreshold", "conditionAbsent", "conditionMatchedLog") if k in cond]
        if len(kinds) != 1:
            problems.append(f"{w}: needs exactly one of conditionThreshold / conditionAbsent")
            continue
        body = cond[kinds[0]]
        if not DURATION.match(str(body.get("duration", ""))):
            problems.append(f"{w}: duration {body.get('duration')!r} is not like '300s'")
        if kinds[0] == "conditionThreshold":
            if body.get("comparison") not in COMPARISONS:
                problems.append(f"{w}: comparison {body.get('comparison')!r}")
            if not isinstance(body.get("thresholdValue"), (int, float)):
                problems.append(f"{w}: thresholdValue is not a number")
        check_query(w, body.get("filter"), body.get("aggregations") or [], metrics_by_name, problems)


def cli_commands(args_rs):
    """Subcommand names of the clap enums in src/cli/args.rs (kebab-case)."""
    names = set()
    for enum in re.findall(r"pub enum \w*Command \{(.*?)\n\}", args_rs, re.S):
        for variant in re.findall(r"^    ([A-Z]\w*)\b", enum, re.M):
            names.add(re.sub(r"(?<!^)([A-Z])", r"-\1", variant).lower())
        for alias in re.findall(r'alias = "([\w-]+)"', enum):
            names.add(alias)
    return names


def flag_assignments(text, flags):
    """KEY names of `--flag=K=V,K2=V2` / `--flag K=V,…` in shell text (line continuations joined)."""
    text = text.replace("\\\n", " ")
    keys = []
    for flag in flags:
        for m in re.finditer(re.escape(flag) + r"[= ]+\"?([^\s\"]+)", text):
            value, sep = m.group(1), ","
            # gcloud's own escaping: ^|^K=V|K2=V2 splits on | (gcloud topic escaping).
            custom = re.match(r"\^(.)\^", value)
            if custom:
                value, sep = value[3:], custom.group(1)
            for item in value.split(sep):
                if "=" in item:
                    keys.append(item.split("=", 1)[0])
    return keys


def check_deploy(readme, service, template_vars, commands, problems):
    where = "deploy/README.md"
    readme_vars = flag_assignments(readme, ("--set-env-vars", "--set-secrets"))
    updated = flag_assignments(readme, ("--update-env-vars", "--update-secrets"))
    if not readme_vars:
        problems.append(f"{where}: sets no environment variable (--set-env-vars / --set-secrets)")
    for name in readme_vars + updated:
        if name not in template_vars:
            problems.append(f"{where}: {name} is set but env.template does not document it")
    for m in re.finditer(r"--set-secrets[= ]+\"?([^\s\"]+)", readme.replace("\\\n", " ")):
        for item in m.group(1).split(","):
            if not re.fullmatch(r"[A-Z][A-Z0-9_]*=[\w$-]+:(latest|\d+)", item):
                problems.append(f"{where}: --set-secrets item {item!r} is not NAME=secret:version")
    # Every webhook-service command the page runs (in a job's --args, or on the command line).
    used = re.findall(r"--args[= ]+\"?([\w-]+)", readme)
    used += re.findall(r"(?:^\s*|`|/)webhook-service ([a-z][\w-]*)", readme, re.M)
    for cmd in used:
        if cmd not in commands:
            problems.append(f"{where}: `webhook-service {cmd}` is not a command of src/cli/args.rs")
    if service is None:
        return
    where = "deploy/service.yaml"
    try:
        container = service["spec"]["template"]["spec"]["containers"][0]
    except (KeyError, IndexError, TypeError):
        problems.append(f"{where}: no spec.template.spec.containers[0]")
        return
    yaml_vars = []
    for env in container.get("env", []) or []:
        name = env.get("name")
        yaml_vars.append(name)
        if name not in template_vars:
            problems.append(f"{where}: {name} is set but env.template does not document it")
        ref = (env.get("valueFrom") or {}).get("secretKeyRef")
        if ref is not None and not (ref.get("name") and ref.get("key")):
            problems.append(f"{where}: {name}'s secretKeyRef needs a name and a key (version)")
    for probe, path in (("startupProbe", "/readyz"), ("livenessProbe", "/healthz")):
        got = ((container.get(probe) or {}).get("httpGet") or {}).get("path")
        if got != path:
            problems.append(f"{where}: {probe} should GET {path}, not {got!r}")
    service_name = (service.get("metadata") or {}).get("name")
    if service_name != "${SERVICE}":
        problems.append(f"{where}: metadata.name should be ${{SERVICE}}, the README's variable")
    if set(yaml_vars) != set(readme_vars):
        only_readme = sorted(set(readme_vars) - set(yaml_vars))
        only_yaml = sorted(set(yaml_vars) - set(readme_vars))
        problems.append(f"deploy/: README.md and service.yaml set different variables (only README: {only_readme}, only service.yaml: {only_yaml})")


def load(root):
    metrics = {p: read_yaml(p) for p in sorted(glob.glob(os.path.join(root, "monitoring/log-metrics/*.yaml")))}
    with open(os.path.join(root, "monitoring/dashboard.json"), encoding="utf-8") as f:
        dash = json.load(f)
    policy = read_yaml(os.path.join(root, "monitoring/alert-policy.yaml"))
    with open(os.path.join(root, "deploy/README.md"), encoding="utf-8") as f:
        readme = f.read()
    service_path = os.path.join(root, "deploy/service.yaml")
    service = read_yaml(service_path) if os.path.exists(service_path) else None
    with open(os.path.join(root, "env.template"), encoding="utf-8") as f:
        template_vars = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", f.read(), re.M))
    with open(os.path.join(root, "src/cli/args.rs"), encoding="utf-8") as f:
        commands = cli_commands(f.read())
    return metrics, dash, policy, readme, service, template_vars, commands


def check(root, files=None, src=None):
    src = src or Source(root)
    metrics, dash, policy, readme, service, template_vars, commands = files or load(root)
    problems = []
    if not metrics:
        problems.append("monitoring/log-metrics/: no metric defined")
    check_log_metrics(metrics, src, problems)
    by_name = {m.get("name"): m for m in metrics.values() if isinstance(m, dict)}
    check_dashboard(dash, by_name, problems)
    check_alert_policy(policy, by_name, problems)
    check_deploy(readme, service, template_vars, commands, problems)
    return problems


def self_test(root):
    """Each kind of breakage in a copy of the real files must be reported."""
    src = Source(root)
    files = load(root)
    breakages = {
        "a log code the service does not emit": lambda f: f[0].__setitem__(
            next(p for p in f[0] if p.endswith("reports_emailed.yaml")),
            {**f[0][next(p for p in f[0] if p.endswith("reports_emailed.yaml"))],
             "filter": 'resource.type="cloud_run_revision" jsonPayload.code="no_such_code_anywhere"'}),
        "a chart of an undefined metric": lambda f: f[1]["mosaicLayout"]["tiles"][0]["widget"]["xyChart"]["dataSets"][0]
            ["timeSeriesQuery"]["timeSeriesFilter"].__setitem__("filter", 'metric.type="logging.googleapis.com/user/nope"'),
        "an alert on an undefined metric": lambda f: f[2]["conditions"][0]["conditionThreshold"].__setitem__(
            "filter", 'metric.type="logging.googleapis.com/user/nope"'),
        "overlapping tiles": lambda f: f[1]["mosaicLayout"]["tiles"][1].update(xPos=0, yPos=0),
        "a percentile of a counter": lambda f: f[2]["conditions"][0]["conditionThreshold"]["aggregations"][0].__setitem__(
            "crossSeriesReducer", "REDUCE_PERCENTILE_95"),
        "an env var env.template lacks": lambda f: f.__setitem__(
            3, f[3].replace("--set-env-vars=", "--set-env-vars=NOT_A_SETTING=1,", 1)),
        "an unknown command": lambda f: f.__setitem__(3, f[3] + "\n    --args=stauts\n"),
        "a secret without a version": lambda f: f.__setitem__(
            3, f[3].replace("--set-secrets=", "--set-secrets=ADMIN_TOKEN=admin-token,", 1)),
    }
    failed = []
    assert not check(root, files, src), "the real files must pass before the self-test means anything"
    for name, breaks in breakages.items():
        broken = list(copy.deepcopy(files))
        breaks(broken)
        if not check(root, tuple(broken), src):
            failed.append(name)
    if failed:
        print("check-deploy self-test: not detected: " + ", ".join(failed), file=sys.stderr)
        return 1
    print(f"check-deploy self-test: {len(breakages)} kinds of breakage detected")
    return 0


def main():
    if "--self-test" in sys.argv[1:]:
        problems = check(ROOT)
        if problems:
            print("\n".join(problems), file=sys.stderr)
            return 1
        return self_test(ROOT)
    problems = check(ROOT)
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    print("check-deploy: monitoring/ and deploy/ match the code")
    return 0


if __name__ == "__main__":
    sys.exit(main())
