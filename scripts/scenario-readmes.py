#!/usr/bin/env python3
"""scripts/scenario-readmes.py — refreshes the "Locally" part of each istio/<folder>/README.md with what
`./demo run istio/<folder>` really prints now: the recipe's steps (demo.run without its comments) and the
run's output, the services' own log lines and the load generator's details left out (the summary, the
split and the checks stay).

    scripts/scenario-readmes.py                 every folder with a demo.run and a README.md
    scripts/scenario-readmes.py retries timeouts

It runs each scenario on the default ports (stop ./demo first) with the launcher ./mvnw package built
(local-mesh/target/local-mesh.jar), one after the other, and rewrites the two code blocks that follow
"Its steps:" and "What it printed (the services' own log lines left out):". A run that does not exit 0
leaves its README alone and makes the script exit 1.
"""
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
STEPS = "Its steps:\n```\n"
PRINTED = "What it printed (the services' own log lines left out):\n```\n"
# Load-generator lines kept: its summary, status codes, the split and the checks.
KEPT = ("Transactions:", "Availability:", "Response time:", "Status codes:", "Result:")
BLOCKS = ("Split by ", "Checks")


def steps(folder):
    lines = []
    for line in (folder / "demo.run").read_text().splitlines():
        text = re.sub(r"(^|\s)#.*$", "", line).rstrip()
        if text.strip():
            lines.append(text)
    return "\n".join(lines) + "\n"


def printed(folder, output):
    kept = [f"$ ./demo run istio/{folder.name}"]
    table = False
    for line in output.splitlines():
        if line.startswith("[") or line.startswith("demo: starting the local mesh") or line.startswith("demo:   "):
            continue
        if table and line.startswith("  ") and line.strip():
            kept.append(line)
            continue
        table = line.startswith(BLOCKS) or line.startswith("demo: counters")
        if table or line.startswith(KEPT) or line.startswith("demo: "):
            kept.append(line)
    return "\n".join(kept) + "\n"


def replace_block(text, heading, body):
    start = text.index(heading) + len(heading)
    end = text.index("```", start)
    return text[:start] + body + text[end:]


def main(names):
    folders = [ROOT / "istio" / n for n in names] if names else sorted(
        f for f in (ROOT / "istio").iterdir() if (f / "demo.run").is_file() and (f / "README.md").is_file())
    failed = False
    for folder in folders:
        run = subprocess.run(["java", f"-Dproductapp.root={ROOT}", "-jar", str(ROOT / "local-mesh/target/local-mesh.jar"), "run",
                              f"istio/{folder.name}"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=600)
        output = run.stdout.replace(str(ROOT) + "/", "")  # paths as the project names them, not this machine's
        if run.returncode != 0:
            print(f"{folder.name}: exit {run.returncode}; README left alone\n{output[-3000:]}", file=sys.stderr)
            failed = True
            continue
        readme = folder / "README.md"
        text = readme.read_text()
        text = replace_block(text, STEPS, steps(folder))
        text = replace_block(text, PRINTED, printed(folder, output))
        readme.write_text(text)
        print(f"{folder.name}: README refreshed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
