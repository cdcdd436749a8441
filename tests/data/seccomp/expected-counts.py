#!/usr/bin/env python3
"""Independent count of the syscall names a Docker/OCI seccomp JSON profile
names for a container on amd64 with a given capability set, using Docker's
rules for includes/excludes (all listed caps required; any excluded cap
removes the rule; arches must list amd64; minKernel compared with 6.18).
test_seccomp.c checks husk's importer against these numbers: resolved
names plus names libseccomp does not know must add up to them.
Usage: expected-counts.py FILE.json [CAP...]"""
import json
import sys

path, caps = sys.argv[1], set(sys.argv[2:])
prof = json.load(open(path))
names = set()
for rule in prof["syscalls"]:
    inc = rule.get("includes") or {}
    exc = rule.get("excludes") or {}
    if any(c not in caps for c in inc.get("caps") or []):
        continue
    if inc.get("arches") and "amd64" not in inc["arches"]:
        continue
    mk = inc.get("minKernel")
    if mk and tuple(int(x) for x in mk.split(".")[:2]) > (6, 18):
        continue
    if any(c in caps for c in exc.get("caps") or []):
        continue
    if "amd64" in (exc.get("arches") or []):
        continue
    names.update(rule.get("names") or [rule.get("name")])
print(len(names))
