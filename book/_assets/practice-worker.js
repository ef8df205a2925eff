/* The in-page trainer's Python: Pyodide (the site's own copy) + the esi_reference rule core, in a module web
 * worker (Pyodide no longer runs in classic workers).
 *
 * The page posts {type: "init", pyodide, core, warm} once, then {id, op, args} calls; the worker answers
 * {type: "status", ...} while starting and {id, ok, result | error} per call. Only the functions listed in
 * OPS (esi_reference.practice) can be called. Nothing is fetched from outside the site: the Pyodide core
 * comes from `pyodide` (a folder of this site), the rule core is one zip unpacked into the in-memory file
 * system, and no package is installed (no micropip, no lock-file packages).
 */
const OPS = ["grade_answer", "show_answer", "hint", "new_case", "answers_csv", "case"];
let ready = null;

function status(stage, extra) {
  self.postMessage(Object.assign({ type: "status", stage, ms: Math.round(performance.now()) }, extra || {}));
}

async function start(cfg) {
  // The zip download runs while Pyodide boots.
  const core = fetch(cfg.core).then((r) => {
    if (!r.ok) throw new Error(`the rule core (${cfg.core}) could not be loaded: HTTP ${r.status}`);
    return r.arrayBuffer();
  });
  const { loadPyodide } = await import(cfg.pyodide + "pyodide.mjs");
  status("python");
  const py = await loadPyodide({ indexURL: cfg.pyodide, packages: [], stdout: () => {}, stderr: () => {} });
  status("package");
  py.unpackArchive(await core, "zip", { extractDir: "/home/pyodide/esi-core" });
  py.runPython(`
import sys, json
sys.path.insert(0, "/home/pyodide/esi-core")
sys.dont_write_bytecode = False
from esi_reference import practice as _practice
from esi_reference.errors import EsiError as _EsiError

def _call(op, args):
    try:
        return json.dumps({"ok": True, "result": getattr(_practice, op)(*json.loads(args))})
    except _EsiError as exc:
        return json.dumps({"ok": False, "error": str(exc)})
`);
  const call = py.globals.get("_call");
  if (cfg.warm) call("case", JSON.stringify([cfg.warm])); // loads the scenario bank and the rule registry
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
