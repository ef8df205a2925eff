/* The in-page trainer's Python: Pyodide (the site's own copy) + the esi_reference rule core, in a module web
 * worker (Pyodide no longer runs in classic workers).
 *
 * The page posts {type: "init", pyodide, core, snapshot} once, then {id, op, args} calls; the worker answers
 * {type: "status", ...} while starting and {id, ok, result | error} per call, through
 * esi_reference.trainer.practice.call (which only runs the operations it lists). With a memory snapshot of a Python
 * that has already imported the rule core (built by tools/build_practice_core.mjs) the start-up skips
 * initialising Python and importing the package. Nothing is fetched from outside the site: the Pyodide core
 * comes from `pyodide` (a folder of this site), the rule core is one zip unpacked into the in-memory file
 * system, and no package is installed (no micropip, no lock-file packages).
 */
const OPS = ["grade_answer", "show_answer", "hint", "new_case", "answers_csv", "case"]; // practice.OPERATIONS
let ready = null;

function status(stage, extra) {
  self.postMessage(Object.assign({ type: "status", stage, ms: Math.round(performance.now()) }, extra || {}));
}

// The memory image of a Python that has already imported the rule core (tools/build_practice_core.mjs):
// gzip on the wire, unpacked by the browser's own DecompressionStream. Null when absent or unusable.
async function fetchSnapshot(url) {
  try {
    const r = await fetch(url);
    if (!r.ok) return null;
    if (!url.endsWith(".gz")) return new Uint8Array(await r.arrayBuffer());
    if (typeof DecompressionStream === "undefined") return null;
    return new Uint8Array(await new Response(r.body.pipeThrough(new DecompressionStream("gzip"))).arrayBuffer());
  } catch (err) {
    return null;
  }
}

async function start(cfg) {
  // The zip download runs while Pyodide boots.
  const core = fetch(cfg.core).then((r) => {
    if (!r.ok) throw new Error(`the rule core (${cfg.core}) could not be loaded: HTTP ${r.status}`);
    return r.arrayBuffer();
  });
  const snapshot = cfg.snapshot ? fetchSnapshot(cfg.snapshot) : null;
  const { loadPyodide } = await import(cfg.pyodide + "pyodide.mjs");
  status("python");
  const options = { indexURL: cfg.pyodide, packages: [], stdout: () => {}, stderr: () => {} };
  let py = null;
  let fromSnapshot = false;
  const image = snapshot && (await snapshot);
  if (image) {
    try {
      py = await loadPyodide(Object.assign({ _loadSnapshot: image }, options));
      fromSnapshot = true;
      status("snapshot");
    } catch (err) {
      py = null; // a snapshot this Pyodide cannot use: start from scratch below
    }
  }
  if (!py) py = await loadPyodide(options);
  status("package");
  py.unpackArchive(await core, "zip", { extractDir: "/home/pyodide/esi-core" }); // also after a snapshot: lazy imports
  py.runPython('import sys\nif "/home/pyodide/esi-core" not in sys.path: sys.path.insert(0, "/home/pyodide/esi-core")');
  const practice = py.pyimport("esi_reference.trainer.practice");
  if (!fromSnapshot) practice.warm_up(); // the snapshot was taken after the same warm-up
  const call = (op, args) => practice.call(op, args);
  status("ready");
  return call;
}

self.onmessage = async (event) => {
  const msg = event.data || {};
  if (msg.type === "init") {
    if (!ready) {
      ready = start(msg);
      ready.catch((err) => status("failed", { error: String((err && err.message) || err) }));
    }
    return;
  }
  const reply = { id: msg.id };
  try {
    if (!OPS.includes(msg.op)) throw new Error(`unknown operation ${msg.op}`);
    const call = await ready;
    Object.assign(reply, JSON.parse(call(msg.op, JSON.stringify(msg.args || []))));
  } catch (err) {
    reply.ok = false;
    reply.error = String((err && err.message) || err).split("\n").slice(-2).join(" ");
  }
  self.postMessage(reply);
};
