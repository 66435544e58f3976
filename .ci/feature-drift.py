#!/usr/bin/env python3
"""Lists the crates a single-package build would compile that `cargo test --workspace`
has not built already (different dependency features), from cargo's unit graph.

    python3 .ci/feature-drift.py                     # cargo build -p finconnect-reqwest --example pesapal_flow
    python3 .ci/feature-drift.py test -p finconnect-proto --no-run

`0 compile units` means the two builds agree (workspace-hack/Cargo.toml keeps them
so). The unit graph is unstable cargo output; RUSTC_BOOTSTRAP=1 lets the stable
toolchain write it. Nothing is built.
"""
import json, subprocess, sys, os
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
env = dict(os.environ, RUSTC_BOOTSTRAP="1")
def graph(args):
    out = subprocess.run(["cargo"] + args + ["--unit-graph", "-Z", "unstable-options"],
                         cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout
    g = json.loads(out)
    units = g["units"]
    memo = {}
    def ident(i):
        if i in memo: return memo[i]
        u = units[i]
        p = u["profile"]
        key = (u["pkg_id"], u["target"]["name"], tuple(u["target"]["kind"]), u["mode"],
               tuple(sorted(u["features"])), p.get("opt_level"), str(p.get("debuginfo")), u.get("platform"),
               tuple(sorted(ident(d["index"]) for d in u["dependencies"])))
        memo[i] = key
        return key
    return {ident(i): units[i] for i in range(len(units))}
ws = graph(["test", "--workspace", "--no-run"])
ex = graph(sys.argv[1:] if len(sys.argv) > 1 else ["build", "-p", "finconnect-reqwest", "--example", "pesapal_flow"])
new = [u for k, u in ex.items() if k not in ws]
# build scripts running count as units too; report compile units (not run-custom-build) separately
comp = [u for u in new if u["mode"] != "run-custom-build"]
print(len(comp), "compile units to build;", len(new) - len(comp), "build-script runs")
for u in sorted(comp, key=lambda u: u["pkg_id"]):
    print("  ", u["pkg_id"].split("#")[-1], u["target"]["name"], u["mode"], ",".join(u["features"]))
if os.environ.get("DIFF"):
    wsf = {}
    for k,u in ws.items():
        wsf.setdefault((u["pkg_id"], u["target"]["name"], u["mode"]), []).append((set(u["features"]), u["platform"], k))
    for u in comp:
        key=(u["pkg_id"], u["target"]["name"], u["mode"])
        for f, plat, k in wsf.get(key, []):
            a=set(u["features"])
            print(u["pkg_id"].split("#")[-1], "plat", u["platform"], "vs", plat, " ex-only:", sorted(a-f), " ws-only:", sorted(f-a))
if comp:
    sys.exit("the single-package build above differs from the workspace build: "
             "add the features to workspace-hack/Cargo.toml")
