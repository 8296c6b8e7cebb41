#!/usr/bin/env python3
"""Checks that the release metadata agree with leadscore.control.

META.json (PGXN Meta Spec 1.0.0), debian/changelog, debian/pgversions and the
Makefile each repeat a fact the control file or the sources hold; a release
that bumps one and forgets another would publish a wrong version. Prints one
line per check and 'N passed, N failed'; exits 1 on any failure.
"""
import json
import pathlib
import re
import sys

root = pathlib.Path(__file__).resolve().parent.parent
results = []


def check(name, ok, detail=""):
    results.append(ok)
    print(("ok     " if ok else "FAILED ") + name + ("" if ok else ": " + detail))


def control_value(key):
    text = (root / "control/leadscore.control").read_text()
    match = re.search(r"^%s\s*=\s*'([^']*)'" % key, text, re.M)
    return match.group(1) if match else None


version = control_value("default_version")
comment = control_value("comment")
check("control has default_version and comment", bool(version and comment))
semver = version + ".0" if version and version.count(".") == 1 else version

meta = json.loads((root / "META.json").read_text())
required = ["name", "abstract", "version", "maintainer", "license", "provides", "meta-spec"]
missing = [key for key in required if key not in meta]
check("META.json has the keys the spec requires", not missing, "missing " + ", ".join(missing))
check("META.json follows Meta Spec 1.0.0", meta.get("meta-spec", {}).get("version") == "1.0.0",
      str(meta.get("meta-spec")))
check("META.json version is default_version as semver", meta.get("version") == semver,
      "%s, control says %s" % (meta.get("version"), version))
provided = meta.get("provides", {}).get("leadscore", {})
check("META.json provides leadscore at that version", provided.get("version") == semver,
      str(provided.get("version")))
check("META.json provides the control file", provided.get("file") == "control/leadscore.control" and
      (root / provided.get("file", "-")).is_file(), str(provided.get("file")))
check("META.json abstracts are the control comment",
      meta.get("abstract") == comment and provided.get("abstract") == comment,
      "%r / %r, control says %r" % (meta.get("abstract"), provided.get("abstract"), comment))

majors = sorted(int(line) for line in (root / "debian/pgversions").read_text().split()
                if line.isdigit())
lowest = "%d.0.0" % majors[0] if majors else None
for phase in ("runtime", "build"):
    required_pg = meta.get("prereqs", {}).get(phase, {}).get("requires", {}).get("PostgreSQL")
    check("META.json %s prerequisite is the lowest major in debian/pgversions" % phase,
          required_pg == lowest, "%s, debian/pgversions starts at %s" % (required_pg, lowest))

changelog = (root / "debian/changelog").read_text().splitlines()[0]
match = re.match(r"leadscore \(([^)]+)\)", changelog)
check("debian/changelog's newest entry is default_version", bool(match) and match.group(1) == version,
      changelog)

makefile = (root / "Makefile").read_text()
match = re.search(r"^EXTENSION_VERSION\s*=\s*(\S+)", makefile, re.M)
check("Makefile's EXTENSION_VERSION is default_version", bool(match) and match.group(1) == version,
      match.group(1) if match else "none")

scripts = [p.name for p in (root / "control").glob("leadscore--*.sql")]
reaches = [name for name in scripts if re.fullmatch(r"leadscore--(.+--)?%s\.sql" % re.escape(version), name)]
check("a script installs or upgrades to default_version", bool(reaches), ", ".join(sorted(scripts)))

failed = results.count(False)
print("metadata: %d passed, %d failed" % (len(results) - failed, failed))
sys.exit(1 if failed else 0)
