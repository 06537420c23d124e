"""Puts the benchmark reports (target/bench/*.json) side by side: one Markdown table, a row per
scenario step and a column pair per database."""
import json
import pathlib
import sys

folder = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "target/bench")
rows = {}  # (scenario, step) -> {database: text}
order = []
databases = []


def put(scenario, step, database, text):
    key = (scenario, step)
    if key not in rows:
        rows[key] = {}
        order.append(key)
    rows[key][database] = text


for path in sorted(folder.glob("*.json")):
    report = json.loads(path.read_text())
    database = report.get("database", "sqlite")
    if database not in databases:
        databases.append(database)
    scenario = report.get("scenario") or path.stem.replace("-postgres", "")
    for step in report.get("steps", []):
        put(scenario, step["step"], database,
            f'{step["rps"]:.0f} req/s, p99 {step["p99_ms"]:.0f} ms, {step["errors"]} errors')
    if scenario == "certificates":
        put(scenario, "issue + queue", database, f'{report["issue_and_queue_s"]:.2f} s')
        put(scenario, "render the PDFs", database, f'{report["render_s"]:.2f} s')
        put(scenario, "send to SMTP", database,
            f'{report["send_s"]:.2f} s ({report["arrived"]} arrived)')
    if scenario == "import":
        put(scenario, "first import", database, f'{report["first_import_ms"]:.0f} ms')
        put(scenario, "same file again", database, f'{report["reimport_ms"]:.0f} ms')
    for run in report.get("runs", []):
        # The scale scenario: the same steps once per data set (x1, x10).
        name = f'{scenario} x{run["scale"]}'
        for step in run["steps"]:
            put(name, step["step"], database,
                f'{step["rps"]:.0f} req/s, p99 {step["p99_ms"]:.0f} ms, {step["errors"]} errors')
        put(name, "server peak memory", database, f'{run["server_peak_rss_mb"]:.0f} MB')
    for bundle in report.get("bundles", []):
        put("bundle", f'wasm + js for {bundle["path"]}', database,
            f'{bundle["gzip_kb"]:.0f} KB gzip ({bundle["files"]} files)')
    if "server_peak_rss_mb" in report:
        put(scenario, "server peak memory", database, f'{report["server_peak_rss_mb"]:.0f} MB')

databases.sort(key=lambda d: (d != "sqlite", d))
print("| scenario | step | " + " | ".join(databases) + " |")
print("| --- | --- | " + " | ".join("---" for _ in databases) + " |")
for scenario, step in order:
    cells = [rows[(scenario, step)].get(d, "–") for d in databases]
    print(f"| {scenario} | {step} | " + " | ".join(cells) + " |")
