"""The summary of a benchmark: each scale's table and each page's p50 across scales.

python -m bench.report 10k 1m    (reads bench/results/<scale>.json, writes summary.md)
"""

import json
import sys
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def main(labels: list[str]) -> None:
    runs = {label: json.loads((RESULTS / f"{label}.json").read_text()) for label in labels}
    lines = ["# Benchmark summary", ""]
    for label in labels:
        generated = RESULTS / f"generate-{label}.json"
        if generated.exists():
            data = json.loads(generated.read_text())
            times = data["timings"]
            lines.append(
                f"- Generation, {label} ({data['tickets']:,} tickets): {times['wall']:.0f} s "
                f"(COPY {times['copy']:.0f} s, indexes {times['indexes']:.0f} s, "
                f"VACUUM ANALYZE + CHECKPOINT {times['vacuum_analyze']:.0f} s); rows: "
                + ", ".join(f"{table} {count:,}" for table, count in data["counts"].items())
            )
    first, last = labels[0], labels[-1]
    lines += [
        "",
        f"## p50 at {last} against {first} (budget: within 1.5x)",
        "",
        f"| Scenario | p50 {first} ms | p50 {last} ms | ratio | floor-adjusted | req/s {first} "
        f"| req/s {last} | queries {first} | queries {last} |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, small in runs[first]["scenarios"].items():
        big = runs[last]["scenarios"].get(name)
        if not big:
            continue
        factor = big["p50_ms"] / small["p50_ms"] if small["p50_ms"] else 0
        # The two runs are minutes apart and the machine's speed drifts: the same ratio with
        # each p50 scaled by the speed of the floor measured around it, for reference.
        adjusted = ""
        if small.get("floor_rps") and big.get("floor_rps"):
            adjusted = f"{factor * big['floor_rps'] / small['floor_rps']:.2f}"
        lines.append(
            f"| {small['label']} | {small['p50_ms']:.1f} | {big['p50_ms']:.1f} | {factor:.2f} "
            f"| {adjusted} | {small['rps']:.0f} | {big['rps']:.0f} | {small['queries']} "
            f"| {big['queries']} |"
        )
    lines += [
        "",
        "ratio: the budget's measure. Floor-adjusted: each p50 multiplied by the req/s of the "
        "floor measured around it, which takes out the machine's drift between the runs.",
    ]
    for label in labels:
        lines += ["", (RESULTS / f"{label}.md").read_text().replace("# ", "## ", 1)]
    (RESULTS / "summary.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main(sys.argv[1:] or ["10k", "1m"])
