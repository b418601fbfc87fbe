"""`make bench`: run every benchmark, then rewrite docs/benchmarks.md (the results page) from their JSON."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from common import replace_section

HERE = Path(__file__).resolve().parent
README = HERE.parent / "docs" / "benchmarks.md"  # the results page (the README links it)
START, END = "<!-- bench:start -->", "<!-- bench:end -->"
# Each script with its arguments; the int8 encoder's gold-standard loss sits beside the default's.
SCRIPTS = [
    ["bench_quality.py", "--extra-model", "minilm-int8"],
    ["bench_embedding.py"],
    # Issue 22: every encoder setting against sentence-transformers, with its loss (own docs section).
    ["bench_encoder_speed.py"],
    ["bench_install.py"],
    ["bench_digest.py"],
    ["bench_digest.py", "--scale", "--repeat", "9"],
    ["bench_affinity.py"],
    ["bench_feedback.py"],
    ["bench_daily.py"],
    # Issue 15: the learned combination first (bench_adapt scores with the weights it fits).
    ["bench_learned.py"],
    ["bench_adapt.py"],
    # The web app under load: 50 users, 100,000 papers, 2 minutes (results/web.json; README "In the browser").
    ["bench_web.py"],
    # The same on PostgreSQL, in a throw-away local cluster (skipped where PostgreSQL is not installed).
    ["bench_web.py", "--postgres"],
]
# Embeddings of the gold standard are cached here between runs (unless PAPERSIFT_HOME says otherwise).
CACHE = HERE / ".cache"


def load(name: str) -> dict | None:
    path = HERE / "results" / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def quality_section(q: dict) -> list[str]:
    res = q["results"]
    out = [
        "### Affinity quality: reviewer-expertise gold standard",
        "",
        "Loss (lower is better; title + abstract; mean over d_20_1..10), 95% bootstrap interval over researchers,",
        "easy/hard pair accuracy. Settings were chosen on one fixed half of the researchers ('choose', "
        f"{q['halves']['choose']}) and are reported on the other ('confirm', {q['halves']['confirm']}) and on all.",
        "",
        "| method | loss, all | 95% CI | choose half | confirm half | easy | hard | published |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, published in q["published_only"].items():
        out.append(f"| {name} (not reproducible here) | | | | | | | {published:.2f} |")
    order = ["tpms", "specter", "specter_mfr", "peer", "tfidf"] + [
        k for k in res if k not in {"tpms", "specter", "specter_mfr", "peer", "tfidf"}
    ]
    for key in order:
        r = res[key]
        label = r["name"] + (" **(papersift default)**" if key == q["default"] else "")
        published = f"{r['published']:.2f}" if "published" in r else ""
        a = r["all"]
        out.append(
            f"| {label} | {a['loss']:.3f} | [{a['ci'][0]:.3f}, {a['ci'][1]:.3f}] | {r['choose']['loss']:.3f} "
            f"| {r['confirm']['loss']:.3f} | {a['easy']:.3f} | {a['hard']:.3f} | {published} |"
        )
    out += ["", f"Chosen on the choose half: `{q['chosen_on_choose_half']}`; default: `{q['default']}`.", ""]
    out += ["Paired differences on the confirm half (negative: the first is better), 95% interval:", ""]
    for c in q["comparisons"]:
        out.append(f"- `{c['a']}` - `{c['b']}`: {c['difference']:+.4f} [{c['ci'][0]:+.4f}, {c['ci'][1]:+.4f}]")
    default = res[q["default"]]["all"]
    if "peer" in res:
        peer = res["peer"]
        out += [
            "",
            f"Against the peer-style baseline (weighted mean over the whole profile, as zotero-arxiv-daily scores): "
            f"papersift's loss is {default['loss'] / peer['all']['loss']:.2f}x the peer's on all researchers, "
            f"{res[q['default']]['confirm']['loss'] / peer['confirm']['loss']:.2f}x on the confirm half.",
        ]
    out += ["", "Per split (all researchers), default: " + " ".join(f"{x:.3f}" for x in default["splits"]), ""]
    return out


def cpu_line(cpu: dict | None) -> str:
    if not cpu:
        return ""
    flags = ", ".join(f"{name} {'yes' if ok else 'no'}" for name, ok in cpu["flags"].items())
    return f"CPU: {cpu['model']} ({cpu['cpus']} cores; {flags})."


def embedding_section(e: dict) -> list[str]:
    load = e.get("load_average_before_after")
    out = [
        "### Embedding throughput",
        "",
        f"{e['texts']} gold-standard titles + abstracts (mean {e['mean_tokens']:.0f} tokens, truncated at 256), "
        f"medians of alternating runs; fp32 matmul peak measured at {e['fp32_matmul_peak_gflops']:.0f} GFLOP/s. "
        f"Padding overhead after length sorting: {e['padding_overhead']:.1%}. {cpu_line(e.get('cpu'))}"
        + (f" Load average {load[0]:.1f} before, {load[1]:.1f} after (shared machine)." if load else ""),
        "",
        "| encoder | texts/s | speedup | GFLOP/s (real tokens) | share of fp32 peak |",
        "|---|---|---|---|---|",
    ]
    for name, v in e["variants"].items():
        share = v["gflops_real_tokens"] / e["fp32_matmul_peak_gflops"]
        out.append(
            f"| {name} | {v['texts_per_second']:.1f} | {v['speedup']:.2f}x | {v['gflops_real_tokens']:.0f} | {share:.0%} |"
        )
    out.append("")
    if "cosine_onnx_fp32_vs_sentence_transformers" in e:
        c = e["cosine_onnx_fp32_vs_sentence_transformers"]
        out.append(
            f"Cosine between papersift's fp32 ONNX graph and sentence-transformers: mean {c['mean']:.6f}, min {c['min']:.6f}."
        )
    c = e["cosine_int8_vs_fp32"]
    out += [f"Cosine between int8 and fp32 embeddings: mean {c['mean']:.4f}, min {c['min']:.4f}.", ""]
    return out


def install_section(i: dict) -> list[str]:
    d, t = i["default_install"], i["torch_install"]
    load = i.get("load_average_before_after")
    out = [
        "### Install size and cold start",
        "",
        "The default install (`make demo`: core dependencies, the weights package with `--no-deps`) against the "
        "install with the `st` extra (torch, sentence-transformers; measured on the environment running the benchmarks, "
        "which also holds the web, test and benchmark tools). Cold start: `papersift rank` on the bundled "
        "sample (183 candidates, --no-cache) as a fresh process, median of "
        f"{len(next(iter(i['cold_start'].values()))['all_seconds'])}."
        + (f" Load average {load[0]:.1f} before, {load[1]:.1f} after (shared machine)." if load else ""),
        "",
        "| install | size | torch | largest packages |",
        "|---|---|---|---|",
    ]
    for name, env in (("default (no torch)", d), ("with the st extra", t)):
        largest = ", ".join(f"{k} {v / 1e6:.0f} MB" for k, v in list(env["largest"].items())[:4])
        torch = f"{env['torch_bytes'] / 1e6:.0f} MB" if env["has_torch"] else "absent"
        out.append(f"| {name} | {env['bytes'] / 1e9:.2f} GB | {torch} | {largest} |")
    out += ["", "| cold start | wall time |", "|---|---|"]
    for name, c in i["cold_start"].items():
        out.append(f"| {name} | {c['median_seconds']:.1f} s |")
    out.append("")
    return out


def digest_section(d: dict) -> list[str]:
    s, m = d["seconds"], d["peak_rss_mib"]
    return [
        "### Daily digest",
        "",
        f"{d['candidates']} new candidates against a {d['profile']}-paper profile, `papersift digest` as a fresh process "
        f"(model `{d['model']}`), medians:",
        "",
        "| run | wall time | peak RSS | speed vs peer |",
        "|---|---|---|---|",
        f"| cold (empty cache, model load included) | {s['cold']:.1f} s | {m['cold']:.0f} MiB | {d['speedup_vs_peer']['cold']:.2f}x |",
        f"| warm (embeddings cached) | {s['warm']:.2f} s | {m['warm']:.0f} MiB | {d['speedup_vs_peer']['warm']:.0f}x |",
        f"| peer-style (re-embeds everything each run) | {s['peer']:.1f} s | {m['peer']:.0f} MiB | 1x |",
        f"| embedding bound (encoder alone, model loaded) | {d['embedding_bound_seconds']:.1f} s | | |",
        "",
    ]


def digest_scale_section(d: dict) -> list[str]:
    stores = d["stores"]
    lines = [
        "### Digest cost against the store's history",
        "",
        f"The same {d['new_candidates']:,} new candidates and {d['profile']}-paper profile in stores that also hold "
        "papers from earlier days (shown already, or never shown and past the candidate window); a warm digest "
        f"(library call, embeddings cached, vectors from `{d['encoder']}`), median, and its peak traced memory. "
        f"Load average during the run: {d.get('load_average', 'not recorded')}.",
        "",
        "| earlier papers | pool | warm digest (wall) | warm digest (CPU) | peak memory |",
        "|---|---|---|---|---|",
    ]
    for old, row in stores.items():
        cpu = f"{row['warm_cpu_seconds']:.2f} s" if "warm_cpu_seconds" in row else ""
        lines.append(
            f"| {int(old):,} | {row['pool']:,} | {row['warm_seconds']:.2f} s | {cpu} | {row['peak_traced_mib']:.0f} MiB |"
        )
    if "ratio_200k_to_new_only" in d:
        lines += [
            "",
            f"200,000 earlier papers vs none: {d['ratio_200k_to_new_only']:.2f}x the wall time"
            + (f", {d['cpu_ratio_200k_to_new_only']:.2f}x the CPU time" if "cpu_ratio_200k_to_new_only" in d else "")
            + ", "
            f"same picks: {'yes' if d['same_picks'] else 'no'}.",
        ]
    return [*lines, ""]


def affinity_section(a: dict) -> list[str]:
    s, shape = a["seconds"], a["shape"]
    return [
        "### Venue-scale affinity",
        "",
        f"{shape['submissions']:,} submissions x {shape['reviewers']:,} reviewers x {shape['papers']} papers, embeddings cached, medians:",
        "",
        "| step | time | vs one matmul |",
        "|---|---|---|",
        f"| the single equivalent matrix multiply ({a['matmul_gflops']:.0f} GFLOP/s) | {s['matmul']:.2f} s | 1x |",
        f"| papersift scoring, default aggregation | {s['score_default']:.2f} s | {a['ratio_default_to_matmul']:.2f}x |",
        f"| papersift scoring, top1 | {s['score_top1']:.2f} s | {a['ratio_top1_to_matmul']:.2f}x |",
        f"| scoring + writing all {a['pairs']:,} CSV lines | {a['csv_seconds']:.1f} s | |",
        "",
        f"Peak RSS {a['peak_rss_mib']:.0f} MiB (the inputs and the full-size matmul of the comparison included); "
        f"each chunk of {shape['chunk']} submissions holds {a['chunk_working_set_mib']:.0f} MiB of similarities.",
        "",
    ]


def feedback_section(f: dict) -> list[str]:
    from bench_feedback import readme_section

    return [*readme_section(f), ""]


def daily_section(r: dict) -> list[str]:
    from bench_daily import readme_section

    return [*readme_section(r), ""]


def targets_section(
    q: dict | None,
    e: dict | None,
    d: dict | None,
    a: dict | None,
    scale: dict | None = None,
    daily: dict | None = None,
    web: dict | None = None,
    web_pg: dict | None = None,
    encoder_speed: dict | None = None,
) -> list[str]:
    """The issues' speed and quality targets against this run's numbers: met or not, and by how much."""
    rows = []

    def row(target: str, measured: str, met: bool) -> None:
        rows.append(f"| {target} | {measured} | {'yes' if met else '**no**'} |")

    if q:
        res = q["results"]
        ok = all(abs(res[k]["all"]["loss"] - res[k]["published"]) < 0.01 for k in ("tpms", "specter", "specter_mfr"))
        row(
            "metric reproduces the published TPMS 0.28, SPECTER 0.27, SPECTER+MFR 0.24",
            ", ".join(f"{res[k]['all']['loss']:.3f}" for k in ("tpms", "specter", "specter_mfr")),
            ok,
        )
        default = res[q["default"]]["all"]
        row(
            "default configuration: loss <= 0.19",
            f"{default['loss']:.3f} [{default['ci'][0]:.3f}, {default['ci'][1]:.3f}]",
            default["loss"] <= 0.19,
        )
    if e and q:
        int8 = next((v for k, v in e["variants"].items() if "int8" in k), None)
        model, aggregation = q["default"].split(":", 1)
        int8_key = f"{model}-int8:{aggregation}"
        if int8 and int8_key in q["results"]:
            change = q["results"][int8_key]["all"]["loss"] - q["results"][q["default"]]["all"]["loss"]
            row(
                "embedding >= 2x plain sentence-transformers, loss change <= 0.005",
                f"{int8['speedup']:.2f}x, loss {change:+.4f} (int8)",
                int8["speedup"] >= 2 and abs(change) <= 0.005,
            )
    if encoder_speed and encoder_speed.get("quality"):
        default = next(k for k in encoder_speed["speed"] if "default" in k)
        speed, change = encoder_speed["speed"][default], encoder_speed["quality"][default]["confirm_minus_fp32"]
        row(
            "default encoder >= 3x sentence-transformers fp32, loss change <= 0.005 (issue 22)",
            f"{speed['speedup']:.2f}x wall, {speed['speedup_cpu']:.2f}x per CPU-second, "
            f"loss {change['difference']:+.4f} (confirm)",
            min(speed["speedup"], speed["speedup_cpu"]) >= 3 and abs(change["difference"]) <= 0.005,
        )
    if d:
        row("warm digest (1,000 x 100) <= 1 s", f"{d['seconds']['warm']:.2f} s", d["seconds"]["warm"] <= 1.0)
        bound = d["embedding_bound_seconds"]
        row(
            "cold digest close to the embedding bound",
            f"{d['seconds']['cold']:.1f} s, {d['seconds']['cold'] / bound:.2f}x the bound ({bound:.1f} s)",
            d["seconds"]["cold"] <= 1.25 * bound,
        )
    if scale and "ratio_200k_to_new_only" in scale:
        big = scale["stores"]["200000"]
        ratio = scale["ratio_200k_to_new_only"]
        row(
            "warm digest with 200,000 earlier papers <= 1 s and <= 1.3x the 1,000-only store",
            f"{big['warm_seconds']:.2f} s, {ratio:.2f}x (CPU {scale['cpu_ratio_200k_to_new_only']:.2f}x)",
            big["warm_seconds"] <= 1.0 and ratio <= 1.3,
        )
    if a:
        ratio = a["ratio_default_to_matmul"]
        row("affinity 10k x 1k x 20 within 2x of one matmul", f"{ratio:.2f}x", ratio <= 2.0)
    if daily:
        row(
            "daily run: everything but embedding < 10%",
            f"{daily['other_share']:.1%} ({daily['other_seconds_per_profile']:.2f} s a profile)",
            daily["other_share"] < 0.10,
        )
    for label, w in (("SQLite", web), ("PostgreSQL", web_pg)):
        if w:
            pages, votes = w["pages"].get("p95_ms", 1e9), w["votes"].get("p95_ms", 1e9)
            row(
                f"web, 50 users ({label}): p95 < 150 ms a page, < 50 ms a vote, no errors, no lost votes",
                f"{pages:.0f} ms, {votes:.0f} ms, {w['errors']} errors, {w['votes_lost']} lost",
                pages < 150 and votes < 50 and w["errors"] == 0 and w["votes_lost"] == 0,
            )
    if not rows:
        return []
    return [
        "### Targets",
        "",
        "| target | this run | met |",
        "|---|---|---|",
        *rows,
        "",
    ]


# Speed tables whose section does not print the CPU itself (the embedding table does).
SPEED_SECTIONS = {"install", "digest", "digest_scale", "affinity", "daily"}


def render() -> str:
    parts: list[str] = []
    for name, section in (
        ("quality", quality_section),
        ("embedding", embedding_section),
        ("install", install_section),
        ("digest", digest_section),
        ("digest_scale", digest_scale_section),
        ("affinity", affinity_section),
        ("feedback", feedback_section),
        ("daily", daily_section),
    ):
        data = load(name)
        if data:
            parts += section(data)
            cpu = data.get("machine", {}).get("cpu")
            if name in SPEED_SECTIONS and cpu:
                parts += [cpu_line(cpu), ""]
    parts += targets_section(
        load("quality"),
        load("embedding"),
        load("digest"),
        load("affinity"),
        load("digest_scale"),
        load("daily"),
        load("web"),
        load("web_postgresql"),
        load("encoder_speed"),
    )
    return "\n".join(parts).rstrip() + "\n"


def update_readme() -> None:
    if not replace_section(README, START, END, render()):
        raise SystemExit(f"README has no {START} marker")


def _postgres_installed() -> bool:
    sys.path.insert(0, str(HERE.parent))
    from tests import pg_cluster

    return bool(os.environ.get("PAPERSIFT_TEST_DATABASE_URL")) or pg_cluster.server_bin() is not None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--readme-only", action="store_true", help="only rewrite the README from existing results")
    parser.add_argument(
        "--only",
        nargs="+",
        metavar="SCRIPT",
        help="run only these scripts (e.g. bench_digest.py bench_affinity.py); the others' results are kept",
    )
    args = parser.parse_args()
    if not args.readme_only:
        env = {**os.environ}
        env.setdefault("PAPERSIFT_HOME", str(CACHE))
        for script, *script_args in SCRIPTS:
            if args.only and script not in args.only:
                continue
            if "--postgres" in script_args and not _postgres_installed():
                print(f"== {script} {' '.join(script_args)}: skipped, PostgreSQL is not installed", flush=True)
                continue
            print(f"== {script} {' '.join(script_args)}", flush=True)
            subprocess.run([sys.executable, str(HERE / script), *script_args], check=True, cwd=HERE, env=env)
    update_readme()
    from bench_adapt import update_readme as update_quality2  # its own README section, between its markers

    update_quality2(README)
    from bench_web import update_readme as update_web  # the load paragraph under "In the browser"

    update_web(README)
    print(f"README results updated from {HERE / 'results'}")


if __name__ == "__main__":
    main()
