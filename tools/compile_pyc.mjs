// Byte-compile a zip of pure-Python modules with the Pyodide the site ships (same CPython as the browser),
// so the page imports .pyc files instead of compiling the sources at start-up.
//
//   node tools/compile_pyc.mjs PYODIDE_DIR IN.zip OUT.zip
//
// Every .py becomes a sourceless .pyc next to where it was (unchecked-hash, so file times do not matter);
// every other file is copied unchanged. Used by book/practice_pages.py (compiled_core_zip).
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

const [pyodideDir, src, dest] = process.argv.slice(2);
const { loadPyodide } = await import(path.resolve(pyodideDir, "pyodide.mjs"));
const py = await loadPyodide({ indexURL: path.resolve(pyodideDir) + "/", packages: [], stdout: () => {} });
py.FS.writeFile("/tmp/in.zip", new Uint8Array(readFileSync(src)));
py.runPython(`
import compileall, io, py_compile, zipfile
with zipfile.ZipFile("/tmp/in.zip") as zin, zipfile.ZipFile("/tmp/out.zip", "w", zipfile.ZIP_DEFLATED) as zout:
    for info in sorted(zin.infolist(), key=lambda i: i.filename):
        data = zin.read(info)
        name = info.filename
        if name.endswith(".py"):
            with open("/tmp/m.py", "wb") as f:
                f.write(data)
            py_compile.compile("/tmp/m.py", cfile="/tmp/m.pyc", dfile=name, doraise=True,
                               invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
            data = open("/tmp/m.pyc", "rb").read()
            name += "c"
        out = zipfile.ZipInfo(name, info.date_time)
        out.external_attr = info.external_attr
        zout.writestr(out, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
`);
writeFileSync(dest, py.FS.readFile("/tmp/out.zip"));
