/* Inline practice on the exercise pages: the claim form and its buttons; Python does the grading.
 *
 * Reads the page's JSON (config: where Pyodide and the rule core are; cases: the topic's public scenarios,
 * without keys), starts the worker (practice-worker.js) at once, and shows the first case while Python
 * starts. Every score, message, hint and key comes from esi_reference.trainer.practice in the worker; this file
 * only collects input, shows the returned HTML (escaped by the package) and keeps progress in
 * localStorage. A click before Python is ready is queued and answered as soon as it is.
 */
(function () {
  "use strict";
  const STORE = "esi-practice-v1";
  const section = document.querySelector("section.esi-practice");
  if (!section) return;
  const cfg = JSON.parse(document.querySelector("script.esi-practice-config").textContent);
  const bankCases = JSON.parse(document.querySelector("script.esi-practice-cases").textContent);
  const abs = (u) => new URL(u, document.baseURI).href;

  // ------------------------------------------------------------------------------------ worker
  const worker = new Worker(abs(cfg.worker), { type: "module" });
  const pending = new Map();
  let nextId = 1;
  let pythonReady = false;
  let failed = null;
  const t0 = performance.now();
  worker.onmessage = (e) => {
    const m = e.data;
    if (m.type === "status") return onStatus(m);
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    m.ok ? p.resolve(m.result) : p.reject(new Error(m.error));
  };
  worker.onerror = (e) => onStatus({ stage: "failed", error: e.message || "the worker could not start" });
  worker.postMessage({ type: "init", pyodide: abs(cfg.pyodide), core: abs(cfg.core),
                       snapshot: cfg.snapshot ? abs(cfg.snapshot) : null });
  function py(op, ...args) {
    if (failed) return Promise.reject(new Error(failed));
    return new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      worker.postMessage({ id, op, args });
    });
  }

  // ------------------------------------------------------------------------------------- store
  function load() {
    try { return Object.assign({ attempts: {}, learner: "" }, JSON.parse(localStorage.getItem(STORE) || "{}")); }
    catch (err) { return { attempts: {}, learner: "" }; }
  }
  function save(data) {
    try { localStorage.setItem(STORE, JSON.stringify(data)); } catch (err) { /* private mode: progress not kept */ }
  }
  let store = load();

  // ---------------------------------------------------------------------------------------- DOM
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "text") node.textContent = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children) if (c) node.append(c);
    return node;
  }
  const uid = (() => { let n = 0; return (p) => `esi-${p}-${++n}`; })();

  section.textContent = "";
  const statusLine = el("p", { class: "esi-practice-status", role: "status", "aria-live": "polite" });
  const position = el("p", { class: "esi-practice-position" });
  const heading = el("h2", { class: "esi-practice-title", tabindex: "-1" });
  const narrative = el("blockquote", { class: "esi-practice-narrative" });
  const settingLine = el("p", { class: "esi-practice-setting" });
  const linesBox = el("div", { class: "esi-lines-box" });
  const form = el("form", { class: "esi-claim", novalidate: true },
    el("fieldset", {}, el("legend", { text: "Your claim: one line per code" }), linesBox));
  const hintBox = el("div", { class: "esi-practice-hints", "aria-live": "polite" });
  const feedback = el("div", { class: "esi-feedback", "aria-live": "polite", tabindex: "-1" });
  const summary = el("div", { class: "esi-practice-summary" });
  const button = (label, cls, onclick, extra) =>
    el("button", Object.assign({ type: "button", class: "esi-btn " + (cls || ""), text: label, onclick }, extra || {}));
  const addBtn = button("Add line", "", () => { addLine(); lastRow().code.focus(); });
  const gradeBtn = el("button", { type: "submit", class: "esi-btn esi-primary", text: "Grade" });
  const hintBtn = button("Hint", "", showHint);
  const answerBtn = button("Show answer", "", showAnswer);
  const prevBtn = button("Previous", "", () => go(index - 1));
  const nextBtn = button("Next", "", () => go(index + 1));
  const newBtn = button("New case", "", newCase, { title: "a new case generated from the rule engine's parameters" });
  form.append(el("div", { class: "esi-actions" }, addBtn, gradeBtn, hintBtn, answerBtn));
  const nav = el("div", { class: "esi-actions esi-nav" }, prevBtn, nextBtn, newBtn);

  let seedInput = null;
  let topicSelect = null;
  if (cfg.mode === "generated") {
    const sid = uid("seed");
    const tid = uid("topic");
    seedInput = el("input", { id: sid, type: "number", min: "0", max: "999999999", inputmode: "numeric",
                              value: String(store.seed ?? Math.floor(Math.random() * 100000)) });
    topicSelect = el("select", { id: tid }, el("option", { value: "", text: "Any topic" }),
      ...Object.entries(cfg.topics).map(([k, v]) => el("option", { value: k, text: v })));
    const startBtn = button("Start this set", "esi-primary", () => startSet());
    section.append(el("div", { class: "esi-seed" },
      el("label", { for: sid, text: "Seed" }), seedInput,
      el("label", { for: tid, text: "Topic" }), topicSelect, startBtn));
  }
  section.append(statusLine, position, heading, narrative, settingLine, form, hintBox, nav, feedback, summary);

  // ----------------------------------------------------------------------------------- claim rows
  let rows = [];
  function addLine(code, modifiers, units) {
    const n = rows.length + 1;
    const ids = [uid("code"), uid("mods"), uid("units")];
    const row = {
      code: el("input", { id: ids[0], type: "text", autocomplete: "off", autocapitalize: "characters",
                          spellcheck: "false", maxlength: "40", placeholder: "62321", class: "esi-code" }),
      modifiers: el("input", { id: ids[1], type: "text", autocomplete: "off", autocapitalize: "characters",
                               spellcheck: "false", maxlength: "40", placeholder: "50, RT ...", class: "esi-modifiers" }),
      units: el("input", { id: ids[2], type: "number", min: "1", max: "9999", inputmode: "numeric", value: "1",
                           class: "esi-units" }),
    };
    row.code.value = code || "";
    row.modifiers.value = modifiers || "";
    if (units) row.units.value = String(units);
    row.remove = button("Remove", "esi-remove", () => removeLine(row));
    row.node = el("div", { class: "esi-line", role: "group" },
      el("span", { class: "esi-line-number", "aria-hidden": "true", text: String(n) }),
      el("label", { for: ids[0], text: "Code" }), row.code,
      el("label", { for: ids[1], text: "Modifiers" }), row.modifiers,
      el("label", { for: ids[2], text: "Units" }), row.units, row.remove);
    rows.push(row);
    linesBox.append(row.node);
    renumber();
    return row;
  }
  const lastRow = () => rows[rows.length - 1];
  function removeLine(row) {
    const i = rows.indexOf(row);
    rows.splice(i, 1);
    row.node.remove();
    if (!rows.length) addLine();
    renumber();
    (rows[Math.max(0, i - 1)] || rows[0]).code.focus();
  }
  function renumber() {
    rows.forEach((r, i) => {
      r.node.setAttribute("aria-label", `Claim line ${i + 1}`);
      r.node.querySelector(".esi-line-number").textContent = String(i + 1);
      r.remove.setAttribute("aria-label", `Remove line ${i + 1}`);
    });
  }
  const answerLines = () => rows.map((r) => ({ code: r.code.value.trim(), modifiers: r.modifiers.value.trim(),
                                               units: r.units.value.trim() })).filter((l) => l.code);

  // ----------------------------------------------------------------------------------- cases
  let items = bankCases.slice();
  let index = 0;
  let hintsShown = 0;
  const current = () => items[index];

  function show(c) {
    const a = store.attempts[c.id];
    position.textContent = cfg.mode === "generated"
      ? `Generated case ${index + 1} · ${c.topic_title} · seed ${store.seed}`
      : `Case ${index + 1} of ${items.length} · ${c.level}` + (c.id.startsWith("gen-") ? " · generated" : "")
        + (a ? ` · best ${Math.round(a.best * 100)}%${a.passed ? " (passed)" : ""}` : "");
    heading.textContent = c.title;
    narrative.textContent = c.narrative;
    settingLine.textContent = c.setting;
    linesBox.textContent = "";
    rows = [];
    const last = a && a.lines && a.lines.length ? a.lines : [{}];
    for (const l of last) addLine(l.code, l.modifiers, l.units);
    hintsShown = 0;
    hintBox.textContent = "";
    feedback.textContent = "";
    prevBtn.disabled = index === 0;
    nextBtn.disabled = cfg.mode !== "generated" && index >= items.length - 1;
    hintBtn.disabled = !c.hints;
  }
  function go(i, focus = true) {
    if (cfg.mode === "generated" && i >= items.length) return generatedCase(i + 1);
    index = Math.max(0, Math.min(i, items.length - 1));
    show(current());
    if (focus) heading.focus();
  }

  // -------------------------------------------------------------------------------- Python calls
  function waiting(box, what) {
    if (!pythonReady) box.textContent = `${what} as soon as Python is ready...`;
  }
  function failure(box, err) {
    box.textContent = `Could not ${err.message.startsWith("the rule core") ? "load the rules" : "do that"}: ${err.message}`;
  }

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const c = current();
    const lines = answerLines();
    waiting(feedback, "Grading");
    gradeBtn.disabled = true;
    py("grade_answer", c.id, lines).then((r) => {
      feedback.innerHTML = r.html; // built by esi_reference.trainer.feedback.feedback_html: learner text escaped there
      const a = store.attempts[c.id] || { best: 0, tries: 0 };
      store.attempts[c.id] = Object.assign(a, {
        topic: c.topic, title: c.title, lines, tries: a.tries + 1, last: r.score,
        best: Math.max(a.best, r.score), passed: a.passed || r.passed, when: new Date().toISOString(),
      });
      save(store);
      renderSummary();
      feedback.setAttribute("data-graded", String(Date.now()));
    }, (err) => failure(feedback, err)).finally(() => { gradeBtn.disabled = false; });
  });

  function showHint() {
    const c = current();
    hintsShown = Math.min(hintsShown + 1, c.hints);
    waiting(hintBox, "Hint");
    py("hint", c.id, hintsShown).then((r) => {
      hintBox.textContent = "";
      const list = el("ol");
      for (const h of r.hints) list.append(el("li", { text: h }));
      hintBox.append(el("p", {}, el("b", { text: "Hints" })), list);
      if (!r.more) hintBox.append(el("p", { class: "esi-muted", text: "No more hints for this case." }));
    }, (err) => failure(hintBox, err));
  }

  function showAnswer() {
    const c = current();
    waiting(feedback, "The answer will show");
    py("show_answer", c.id).then((r) => {
      feedback.innerHTML = r.html;
      const a = store.attempts[c.id] || { best: 0, tries: 0, lines: [] };
      store.attempts[c.id] = Object.assign(a, { topic: c.topic, title: c.title, revealed: true });
      save(store);
      renderSummary();
      feedback.focus();
    }, (err) => failure(feedback, err));
  }

  function newCase() {
    const seed = Math.floor(Math.random() * 1e6);
    waiting(feedback, "The new case will show");
    py("new_case", cfg.topic, seed, 1).then((c) => {
      items.splice(index + 1, 0, c);
      feedback.textContent = "";
      go(index + 1);
    }, (err) => failure(feedback, err));
  }

  function generatedCase(n) {
    const topic = topicSelect.value || null;
    waiting(feedback, "The case will show");
    py("new_case", topic, store.seed, n).then((c) => {
      items[n - 1] = c;
      index = n - 1;
      show(c);
      heading.focus();
    }, (err) => failure(feedback, err));
  }

  function startSet() {
    const seed = parseInt(seedInput.value, 10);
    if (!(seed >= 0 && seed <= 999999999)) {
      feedback.textContent = "The seed is a whole number from 0 to 999999999.";
      seedInput.focus();
      return;
    }
    store.seed = seed;
    save(store);
    items = [];
    generatedCase(1);
  }

  // ---------------------------------------------------------------------- progress and download
  const nameId = uid("learner");
  const learnerInput = el("input", { id: nameId, type: "text", autocomplete: "name", maxlength: "80",
                                     placeholder: "as your instructor knows you" });
  learnerInput.value = store.learner || "";
  learnerInput.addEventListener("change", () => { store.learner = learnerInput.value.trim(); save(store); });
  const downloadNote = el("p", { class: "esi-muted", "aria-live": "polite" });
  const downloadBtn = button("Download my answers", "", download);
  const resetBtn = button("Clear my progress", "", () => {
    if (!window.confirm("Clear every answer and score kept in this browser?")) return;
    store = { attempts: {}, learner: store.learner, seed: store.seed };
    save(store);
    renderSummary();
    show(current());
  });

  function renderSummary() {
    const by = {};
    for (const [sid, a] of Object.entries(store.attempts)) {
      const t = (by[a.topic] = by[a.topic] || { tried: 0, passed: 0, sum: 0, revealed: 0 });
      if (a.tries) { t.tried += 1; t.sum += a.best; }
      if (a.passed) t.passed += 1;
      if (a.revealed) t.revealed += 1;
    }
    summary.textContent = "";
    const table = el("table", { class: "esi-summary-table" },
      el("caption", { text: "Your progress in this browser, per topic (Keys: answers shown)" }),
      el("thead", {}, el("tr", {}, ...["Topic", "Tried", "Passed", "Mean best", "Keys"]
        .map((h) => el("th", { scope: "col", text: h })))));
    const body = el("tbody");
    for (const [topic, title] of Object.entries(cfg.topics)) {
      const t = by[topic] || { tried: 0, passed: 0, sum: 0, revealed: 0 };
      body.append(el("tr", { class: topic === cfg.topic ? "esi-current" : null },
        el("th", { scope: "row", text: title }), el("td", { text: String(t.tried) }),
        el("td", { text: String(t.passed) }),
        el("td", { text: t.tried ? `${Math.round((100 * t.sum) / t.tried)}%` : "-" }),
        el("td", { text: String(t.revealed) })));
    }
    table.append(body);
    summary.append(el("h2", { text: "Your progress" }), el("div", { class: "esi-table-scroll" }, table),
      el("div", { class: "esi-download" }, el("label", { for: nameId, text: "Your name (for the file)" }),
        learnerInput, downloadBtn, resetBtn), downloadNote);
  }

  function download() {
    const answers = {};
    for (const [sid, a] of Object.entries(store.attempts)) if (a.tries) answers[sid] = a.lines || [];
    if (!Object.keys(answers).length) {
      downloadNote.textContent = "Nothing to download yet: grade at least one case first.";
      return;
    }
    store.learner = learnerInput.value.trim();
    save(store);
    waiting(downloadNote, "The file will be ready");
    py("answers_csv", store.learner || "learner", answers).then((text) => {
      const url = URL.createObjectURL(new Blob([text], { type: "text/csv" }));
      const a = el("a", { href: url, download: "esi-practice-answers.csv" });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
      downloadNote.textContent = `Saved esi-practice-answers.csv: ${Object.keys(answers).length} case(s), in the ` +
        "gradebook's format (esi-ref grade).";
    }, (err) => failure(downloadNote, err));
  }

  // ------------------------------------------------------------------------------------ status
  function onStatus(m) {
    // when each start-up stage was reached, in ms since this script ran (read by benchmarks/bench_inline.py)
    section.dataset["t" + m.stage[0].toUpperCase() + m.stage.slice(1)] = String(Math.round(performance.now() - t0));
    if (m.stage === "python") statusLine.textContent = "Starting Python in your browser (first visit: about 12 MB)...";
    else if (m.stage === "package") statusLine.textContent = "Loading the coding rules...";
    else if (m.stage === "ready") {
      pythonReady = true;
      statusLine.textContent = `Python is ready (${((performance.now() - t0) / 1000).toFixed(1)} s): grading runs in this page.`;
      section.classList.add("esi-ready");
    } else if (m.stage === "failed") {
      failed = m.error;
      statusLine.textContent = `Python could not start in this browser (${m.error}). Use the notebook version below.`;
      section.classList.add("esi-failed");
      for (const p of pending.values()) p.reject(new Error(m.error));
      pending.clear();
    }
    statusLine.setAttribute("data-stage", m.stage);
  }

  statusLine.textContent = "Starting Python in your browser...";
  statusLine.setAttribute("data-stage", "starting");
  renderSummary();
  if (cfg.mode === "generated") {
    if (store.seed !== undefined) seedInput.value = String(store.seed);
    store.seed = parseInt(seedInput.value, 10);
    generatedCase(1);
  } else if (items.length) {
    go(0, false);
  }
})();
