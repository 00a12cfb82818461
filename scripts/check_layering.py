#!/usr/bin/env python3
"""Layering check (run by scripts/check_layering.sh): no compile, reads only text.

Every src/<folder>/CMakeLists.txt declares its libraries with
    etpu_module(NAME SOURCES ... DEPS ... PUBLIC_DEPS ...)
and its tests with etpu_tests(NAME SOURCES ... DEPS ...). A header "<folder>/x.h" belongs to the
module of that folder whose SOURCES hold "x.cc" (else to the folder's first module); a generated
header "<folder>/schema/*" belongs to the pseudo-module "<folder>_schema", which a module may use
when it declares add_dependencies(etpu_M etpu_<folder>_schema).

A file of module M may include headers of: M itself, its DEPS and PUBLIC_DEPS, and everything
those reach through PUBLIC_DEPS (CMake's usage requirements). A header of M may include only
M's own headers and what M's PUBLIC_DEPS reach (its includers see no more). Tests may include
what their DEPS reach. include/etpu/*.h may include only other include/etpu/ headers and
standard headers. The module graph must have no cycle. The generated TFLite schema header
(tflite/schema/tflite_generated.h) is included inside src/tflite only: a file anywhere else (src,
tools, tests, bench, python, fuzz) may include neither it nor a src/tflite header that includes it,
directly or not (the IR's own types stand for it). Exit 1 with one line per violation.
"""
import os
import re
import sys

root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), ".."))
src = os.path.join(root, "src")
include_re = re.compile(r'^\s*#\s*include\s*"([^"]+)"', re.M)
call_re = re.compile(r"\b(etpu_module|etpu_tests|target_sources|add_dependencies)\s*\(([^)]*)\)", re.S)


def strip_comments(text):
    return re.sub(r"#[^\n]*", "", text)


def parse_args(body, keywords):
    words = body.split()
    name, out, key = words[0], {k: [] for k in keywords}, None
    for w in words[1:]:
        if w in keywords:
            key = w
        elif key:
            out[key].append(w)
    return name, out


modules = {}   # name -> {folder, sources, deps, public}
tests = []     # (folder, name, sources, deps)
folders = sorted(d for d in os.listdir(src) if os.path.isfile(os.path.join(src, d, "CMakeLists.txt")))
folder_modules = {}
for folder in folders:
    text = strip_comments(open(os.path.join(src, folder, "CMakeLists.txt")).read())
    for kind, body in call_re.findall(text):
        if kind == "etpu_module":
            name, a = parse_args(body, ("SOURCES", "DEPS", "PUBLIC_DEPS"))
            modules[name] = {"folder": folder, "sources": a["SOURCES"],
                             "deps": [d[5:] for d in a["DEPS"] if d.startswith("etpu_")],
                             "public": [d[5:] for d in a["PUBLIC_DEPS"] if d.startswith("etpu_")]}
            folder_modules.setdefault(folder, []).append(name)
        elif kind == "target_sources":
            words = body.split()
            m = words[0][5:]
            modules[m]["sources"] += [w for w in words[1:] if w not in ("PRIVATE", "PUBLIC", "INTERFACE")]
        elif kind == "add_dependencies":
            words = body.split()
            m = words[0][5:]
            if m in modules:
                modules[m]["public"] += [w[5:] for w in words[1:] if w.endswith("_schema")]
        else:
            name, a = parse_args(body, ("SOURCES", "DEPS"))
            tests.append((folder, name, a["SOURCES"], [d[5:] for d in a["DEPS"] if d.startswith("etpu_")]))

errors = []


# The public API headers and the module implementing each (include/etpu/status.h is the shared
# vocabulary every module uses). A new header under include/etpu/ must be listed here.
PUBLIC_API = {"etpu/compiler.h": "driver", "etpu/runtime.h": "runtime", "etpu/inspect.h": "report",
              "etpu/timing.h": "perf_cost", "etpu/zoo.h": "zoo", "etpu/status.h": None}


def owner(header):
    if header.startswith("etpu/"):
        return PUBLIC_API.get(header)
    parts = header.split("/")
    if len(parts) < 2 or parts[0] not in folder_modules:
        return None  # not a module header (etpu/, testutil/, third-party)
    if len(parts) > 2 and parts[1] == "schema":
        return parts[0] + "_schema"
    stem = os.path.splitext("/".join(parts[1:]))[0]
    for m in folder_modules[parts[0]]:
        if any(os.path.splitext(s)[0] == stem for s in modules[m]["sources"]):
            return m
    return folder_modules[parts[0]][0]


def public_reach(names):
    """names plus everything reachable through PUBLIC_DEPS."""
    seen, todo = set(), list(names)
    while todo:
        n = todo.pop()
        if n in seen:
            continue
        seen.add(n)
        todo += modules.get(n, {}).get("public", [])
    return seen


