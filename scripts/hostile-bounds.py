#!/usr/bin/env python3
"""Writes the hostile inputs of the "Bounds" benchmarks (BENCHMARKS.md) into a directory.

Usage: python3 scripts/hostile-bounds.py DIR [FAMILY...]

Each family is a sub-directory of DIR holding the files one `archmap` command reads; the
commands and the measurements are in BENCHMARKS.md, section "Bounds". Without FAMILY every
family is written (about 5 GB in all, 4 GB of it for the 16 large includes).
"""

import os
import sys


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    mode = "wb" if isinstance(text, bytes) else "w"
    with open(path, mode) as f:
        f.write(text)


def env_bomb(d):
    # Each variable references the previous one ten times: 10^9 copies of the first.
    lines = ["V0=xxxxxxxxxx"]
    for i in range(1, 10):
        lines.append(f"V{i}=" + f"${{V{i - 1}}}" * 10)
    write(f"{d}/.env", "\n".join(lines) + "\n")
    write(f"{d}/compose.yaml", "services:\n  web:\n    image: \"$V9\"\n")


def image_big(d):
    # A 100 KB variable read by 30,000 services: 3 GB of interpolated text.
    write(f"{d}/.env", "BIG=" + "b" * 100_000 + "\n")
    body = "".join(f"  s{i}:\n    image: \"$BIG\"\n" for i in range(30_000))
    write(f"{d}/compose.yaml", "services:\n" + body)


def manifest(services, groups=""):
    return f"version: 1\nname: S\n{groups}services:\n{services}"


def nested_groups(d, n):
    groups = "groups:\n" + "".join(
        f"  g{i}: {{parent: g{i - 1}}}\n" if i else "  g0: {}\n" for i in range(n)
    )
    write(f"{d}/archmap.yaml", manifest(f"  a: {{group: g{n - 1}}}\n  b: {{group: g0, depends_on: [a]}}\n", groups))


def long_protocol(d, n):
    write(f"{d}/archmap.yaml", manifest(f"  a:\n    depends_on:\n      - target: b\n        protocol: {'p' * n}\n  b: {{}}\n"))


def many_allows(d, n):
    allows = ", ".join(f"rule-{i}" for i in range(n))
    write(f"{d}/archmap.yaml", manifest(f"  a: {{allow: [{allows}]}}\n"))


def many_selectors(d, n):
    sel = ", ".join(f"tag:t{i}" for i in range(n))
    write(
        f"{d}/archmap.yaml",
        manifest("  a: {}\n") + f"views:\n  v: {{include: [{sel}]}}\n",
    )


def long_context(d, n):
    # A comment line of n bytes just before a bad value: only the bad line is the excerpt.
    write(f"{d}/archmap.yaml", manifest(f"  a:\n#{'c' * n}\n    kind: nonsense\n"))


def long_context_missing(d, n):
    # A file with no `name:` whose second line is n bytes long.
    write(f"{d}/archmap.yaml", f"version: 1\n#{'c' * n}\nservices: {{a: {{}}}}\n")


def x_numbers(d, mb):
    chunk = "1," * 500_000
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "archmap.yaml"), "w") as f:
        f.write("version: 1\nname: S\nservices: {a: {}}\nx-data: [")
        for _ in range(mb):
            f.write(chunk)
        f.write("1]\n")


def numbers_tags(d, mb):
    chunk = "1," * 500_000
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "archmap.yaml"), "w") as f:
        f.write("version: 1\nname: S\nservices:\n  a:\n    tags: [")
        for _ in range(mb):
            f.write(chunk)
        f.write("1]\n")


def big_includes(d, n, mb):
    includes = ", ".join(f"i{i}.yaml" for i in range(n))
    write(f"{d}/archmap.yaml", f"version: 1\nname: S\ninclude: [{includes}]\nservices: {{a: {{}}}}\n")
    pad = "#" + "c" * 1_000_000 + "\n"
    for i in range(n):
        with open(f"{d}/i{i}.yaml", "w") as f:
            f.write("version: 1\n")
            for _ in range(mb):
                f.write(pad)


def alias_merge(d, n):
    body = "".join(f"  s{i}:\n    <<: *defaults\n" for i in range(n))
    write(
        f"{d}/archmap.yaml",
        "version: 1\nname: S\nx-defaults: &defaults\n  owner: team\n  tech: Go\n  replicas: 2\n  tags: [a, b]\nservices:\n" + body,
    )


def extends_outside(d):
    write(f"{d}/compose.yaml", "services:\n  web:\n    extends:\n      file: /proc/self/environ\n      service: x\n")


def extends_loop(d):
    write(f"{d}/compose.yaml", "services:\n  a:\n    extends: {file: sub/b.yaml, service: b}\n")
    write(f"{d}/sub/b.yaml", "services:\n  b:\n    extends: {file: ../compose.yaml, service: a}\n")


def compose_include(d):
    write(f"{d}/compose.yaml", "include: [other.yaml]\nservices:\n  web: {image: nginx, depends_on: [api]}\n")
    write(f"{d}/other.yaml", "services:\n  api: {image: python}\n")


FAMILIES = {
    "env-bomb": env_bomb,
    "image-big": image_big,
    "groups-5000": lambda d: nested_groups(d, 5_000),
    "groups-20000": lambda d: nested_groups(d, 20_000),
    "protocol-160k": lambda d: long_protocol(d, 160_000),
    "protocol-1m": lambda d: long_protocol(d, 1_000_000),
    "allow-60000": lambda d: many_allows(d, 60_000),
    "selectors-100000": lambda d: many_selectors(d, 100_000),
    "context-1mb": lambda d: long_context(d, 1_000_000),
    "context-250mb": lambda d: long_context_missing(d, 250_000_000),
    "x-numbers-64mb": lambda d: x_numbers(d, 64),
    "tags-numbers-64mb": lambda d: numbers_tags(d, 64),
    "includes-16x250mb": lambda d: big_includes(d, 16, 250),
    "alias-merge-8000": lambda d: alias_merge(d, 8_000),
    "extends-outside": extends_outside,
    "extends-loop": extends_loop,
    "compose-include": compose_include,
}


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    names = sys.argv[2:] or list(FAMILIES)
    for name in names:
        if name not in FAMILIES:
            sys.exit(f"unknown family {name}; known: {', '.join(FAMILIES)}")
        d = os.path.join(out, name)
        os.makedirs(d, exist_ok=True)
        FAMILIES[name](d)
        print(d)


if __name__ == "__main__":
    main()
