#!/usr/bin/env python3
"""Writes a wheel for the tests and benchmarks, well-formed or broken on
purpose. Usage: make-wheel.py OUTDIR NAME VERSION [KIND] [MODULES]

KIND is one of:
  good      a package NAME with MODULES modules in nested packages, console
            and GUI entry points, .data/scripts (a #!python script),
            .data/data, .data/headers; Root-Is-Purelib true
  platlib   the same with Root-Is-Purelib false, tagged for linux x86_64
  slip      an entry ../../escaped.py
  absolute  an entry /tmp/absolute.py
  symlink   an entry that is a symbolic link
  tampered  an entry whose bytes differ from its RECORD hash
  unlisted  an entry missing from RECORD
  duplicate the same entry twice
  bomb      200 MB of zeros in one entry
  scheme    an entry in an unknown .data scheme
  version   Wheel-Version 2.0
  emptyrow  a RECORD row without a path
  wv1abc    Wheel-Version 1abc
  wv01      Wheel-Version 01.0
  othername METADATA naming another project
  otherver  METADATA giving another version
  ctrlscript a console script whose name holds an escape character
  reserved  .data/data/pylock-env.json (the environment's own file)
  pycache   a shipped __pycache__/*.pyc
  clash     also a top-level module clash.py, the same whatever NAME is (two
            such wheels install one file twice)
Prints the wheel's path."""
import base64
import hashlib
import os
import sys
import zipfile

out, name, version = sys.argv[1:4]
kind = sys.argv[4] if len(sys.argv) > 4 else "good"
modules = int(sys.argv[5]) if len(sys.argv) > 5 else 3
mod = name.replace("-", "_")
dist = f"{mod}-{version}"
tag = "cp311-cp311-linux_x86_64" if kind == "platlib" else "py3-none-any"
path = os.path.join(out, f"{dist}-{tag}.whl")

files = []  # (name, bytes, unix mode or None)
files.append((f"{mod}/__init__.py", f"VERSION = {version!r}\n\ndef main():\n    print('{name} main', VERSION)\n"
              f"    return 0\n\ndef gui():\n    return 3\n".encode(), None))
for i in range(modules):
    files.append((f"{mod}/sub{i % 10}/__init__.py", b"", None))
    files.append((f"{mod}/sub{i % 10}/m{i}.py", f"VALUE = {i}\n\ndef f(x):\n    return x + {i}\n".encode(), None))
files = list(dict((n, (n, b, m)) for n, b, m in files).values())
if kind in ("good", "platlib"):
    files.append((f"{dist}.data/scripts/{name}-tool", b"#!python\nimport " + mod.encode() + b"\nprint('tool', "
                  + mod.encode() + b".VERSION)\n", 0o755))
    files.append((f"{dist}.data/data/share/{name}/data.txt", b"shared data\n", None))
    files.append((f"{dist}.data/headers/{mod}.h", b"#define X 1\n", None))
if kind == "slip":
    files.append(("../../escaped.py", b"print('escaped')\n", None))
if kind == "absolute":
    files.append(("/tmp/absolute.py", b"print('absolute')\n", None))
if kind == "scheme":
    files.append((f"{dist}.data/elsewhere/x.py", b"", None))
if kind == "bomb":
    files.append((f"{mod}/zeros.bin", b"\0" * (200 << 20), None))
if kind == "reserved":
    files.append((f"{dist}.data/data/pylock-env.json", b"{}", None))
if kind == "clash":
    files.append(("clash.py", f"OWNER = {name!r}\n".encode(), None))
if kind == "pycache":
    files.append((f"{mod}/__pycache__/__init__.cpython-311.pyc", b"\0" * 32, None))
meta_name = "someone-else" if kind == "othername" else name
meta_version = version + ".1" if kind == "otherver" else version
wheel_version = {"version": "2.0", "wv1abc": "1abc", "wv01": "01.0"}.get(kind, "1.0")
files.append((f"{dist}.dist-info/METADATA", f"Metadata-Version: 2.1\nName: {meta_name}\nVersion: {meta_version}\n".encode(), None))
files.append((f"{dist}.dist-info/WHEEL", (f"Wheel-Version: {wheel_version}\n"
              f"Generator: pylock-tests\nRoot-Is-Purelib: {'false' if kind == 'platlib' else 'true'}\nTag: {tag}\n").encode(), None))
script_name = name + "\x1b[31m" if kind == "ctrlscript" else name
files.append((f"{dist}.dist-info/entry_points.txt", f"[console_scripts]\n{script_name} = {mod}:main\n\n[gui_scripts]\n"
              f"{name}-gui = {mod}:gui\n\n[other.group]\nignored = {mod}:main\n".encode(), None))


def digest(data):
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


record = []
for n, b, m in files:
    if kind == "unlisted" and n.endswith("m0.py"):
        continue
    h = digest(b"tampered" if kind == "tampered" and n.endswith("__init__.py") and "/" not in n[len(mod) + 1:] else b)
    record.append(f"{n},{h},{len(b)}")
if kind == "emptyrow":
    record.append(",sha256=x,1")
record.append(f"{dist}.dist-info/RECORD,,")
files.append((f"{dist}.dist-info/RECORD", ("\n".join(record) + "\n").encode(), None))

with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
    for n, b, m in files:
        info = zipfile.ZipInfo(n, (2024, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = ((m or 0o644) | 0o100000) << 16
        z.writestr(info, b)
    if kind == "symlink":
        info = zipfile.ZipInfo(f"{mod}/link.py", (2024, 1, 1, 0, 0, 0))
        info.external_attr = (0o120777) << 16
        z.writestr(info, b"/etc/passwd")
    if kind == "duplicate":
        import warnings
        warnings.simplefilter("ignore")
        info = zipfile.ZipInfo(f"{mod}/__init__.py", (2024, 1, 1, 0, 0, 0))
        z.writestr(info, b"print('second')\n")
print(path)