def includes(path):
    return include_re.findall(open(path, encoding="utf-8", errors="replace").read())


def check_file(path, who, allowed, what):
    for inc in includes(path):
        o = owner(inc)
        if o is not None and o not in allowed:
            errors.append(f"{os.path.relpath(path, root)}: {what} includes \"{inc}\" of module '{o}', "
                          f"which it does not declare as a dependency")


# Module sources and headers.
for name, m in modules.items():
    d = os.path.join(src, m["folder"])
    allowed_src = public_reach([name] + m["deps"] + m["public"])
    allowed_hdr = public_reach([name] + m["public"])
    files = [os.path.join(d, s) for s in m["sources"] if not os.path.isabs(s) and "${" not in s]
    for f in files:
        if os.path.isfile(f):
            check_file(f, name, allowed_src, f"module '{name}'")
    for dirpath, _, names in os.walk(d):
        for fn in names:
            if fn.endswith(".h"):
                rel = os.path.relpath(os.path.join(dirpath, fn), src)
                if owner(rel) == name and "test" not in fn:
                    check_file(os.path.join(dirpath, fn), name, allowed_hdr, f"header of module '{name}'")

# Tests, and the test-only headers of a folder (named *test*.h) against what its tests link.
folder_test_deps = {}
for folder, name, sources, deps in tests:
    allowed = public_reach(deps)
    folder_test_deps.setdefault(folder, set()).update(allowed)
    for s in sources:
        f = os.path.join(src, folder, s)
        if os.path.isfile(f):
            check_file(f, name, allowed, f"test '{name}_test'")
for folder, allowed in folder_test_deps.items():
    for fn in sorted(os.listdir(os.path.join(src, folder))):
        if fn.endswith(".h") and "test" in fn:
            check_file(os.path.join(src, folder, fn), folder, allowed, f"test header of '{folder}'")

# Public headers: only etpu/ and standard headers.
inc_dir = os.path.join(root, "include", "etpu")
for fn in sorted(os.listdir(inc_dir)):
    p = os.path.join(inc_dir, fn)
    if "etpu/" + fn not in PUBLIC_API:
        errors.append(f"include/etpu/{fn}: not listed in PUBLIC_API of scripts/check_layering.py")
    for inc in includes(p):
        if not inc.startswith("etpu/"):
            errors.append(f"include/etpu/{fn}: public header includes internal \"{inc}\"")

# The generated TFLite schema stays inside src/tflite: the headers that reach it...
TFLITE_SCHEMA = "tflite/schema/tflite_generated.h"
exposing = {TFLITE_SCHEMA}
tflite_dir = os.path.join(src, "tflite")
tflite_headers = []
for dirpath, _, names in os.walk(tflite_dir):
    tflite_headers += [os.path.join(dirpath, fn) for fn in names if fn.endswith(".h")]
grown = True
while grown:
    grown = False
    for h in tflite_headers:
        rel = os.path.relpath(h, src)
        if rel not in exposing and any(inc in exposing for inc in includes(h)):
            exposing.add(rel)
            grown = True
# ...and no file outside src/tflite includes one of them (this check's own test tree aside).
own_fixture = os.path.join(root, "tests", "layering", "fixture")
for top in ("src", "tools", "tests", "bench", "python", "fuzz"):
    for dirpath, _, names in os.walk(os.path.join(root, top)):
        here = os.path.abspath(dirpath)
        if any(os.path.commonpath([here, d]) == d for d in (tflite_dir, own_fixture)):
            continue
        for fn in names:
            if not fn.endswith((".h", ".cc", ".cpp")):
                continue
            p = os.path.join(dirpath, fn)
            for inc in includes(p):
                if inc in exposing:
                    via = "" if inc == TFLITE_SCHEMA else ", which includes the generated TFLite schema"
                    errors.append(f"{os.path.relpath(p, root)}: includes \"{inc}\"{via} (only src/tflite may; "
                                  f"use the IR's types)")

# No cycle among modules.
state = {}


def visit(n, stack):
    state[n] = 1
    for d in modules[n]["deps"] + modules[n]["public"]:
        if d not in modules:
            continue
        if state.get(d) == 1:
            errors.append("module cycle: " + " -> ".join(stack[stack.index(d):] + [d]))
        elif d not in state:
            visit(d, stack + [d])
    state[n] = 2


for n in modules:
    if n not in state:
        visit(n, [n])

for n, m in modules.items():
    for d in m["deps"] + m["public"]:
        if d not in modules and not d.endswith("_schema") and d != "testutil":
            errors.append(f"module '{n}' declares unknown dependency etpu_{d}")

if errors:
    print("check_layering: %d violation(s)" % len(errors))
    print("\n".join(sorted(set(errors))))
    sys.exit(1)
print(f"check_layering: {len(modules)} modules, {len(tests)} test targets: no violation")
