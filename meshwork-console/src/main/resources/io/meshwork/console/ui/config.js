// Services, workloads and config pages, the config editor with inline validation, and the
// traffic-shifting and fault-injection wizards. Everything reads and writes through the
// console's /api/console/* endpoints, which go to the control plane.
"use strict";
const Config = (() => {
  function sevBadge(sev, text) {
    return '<span class="sev-' + MW.esc(sev) + '" data-severity="' + MW.esc(sev) + '">' + MW.esc(text || sev) + "</span>";
  }

  function validationBadge(v) {
    const errors = v.checks.filter(c => c.severity === "error").length;
    const warnings = v.checks.filter(c => c.severity === "warning").length;
    if (errors) return sevBadge("error", errors + " error" + (errors > 1 ? "s" : ""));
    if (warnings) return sevBadge("warning", warnings + " warning" + (warnings > 1 ? "s" : ""));
    return sevBadge("ok", "valid");
  }

  function checksHtml(checks) {
    if (!checks.length) return '<p class="muted" id="checks-none">No findings.</p>';
    return '<ul class="checks" id="checks">' + checks.map(c => '<li data-code="' + MW.esc(c.code) + '">' + sevBadge(c.severity) + " <b>" +
      MW.esc(c.code) + "</b> " + (c.path ? "<code>" + MW.esc(c.path) + "</code> " : "") + MW.esc(c.message) + "</li>").join("") + "</ul>";
  }

  function nsParam() {
    return MW.routeParams().get("namespace") || "";
  }

  function nsToolbar(path, extra) {
    return '<div class="toolbar"><label>Namespace <input id="c-ns" size="16" placeholder="all" value="' + MW.esc(nsParam()) + '"></label>' +
      (extra || "") + '<button id="c-go">Show</button></div>';
  }

  function bindNs(path) {
    const go = () => {
      const p = MW.routeParams();
      p.set("namespace", document.getElementById("c-ns").value);
      location.hash = "#" + path + "?" + p.toString();
    };
    document.getElementById("c-go").addEventListener("click", go);
    document.getElementById("c-ns").addEventListener("change", go);
  }

  async function health(ns, type) {
    try { return await MW.json("/api/namespaces/" + encodeURIComponent(ns) + "/health?type=" + type + "&rateInterval=10m"); } catch (e) { return {}; }
  }

  function healthCell(h) {
    const s = h && h.status ? h.status.status : "NA";
    return '<span class="health-' + MW.esc(s) + '" data-health="' + MW.esc(s) + '">● ' + MW.esc(s === "NA" ? "no traffic" : s) + "</span>";
  }

  // ---- services ----
  async function services(main) {
    const ns = nsParam();
    const list = await MW.json("/api/console/services" + (ns ? "?namespace=" + encodeURIComponent(ns) : ""));
    const healthByNs = {};
    for (const n of new Set(list.map(s => s.namespace))) healthByNs[n] = await health(n, "service");
    main.innerHTML = nsToolbar("/services") + '<table class="list" id="services"><tr><th>Service</th><th>Namespace</th><th>Health</th>' +
      "<th>Versions</th><th>Config</th><th>Validation</th><th></th></tr>" + list.map(s =>
        '<tr data-service="' + MW.esc(s.name) + '"><td>' + MW.esc(s.name) + (s.external ? ' <span class="pill">external</span>' : "") + "</td><td>" +
        MW.esc(s.namespace) + "</td><td>" + healthCell((healthByNs[s.namespace] || {})[s.name]) + "</td><td>" +
        Object.entries(s.versions).map(([v, n]) => '<span class="pill">' + MW.esc(v) + " ×" + n + "</span>").join(" ") + "</td><td>" +
        s.config.map(c => '<a href="#/config?namespace=' + encodeURIComponent(c.namespace) + "&kind=" + c.kind + "&name=" + encodeURIComponent(c.name) + '">' +
          MW.esc(c.kind + "/" + c.name) + "</a>").join("<br>") + "</td><td>" + sevBadge(s.validation) + "</td><td>" +
        '<button class="wiz-ts" data-ns="' + MW.esc(s.namespace) + '" data-svc="' + MW.esc(s.name) + '">Traffic shifting</button> ' +
        '<button class="wiz-fi" data-ns="' + MW.esc(s.namespace) + '" data-svc="' + MW.esc(s.name) + '">Faults &amp; timeouts</button></td></tr>').join("") +
      '</table><div id="wizard"></div>';
    bindNs("/services");
    const byName = (n, svc) => list.find(s => s.namespace === n && s.name === svc);
    main.querySelectorAll(".wiz-ts").forEach(b => b.addEventListener("click", () => trafficShifting(byName(b.dataset.ns, b.dataset.svc))));
    main.querySelectorAll(".wiz-fi").forEach(b => b.addEventListener("click", () => faults(byName(b.dataset.ns, b.dataset.svc))));
    const want = MW.routeParams().get("service");
    if (want && list.find(s => s.name === want)) trafficShifting(list.find(s => s.name === want));
  }

  function wizardShell(title, form) {
    const w = document.getElementById("wizard");
    w.innerHTML = '<div class="panel"><h3>' + MW.esc(title) + "</h3>" + form +
      '<p><button id="wiz-preview">Preview YAML</button> <button id="wiz-apply">Apply</button></p>' +
      '<div id="wiz-out"></div></div>';
    return w;
  }

  async function runWizard(kind, payload, apply) {
    const out = document.getElementById("wiz-out");
    const r = await MW.post("/api/console/wizard/" + kind + (apply ? "?apply=true" : ""), JSON.stringify(payload()), "application/json");
    if (!r.ok && !r.body.yaml) {
      out.innerHTML = '<p class="error" id="wiz-error">' + MW.esc(r.body.error || r.body.message || ("HTTP " + r.status)) + "</p>";
      return;
    }
    out.innerHTML = (apply ? (r.body.applied ? '<p id="wiz-applied">' + sevBadge("ok", "applied") + " revision " + MW.esc(r.body.result.revision) + "</p>"
        : '<p class="error" id="wiz-error">not applied: ' + MW.esc((r.body.result && r.body.result.errors || []).join("; ")) + "</p>") : "") +
      "<h4>Validation</h4>" + checksHtml(r.body.validation.checks) + '<h4>YAML</h4><pre class="yaml" id="wiz-yaml">' + MW.esc(r.body.yaml) + "</pre>";
  }

  function trafficShifting(s) {
    const versions = Object.keys(s.versions).filter(v => v !== "(none)");
    if (!versions.length) versions.push("v1");
    const even = Math.floor(100 / versions.length);
    const w = wizardShell("Traffic shifting: " + s.name + "." + s.namespace,
      "<p class=\"muted\">Weights per version (percent, adding up to 100). Creates a DestinationRule with a subset per version and a VirtualService splitting the traffic.</p>" +
      versions.map((v, i) => '<label>' + MW.esc(v) + ' <input type="number" min="0" max="100" class="ts-weight" data-version="' + MW.esc(v) + '" value="' +
        (i === 0 ? 100 - even * (versions.length - 1) : even) + '" size="4"></label> ').join("") + ' <span id="ts-sum"></span>');
    const payload = () => {
      const weights = {};
      w.querySelectorAll(".ts-weight").forEach(i => { weights[i.dataset.version] = parseInt(i.value || "0", 10); });
      return {namespace: s.namespace, service: s.name, weights};
    };
    const sum = () => { document.getElementById("ts-sum").textContent = "total " + Object.values(payload().weights).reduce((a, b) => a + b, 0) + "%"; };
    w.querySelectorAll(".ts-weight").forEach(i => i.addEventListener("input", sum));
    sum();
    document.getElementById("wiz-preview").addEventListener("click", () => runWizard("traffic-shifting", payload, false));
    document.getElementById("wiz-apply").addEventListener("click", () => runWizard("traffic-shifting", payload, true));
  }

  function faults(s) {
    const f = (id, label, ph) => '<label>' + label + ' <input id="' + id + '" size="6" placeholder="' + ph + '"></label> ';
    const w = wizardShell("Fault injection and timeouts: " + s.name + "." + s.namespace,
      "<p>" + f("fi-delay-pct", "Delay %", "50") + f("fi-delay", "fixed delay", "2s") + "</p><p>" + f("fi-abort-pct", "Abort %", "10") +
      f("fi-status", "HTTP status", "503") + "</p><p>" + f("fi-timeout", "Route timeout", "5s") + f("fi-retries", "Retries", "3") +
      f("fi-pertry", "per try timeout", "1s") + "</p>");
    const v = id => { const x = document.getElementById(id).value.trim(); return x === "" ? null : x; };
    const payload = () => ({namespace: s.namespace, service: s.name, delayPercent: v("fi-delay-pct"), fixedDelay: v("fi-delay"),
      abortPercent: v("fi-abort-pct"), httpStatus: v("fi-status") && parseInt(v("fi-status"), 10), timeout: v("fi-timeout"),
      retryAttempts: v("fi-retries") && parseInt(v("fi-retries"), 10), perTryTimeout: v("fi-pertry")});
    document.getElementById("wiz-preview").addEventListener("click", () => runWizard("fault-injection", payload, false));
    document.getElementById("wiz-apply").addEventListener("click", () => runWizard("fault-injection", payload, true));
    return w;
  }

  // ---- workloads ----
  async function workloads(main) {
    const ns = nsParam();
    const list = await MW.json("/api/console/workloads" + (ns ? "?namespace=" + encodeURIComponent(ns) : ""));
    const healthByNs = {};
    for (const n of new Set(list.map(s => s.namespace))) healthByNs[n] = await health(n, "workload");
    main.innerHTML = nsToolbar("/workloads") + '<table class="list" id="workloads"><tr><th>Workload</th><th>Namespace</th><th>Address</th>' +
      "<th>Labels</th><th>Proxy</th><th>Health</th></tr>" + list.map(w => '<tr data-workload="' + MW.esc(w.name) + '"><td>' + MW.esc(w.name) +
        "</td><td>" + MW.esc(w.namespace) + "</td><td>" + MW.esc(w.address) + "</td><td>" +
        Object.entries(w.labels || {}).map(([k, v]) => '<span class="pill">' + MW.esc(k + "=" + v) + "</span>").join(" ") + "</td><td>" +
        (w.proxy ? sevBadge("ok", "connected") : sevBadge("warning", "missing sidecar")) +
        (w.sync ? " " + sevBadge(w.sync === "SYNCED" ? "ok" : "error", w.sync) : "") + "</td><td>" +
        healthCell((healthByNs[w.namespace] || {})[w.name]) + "</td></tr>").join("") + "</table>";
    bindNs("/workloads");
  }

  // ---- config ----
  async function list(main) {
    const p = MW.routeParams();
    const ns = nsParam();
    const data = await MW.json("/api/console/config" + (ns ? "?namespaces=" + encodeURIComponent(ns) : ""));
    const kind = p.get("kind") || "";
    const kinds = [...new Set(data.items.map(i => i.kind))].sort();
    const items = data.items.filter(i => !kind || i.kind === kind);
    main.innerHTML = nsToolbar("/config", '<label>Kind <select id="c-kind"><option value="">all</option>' +
        kinds.map(k => '<option' + (k === kind ? " selected" : "") + ">" + MW.esc(k) + "</option>").join("") + "</select></label>") +
      '<p><button id="c-new">New resource</button> <span class="muted">store revision ' + MW.esc(data.revision) + "</span></p>" +
      '<table class="list" id="config"><tr><th>Kind</th><th>Namespace</th><th>Name</th><th>Validation</th></tr>' +
      items.map((i, n) => '<tr class="cfg-row" data-i="' + n + '" data-name="' + MW.esc(i.name) + '" data-kind="' + MW.esc(i.kind) + '"><td>' +
        MW.esc(i.kind) + "</td><td>" + MW.esc(i.namespace) + '</td><td><a href="javascript:void 0">' + MW.esc(i.name) + "</a></td><td>" +
        validationBadge(i.validation) + "</td></tr>").join("") + '</table><div id="editor-box"></div>';
    bindNs("/config");
    document.getElementById("c-kind").addEventListener("change", e => {
      p.set("kind", e.target.value);
      p.delete("name");
      location.hash = "#/config?" + p.toString();
    });
    main.querySelectorAll(".cfg-row").forEach(r => r.addEventListener("click", () => edit(items[+r.dataset.i])));
    document.getElementById("c-new").addEventListener("click", () => edit(null));
    const name = p.get("name");
    const pre = name && items.find(i => i.name === name);
    if (pre) edit(pre);
  }

  function edit(item) {
    const box = document.getElementById("editor-box");
    const yaml = item ? item.yaml : "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: \n  namespace: " + (nsParam() || "default") + "\nspec:\n  hosts: []\n";
    box.innerHTML = '<div class="panel"><h3>' + (item ? MW.esc(item.kind + " " + item.namespace + "/" + item.name) : "New resource") + "</h3>" +
      '<textarea class="editor" id="editor" spellcheck="false">' + MW.esc(yaml) + "</textarea>" +
      '<p><button id="e-validate">Validate</button> <button id="e-apply">Apply</button>' + (item ? ' <button id="e-delete">Delete</button>' : "") +
      '</p><div id="e-out">' + (item ? "<h4>Validation</h4>" + checksHtml(item.validation.checks) : "") + "</div></div>";
    const text = () => document.getElementById("editor").value;
    const out = document.getElementById("e-out");
    let timer = null;
    const validate = async () => {
      const r = await MW.post("/api/console/config/validate", text());
      out.innerHTML = "<h4>Validation</h4>" + (r.ok ? checksHtml(r.body.checks) : '<p class="error">' + MW.esc(r.body.error || ("HTTP " + r.status)) + "</p>");
    };
    document.getElementById("editor").addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(validate, 600); });
    document.getElementById("e-validate").addEventListener("click", validate);
    document.getElementById("e-apply").addEventListener("click", async () => {
      const r = await MW.post("/api/console/config/apply", text());
      if (r.ok) {
        out.innerHTML = '<p id="e-applied">' + sevBadge("ok", "applied") + " " + MW.esc((r.body.results || []).map(x => x.kind + "/" + x.name + " " + x.action).join(", ")) + "</p>";
        setTimeout(() => route(), 800);
      } else {
        const errs = r.body.errors && r.body.errors.length ? r.body.errors : [r.body.message || ("HTTP " + r.status)];
        out.innerHTML = '<h4>Not applied</h4><ul class="checks" id="apply-errors">' + errs.map(e => "<li>" + sevBadge("error") + " " + MW.esc(e) + "</li>").join("") + "</ul>";
      }
    });
    if (item) {
      document.getElementById("e-delete").addEventListener("click", async () => {
        if (!confirm("Delete " + item.kind + " " + item.namespace + "/" + item.name + "?")) return;
        const r = await MW.post("/api/console/config/delete", text());
        out.innerHTML = r.ok ? "<p>" + sevBadge("ok", "deleted") + "</p>" : '<p class="error">' + MW.esc(JSON.stringify(r.body)) + "</p>";
        if (r.ok) setTimeout(() => route(), 800);
      });
    }
  }

  return {services, workloads, list};
})();
