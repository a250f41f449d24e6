#!/usr/bin/env python3
"""Writes a simple index for resolver tests and benchmarks from a JSON spec.
Usage: make-index.py OUTDIR SPEC.json

SPEC: {"name": {"version": {OPTIONS}}}, OPTIONS (all optional):
  "deps": ["beta>=2", "gamma; python_version < '3'"]   Requires-Dist
  "extras": {"socks": ["pysocks"]}                        Provides-Extra + its Requires-Dist
  "requires_python": ">=3.8"    in METADATA and on the page (data-requires-python)
  "yanked": true                every file yanked (PEP 592)
  "sdist_only": true            an sdist and no wheel
  "tag": "cp311-cp311-linux_x86_64"   the wheel's tags (default py3-none-any)
  "no_metadata_file": true      no PEP 658 .metadata beside the wheel
  "bad_wheel": true             the wheel's bytes are not a zip (its .metadata is fine)
OUTDIR/simple/NAME/index.html (PEP 503, with data-core-metadata, data-yanked,
data-requires-python and #sha256= fragments) and index.json (PEP 691 with
size and upload-time) are written; files go to OUTDIR/files/."""
import base64
import hashlib
import html
import io
import json
import os
import sys
import zipfile

out, spec_path = sys.argv[1:3]
spec = json.load(open(spec_path))
files_dir = os.path.join(out, "files")
os.makedirs(files_dir, exist_ok=True)


def norm(n):
    import re
    return re.sub(r"[-_.]+", "-", n).lower()


def metadata(name, version, o):
    lines = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}"]
    if "requires_python" in o:
        lines.append(f"Requires-Python: {o['requires_python']}")
    for d in o.get("deps", []):
        lines.append(f"Requires-Dist: {d}")
    for extra, deps in o.get("extras", {}).items():
        lines.append(f"Provides-Extra: {extra}")
        for d in deps:
            if ";" in d:
                req, marker = d.split(";", 1)
                lines.append(f"Requires-Dist: {req.strip()} ; ({marker.strip()}) and extra == '{extra}'")
            else:
                lines.append(f"Requires-Dist: {d} ; extra == '{extra}'")
    return ("\n".join(lines) + "\n\n").encode()


def wheel(name, version, tag, meta):
    mod = name.replace("-", "_")
    dist = f"{mod}-{version}"
    entries = [(f"{mod}/__init__.py", f"VERSION = {version!r}\n".encode()),
               (f"{dist}.dist-info/METADATA", meta),
               (f"{dist}.dist-info/WHEEL", ("Wheel-Version: 1.0\nGenerator: make-index\nRoot-Is-Purelib: true\n"
                                             f"Tag: {tag}\n").encode())]
    record = ""
    for n, b in entries:
        h = base64.urlsafe_b64encode(hashlib.sha256(b).digest()).rstrip(b"=").decode()
        record += f"{n},sha256={h},{len(b)}\n"
    record += f"{dist}.dist-info/RECORD,,\n"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for n, b in entries + [(f"{dist}.dist-info/RECORD", record.encode())]:
            zi = zipfile.ZipInfo(n, (2024, 1, 1, 0, 0, 0))
            zi.external_attr = 0o644 << 16
            z.writestr(zi, b)
    return f"{dist}-{tag}.whl", buf.getvalue()


for name, versions in spec.items():
    page = os.path.join(out, "simple", norm(name))
    os.makedirs(page, exist_ok=True)
    links, jfiles = [], []
    for version, o in versions.items():
        meta = metadata(name, version, o)
        made = []
        if o.get("sdist_only"):
            made.append((f"{name.replace('-', '_')}-{version}.tar.gz", b"not really an sdist\n", False))
        else:
            fn, data = wheel(name, version, o.get("tag", "py3-none-any"), meta)
            if o.get("bad_wheel"):
                data = b"this is not a zip file"
            made.append((fn, data, True))
        for fn, data, is_wheel in made:
            with open(os.path.join(files_dir, fn), "wb") as f:
                f.write(data)
            sha = hashlib.sha256(data).hexdigest()
            url = f"../../files/{fn}"
            attrs = ""
            jf = {"filename": fn, "url": url, "hashes": {"sha256": sha}, "size": len(data),
                  "upload-time": "2024-01-01T00:00:00.000000Z"}
            if "requires_python" in o:
                attrs += f' data-requires-python="{html.escape(o["requires_python"])}"'
                jf["requires-python"] = o["requires_python"]
            if o.get("yanked"):
                attrs += ' data-yanked=""'
                jf["yanked"] = True
            if is_wheel and not o.get("no_metadata_file"):
                with open(os.path.join(files_dir, fn + ".metadata"), "wb") as f:
                    f.write(meta)
                msha = hashlib.sha256(meta).hexdigest()
                attrs += f' data-core-metadata="sha256={msha}"'
                jf["core-metadata"] = {"sha256": msha}
            links.append(f'<a href="{url}#sha256={sha}"{attrs}>{fn}</a><br/>')
            jfiles.append(jf)
    with open(os.path.join(page, "index.html"), "w") as f:
        f.write("<!DOCTYPE html><html><body>\n" + "\n".join(links) + "\n</body></html>\n")
    with open(os.path.join(page, "index.json"), "w") as f:
        json.dump({"meta": {"api-version": "1.1"}, "name": norm(name), "versions": list(versions),
                   "files": jfiles}, f)
