// The inline practice's Python, prepared with the Pyodide the site ships (the browser's own CPython build):
//
//   node tools/build_practice_core.mjs PYODIDE_DIR SOURCE.zip OUT.zip OUT.snapshot.gz
//
// 1. OUT.zip: every .py of SOURCE.zip byte-compiled to a sourceless .pyc (unchecked-hash, so file times do not
//    matter); other files copied unchanged. The page then never compiles the ~6,000 lines at start-up.
// 2. OUT.snapshot.gz: a Pyodide memory snapshot (gzip) taken after importing esi_reference.trainer.practice and running
//    each of its page calls once. The page's worker boots from it instead of initialising Python and importing
//    the package, which is most of the start-up time; it falls back to a normal boot if the snapshot cannot be
//    used. The snapshot only fits the exact Pyodide files it was made with (same folder, same build).
// Used by book/practice_pages.py (prepared_core); standard Node modules only.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";

const [pyodideDir, src, outZip, outSnapshot] = process.argv.slice(2);
const { loadPyodide } = await import(path.resolve(pyodideDir, "pyodide.mjs"));
const py = await loadPyodide({
  indexURL: path.resolve(pyodideDir) + "/", packages: [], stdout: () => {}, _makeSnapshot: true,
});
py.FS.writeFile("/tmp/in.zip", new Uint8Array(readFileSync(src)));
py.runPython(`
import py_compile, zipfile
with zipfile.ZipFile("/tmp/in.zip") as zin, zipfile.ZipFile("/tmp/out.zip", "w", zipfile.ZIP_DEFLATED) as zout:
    for info in sorted(zin.infolist(), key=lambda i: i.filename):
        data, name = zin.read(info), info.filename
        if name.endswith(".py"):
            with open("/tmp/m.py", "wb") as f:
                f.write(data)
            py_compile.compile("/tmp/m.py", cfile="/tmp/m.pyc", dfile=name, doraise=True,
                               invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
            with open("/tmp/m.pyc", "rb") as f:
                data = f.read()
            name += "c"
        out = zipfile.ZipInfo(name, info.date_time)
        out.external_attr = info.external_attr
        zout.writestr(out, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
`);
const compiled = py.FS.readFile("/tmp/out.zip");
writeFileSync(outZip, compiled);
// The same path and the same warm-up as the page's worker (practice-worker.js).
py.unpackArchive(compiled, "zip", { extractDir: "/home/pyodide/esi-core" });
py.runPython(`
import sys
sys.path.insert(0, "/home/pyodide/esi-core")
from esi_reference.trainer import practice
practice.warm_up()
`);
writeFileSync(outSnapshot, gzipSync(py.makeMemorySnapshot(), { level: 6 }));
