#!/usr/bin/env python3
"""The public API of each library crate, as sorted text lines, from rustdoc JSON.

    python3 .ci/public-api.py check    # CI: fail if a listing in api/ is out of date
    python3 .ci/public-api.py update   # rewrite api/<crate>.txt after an API change

Every public item reachable from a crate's root is listed with its path, its kind
and (for functions and fields) its signature, so a change of the public surface
shows up as a diff of api/<crate>.txt in review. rustdoc's JSON output is unstable;
RUSTC_BOOTSTRAP=1 lets the stable toolchain write it (the format version this
script reads is checked).
"""
import difflib
import json
import os
import subprocess
import sys

CRATES = [
    "finconnect-proto",
    "finconnect",
    "finconnect-reqwest",
    "finconnect-hyper",
    "finconnect-redis",
    "finconnect-sandbox",
]
FORMAT_VERSIONS = {57}
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def rustdoc_json(crate):
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    env = dict(os.environ, RUSTC_BOOTSTRAP="1", RUSTDOCFLAGS="-A warnings")
    subprocess.run(
        ["cargo", "rustdoc", "-q", "-p", crate, "--lib", "--",
         "-Z", "unstable-options", "--output-format", "json"],
        cwd=ROOT, env=env, check=True,
    )
    with open(os.path.join(target, "doc", crate.replace("-", "_") + ".json")) as f:
        return json.load(f)


class Lister:
    def __init__(self, doc):
        self.doc = doc
        self.index = doc["index"]
        self.lines = set()
        self.seen = set()

    def item(self, i):
        return self.index.get(str(i))

    # ---- types ----
    def ty(self, t):
        if t is None:
            return "()"
        (kind, v), = t.items()
        if kind == "resolved_path":
            return v["path"] + self.args(v.get("args"))
        if kind == "generic":
            return v
        if kind == "primitive":
            return v
        if kind == "borrowed_ref":
            lt = (v["lifetime"] + " ") if v.get("lifetime") else ""
            return "&" + lt + ("mut " if v["is_mutable"] else "") + self.ty(v["type"])
        if kind == "tuple":
            return "(" + ", ".join(self.ty(x) for x in v) + ")"
        if kind == "slice":
            return "[" + self.ty(v) + "]"
        if kind == "array":
            return "[" + self.ty(v["type"]) + "; " + str(v["len"]) + "]"
        if kind in ("impl_trait", "dyn_trait"):
            bounds = v if kind == "impl_trait" else v.get("traits", [])
            names = []
            for b in bounds:
                if isinstance(b, dict) and "trait_bound" in b:
                    names.append(self.path(b["trait_bound"]["trait"]))
                elif isinstance(b, dict) and "trait" in b:
                    names.append(self.path(b["trait"]))
                elif isinstance(b, dict) and "outlives" in b:
                    names.append(b["outlives"])
            return ("impl " if kind == "impl_trait" else "dyn ") + " + ".join(names)
        if kind == "qualified_path":
            return self.ty(v["self_type"]) + "::" + v["name"]
        if kind == "raw_pointer":
            return "*" + ("mut " if v["is_mutable"] else "const ") + self.ty(v["type"])
        if kind == "function_pointer":
            sig = v["sig"]
            return "fn(" + ", ".join(self.ty(x[1]) for x in sig["inputs"]) + ")" + self.ret(sig["output"])
        return kind

    def path(self, p):
        return p["path"] + self.args(p.get("args"))

    def args(self, a):
        if not a:
            return ""
        if "angle_bracketed" in a:
            parts = []
            for x in a["angle_bracketed"]["args"]:
                if "type" in x:
                    parts.append(self.ty(x["type"]))
                elif "lifetime" in x:
                    parts.append(x["lifetime"])
                elif "const" in x:
                    parts.append(str(x["const"].get("expr", "_")))
            for c in a["angle_bracketed"].get("constraints", []):
                binding = c.get("binding", {})
                if "equality" in binding and "type" in binding["equality"]:
                    parts.append(c["name"] + " = " + self.ty(binding["equality"]["type"]))
            return "<" + ", ".join(parts) + ">" if parts else ""
        if "parenthesized" in a:
            p = a["parenthesized"]
            return "(" + ", ".join(self.ty(x) for x in p["inputs"]) + ")" + self.ret(p.get("output"))
        return ""

    def ret(self, out):
        return "" if out is None else " -> " + self.ty(out)

    def sig(self, f):
        s = f["sig"]
        ins = []
        for name, t in s["inputs"]:
            ins.append("self" if name == "self" else name + ": " + self.ty(t))
        head = f["header"]
        prefix = ("const " if head["is_const"] else "") + ("async " if head["is_async"] else "")
        gen = [p["name"] for p in f["generics"]["params"] if not p["name"].startswith("'")]
        g = "<" + ", ".join(gen) + ">" if gen else ""
        return prefix + "fn" + g + "(" + ", ".join(ins) + ")" + self.ret(s["output"])

    # ---- items ----
    def add(self, line):
        self.lines.add(line)

    def public(self, it):
        return it.get("visibility") == "public"

    def walk(self, i, path):
        it = self.item(i)
        if it is None:
            return
        key = (str(i), path)
        if key in self.seen:
            return
        self.seen.add(key)
        (kind, v), = it["inner"].items()
        if kind == "module":
            self.add(f"mod {path}")
            for child in v["items"]:
                c = self.item(child)
                if c is None or not self.public(c):
                    continue
                if "use" in c["inner"]:
                    self.reexport(c, path)
                else:
                    self.walk(child, path + "::" + c["name"])
        elif kind == "struct":
            self.add(f"struct {path}")
            k = v["kind"]
            if "plain" in k:
                for fid in k["plain"]["fields"]:
                    f = self.item(fid)
                    if f and self.public(f):
                        self.add(f"field {path}.{f['name']}: {self.ty(f['inner']['struct_field'])}")
                if k["plain"].get("has_stripped_fields"):
                    self.add(f"struct {path} has private fields")
            elif "tuple" in k:
                n = sum(1 for fid in k["tuple"] if fid is not None)
                self.add(f"struct {path}: tuple of {len(k['tuple'])} ({n} public)")
            self.impls(v["impls"], path)
        elif kind == "enum":
            self.add(f"enum {path}")
            for vid in v["variants"]:
                var = self.item(vid)
                self.add(f"variant {path}::{var['name']}")
            self.impls(v["impls"], path)
        elif kind == "trait":
            self.add(f"trait {path}")
            for mid in v["items"]:
                m = self.item(mid)
                (mk, mv), = m["inner"].items()
                if mk == "function":
                    self.add(f"trait-fn {path}::{m['name']} {self.sig(mv)}")
                elif mk == "assoc_const":
                    self.add(f"trait-const {path}::{m['name']}: {self.ty(mv['type'])}")
                elif mk == "assoc_type":
                    self.add(f"trait-type {path}::{m['name']}")
        elif kind == "function":
            self.add(f"fn {path} {self.sig(v)}")
        elif kind == "constant":
            self.add(f"const {path}: {self.ty(v['type'])}")
        elif kind == "static":
            self.add(f"static {path}: {self.ty(v['type'])}")
        elif kind == "type_alias":
            self.add(f"type {path} = {self.ty(v['type'])}")
        elif kind == "macro":
            self.add(f"macro {path}")
        else:
            self.add(f"{kind} {path}")

    def reexport(self, c, path):
        u = c["inner"]["use"]
        name = u["name"]
        target = self.item(u["id"]) if u.get("id") is not None else None
        if u.get("is_glob"):
            self.add(f"use {path}::{u['source']}::*")
            if target is not None and "module" in target["inner"]:
                for child in target["inner"]["module"]["items"]:
                    cc = self.item(child)
                    if cc is not None and self.public(cc) and "use" not in cc["inner"]:
                        self.walk(child, path + "::" + cc["name"])
            return
        if target is None:
            self.add(f"use {path}::{name} = {u['source']}")
        else:
            self.walk(u["id"], path + "::" + name)

    def impls(self, ids, path):
        for iid in ids:
            imp = self.item(iid)
            if imp is None:
                continue
            v = imp["inner"]["impl"]
            if v.get("is_synthetic") or v.get("blanket_impl") is not None:
                continue
            if v.get("trait") is not None:
                self.add(f"impl {self.path(v['trait'])} for {path}")
                continue
            for mid in v["items"]:
                m = self.item(mid)
                if m is None or not self.public(m):
                    continue
                (mk, mv), = m["inner"].items()
                if mk == "function":
                    self.add(f"method {path}::{m['name']} {self.sig(mv)}")
                elif mk == "assoc_const":
                    self.add(f"assoc-const {path}::{m['name']}: {self.ty(mv['type'])}")


def listing(crate):
    doc = rustdoc_json(crate)
    if doc.get("format_version") not in FORMAT_VERSIONS:
        sys.exit(f"rustdoc JSON format {doc.get('format_version')} is new to this script; "
                 f"check the listing by eye, then add it to FORMAT_VERSIONS")
    lister = Lister(doc)
    root = doc["root"]
    lister.walk(root, crate.replace("-", "_"))
    return "".join(line + "\n" for line in sorted(lister.lines))


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else "check"
    if mode not in ("check", "update"):
        sys.exit(__doc__)
    stale = []
    for crate in CRATES:
        text = listing(crate)
        path = os.path.join(ROOT, "api", crate + ".txt")
        old = open(path).read() if os.path.exists(path) else ""
        if mode == "update":
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as f:
                f.write(text)
            print(f"api/{crate}.txt: {text.count(chr(10))} items")
        elif old != text:
            stale.append(crate)
            sys.stdout.writelines(difflib.unified_diff(
                old.splitlines(True), text.splitlines(True),
                f"api/{crate}.txt (checked in)", f"api/{crate}.txt (this tree)"))
    if stale:
        sys.exit("the public API changed without its listing: run "
                 "`python3 .ci/public-api.py update` and commit api/ ("
                 + ", ".join(stale) + ")")


if __name__ == "__main__":
    main()
