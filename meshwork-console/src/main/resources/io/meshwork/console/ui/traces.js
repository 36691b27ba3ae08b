// Traces: Jaeger-style search with a duration scatter plot, the trace timeline, and the
// service dependency view. Everything reads the console's Jaeger-compatible API.
"use strict";
const Traces = (() => {
  const COLORS = ["#2f6fb3", "#3e8635", "#8e44ad", "#e67e22", "#16a085", "#c0392b", "#7f8c8d", "#d35400"];
  const colorOf = (() => { const m = new Map(); return s => { if (!m.has(s)) m.set(s, COLORS[m.size % COLORS.length]); return m.get(s); }; })();

  async function search(main) {
    const p = MW.routeParams();
    const services = (await MW.json("/api/services")).data || [];
    const svc = p.get("service") || services[0] || "";
    main.innerHTML = '<div class="toolbar">' +
      '<label>Service <select id="t-svc">' + services.map(s => "<option" + (s === svc ? " selected" : "") + ">" + MW.esc(s) + "</option>").join("") + "</select></label>" +
      '<label>Operation <select id="t-op"><option value="">all</option></select></label>' +
      '<label>Tags <input id="t-tags" size="22" placeholder="http.status_code=500 error=true" value="' + MW.esc(p.get("tags") || "") + '"></label>' +
      '<label>Lookback <select id="t-lookback">' + ["5m", "15m", "1h", "2h", "6h", "12h", "24h"].map(l => "<option" + (l === (p.get("lookback") || "1h") ? " selected" : "") + ">" + l + "</option>").join("") + "</select></label>" +
      '<label>Min <input id="t-min" size="6" placeholder="100ms" value="' + MW.esc(p.get("minDuration") || "") + '"></label>' +
      '<label>Max <input id="t-max" size="6" placeholder="2s" value="' + MW.esc(p.get("maxDuration") || "") + '"></label>' +
      '<label>Limit <input id="t-limit" size="4" value="' + MW.esc(p.get("limit") || "20") + '"></label>' +
      '<button id="t-find">Find traces</button></div>' +
      '<div id="t-scatter" class="results"></div><div id="t-results" class="results"></div>';
    const sel = document.getElementById("t-svc");
    const loadOps = async () => {
      const ops = sel.value ? (await MW.json("/api/services/" + encodeURIComponent(sel.value) + "/operations")).data || [] : [];
      document.getElementById("t-op").innerHTML = '<option value="">all</option>' + ops.map(o => "<option" + (o === p.get("operation") ? " selected" : "") + ">" + MW.esc(o) + "</option>").join("");
    };
    sel.addEventListener("change", loadOps);
    await loadOps();
    document.getElementById("t-find").addEventListener("click", find);
    if (svc) await find();
  }

  function tagsJson(text) {
    const out = {};
    for (const part of text.trim().split(/\s+/).filter(Boolean)) {
      const i = part.indexOf("=");
      if (i > 0) out[part.substring(0, i)] = part.substring(i + 1);
    }
    return JSON.stringify(out);
  }

  async function find() {
    const q = new URLSearchParams();
    const v = id => document.getElementById(id).value.trim();
    q.set("service", v("t-svc"));
    if (v("t-op")) q.set("operation", v("t-op"));
    if (v("t-tags")) q.set("tags", tagsJson(v("t-tags")));
    if (v("t-min")) q.set("minDuration", v("t-min"));
    if (v("t-max")) q.set("maxDuration", v("t-max"));
    q.set("lookback", v("t-lookback"));
    q.set("limit", v("t-limit") || "20");
    const route = new URLSearchParams(q);
    if (v("t-tags")) route.set("tags", v("t-tags"));
    MW.setRouteParams("/traces", route);
    const res = document.getElementById("t-results");
    try {
      const traces = (await MW.json("/api/traces?" + q)).data || [];
      const summaries = traces.map(summary).sort((a, b) => b.start - a.start);
      scatter(summaries);
      res.innerHTML = summaries.length ? "" : '<p class="muted" style="padding:8px">No traces found.</p>';
      for (const s of summaries) {
        const div = MW.el("div", {class: "result", "data-trace": s.id});
        div.innerHTML = "<b>" + MW.esc(s.rootService + ": " + s.rootOp) + '</b> <span class="muted">' + s.id.substring(0, 12) + "</span>" +
          '<span class="dur">' + MW.micros(s.duration) + "</span><br>" + s.spans + " spans" + (s.errors ? ', <span class="error">' + s.errors + " errors</span>" : "") +
          " · " + s.services.map(MW.esc).join(", ") + ' · <span class="muted">' + new Date(s.start / 1000).toLocaleString() + "</span>";
        div.addEventListener("click", () => { location.hash = "#/trace/" + s.id; });
        res.append(div);
      }
    } catch (e) {
      res.innerHTML = '<p class="error">' + MW.esc(e.message) + "</p>";
    }
  }

  function summary(t) {
    const ids = new Set(t.spans.map(s => s.spanID));
    const root = t.spans.find(s => !s.references.some(r => r.refType === "CHILD_OF" && ids.has(r.spanID))) || t.spans[0];
    const start = Math.min(...t.spans.map(s => s.startTime));
    const end = Math.max(...t.spans.map(s => s.startTime + s.duration));
    const svc = s => t.processes[s.processID].serviceName;
    return {id: t.traceID, start, duration: end - start, spans: t.spans.length, rootOp: root.operationName, rootService: svc(root),
      services: [...new Set(t.spans.map(svc))], errors: t.spans.filter(s => s.tags.some(g => g.key === "error" && g.value === true)).length};
  }

  function scatter(list) {
    const box = document.getElementById("t-scatter");
    box.innerHTML = "";
    if (!list.length) return;
    const W = 900, H = 160, P = 40;
    const t0 = Math.min(...list.map(s => s.start)), t1 = Math.max(...list.map(s => s.start)) + 1;
    const dMax = Math.max(...list.map(s => s.duration)) || 1;
    const svg = MW.el("svg", {width: W, height: H, id: "scatter"});
    svg.append(MW.el("line", {x1: P, y1: H - 20, x2: W - 10, y2: H - 20, stroke: "#ccc"}));
    svg.append(MW.el("text", {x: 4, y: 14, fill: "#666"}, [MW.micros(dMax)]));
    for (const s of list) {
      const x = P + (s.start - t0) / (t1 - t0) * (W - P - 20);
      const y = H - 20 - s.duration / dMax * (H - 40);
      const c = MW.el("circle", {cx: x, cy: y, r: Math.min(10, 3 + s.spans / 2), fill: s.errors ? "#c9190b" : "#2f6fb3", "fill-opacity": 0.6, class: "dot"});
      c.append(MW.el("title", {}, [s.rootOp + " " + MW.micros(s.duration)]));
      c.addEventListener("click", () => { location.hash = "#/trace/" + s.id; });
      svg.append(c);
    }
    box.append(svg);
  }

  async function showTrace(main, id) {
    const t = (await MW.json("/api/traces/" + encodeURIComponent(id))).data[0];
    const byId = new Map(t.spans.map(s => [s.spanID, s]));
    const children = new Map();
    const roots = [];
    for (const s of [...t.spans].sort((a, b) => a.startTime - b.startTime)) {
      const parent = s.references.find(r => r.refType === "CHILD_OF" && byId.has(r.spanID) && r.spanID !== s.spanID);
      if (parent) { if (!children.has(parent.spanID)) children.set(parent.spanID, []); children.get(parent.spanID).push(s); }
      else roots.push(s);
    }
    const ordered = [];
    const visit = (s, depth) => { ordered.push([s, depth]); (children.get(s.spanID) || []).forEach(c => visit(c, depth + 1)); };
    roots.forEach(r => visit(r, 0));
    const start = Math.min(...t.spans.map(s => s.startTime));
    const total = Math.max(1, Math.max(...t.spans.map(s => s.startTime + s.duration)) - start);
    const sum = summary(t);
    main.innerHTML = '<h2 id="trace-title">' + MW.esc(sum.rootService + ": " + sum.rootOp) + ' <span class="muted">' + MW.esc(t.traceID) + "</span></h2>" +
      "<p>Duration " + MW.micros(total) + " · " + t.spans.length + " spans · services: " + sum.services.map(MW.esc).join(", ") + "</p>";
    const gantt = MW.el("div", {class: "gantt", id: "gantt"});
    for (const [s, depth] of ordered) {
      const svc = t.processes[s.processID].serviceName;
      const err = s.tags.some(g => g.key === "error" && g.value === true);
      const row = MW.el("div", {class: "span-row", "data-span": s.spanID});
      row.innerHTML = '<div class="label" style="padding-left:' + (6 + depth * 14) + 'px"><b style="color:' + colorOf(svc) + '">' + MW.esc(svc) + "</b> " + MW.esc(s.operationName) + "</div>" +
        '<div class="track"><div class="bar' + (err ? " err" : "") + '" style="left:' + ((s.startTime - start) / total * 100) + "%;width:" + (s.duration / total * 100) +
        "%;background:" + colorOf(svc) + '" title="' + MW.micros(s.duration) + '"></div></div>';
      const detail = MW.el("div", {class: "span-detail"});
      detail.style.display = "none";
      detail.innerHTML = "<p>" + MW.esc(s.operationName) + " · " + MW.micros(s.duration) + " at +" + MW.micros(s.startTime - start) + " · span " + MW.esc(s.spanID) + "</p>" +
        "<b>Tags</b>" + tagTable(s.tags) + "<b>Process</b>" + tagTable(t.processes[s.processID].tags) +
        (s.logs.length ? "<b>Logs</b>" + s.logs.map(l => "<div>+" + MW.micros(l.timestamp - start) + tagTable(l.fields) + "</div>").join("") : "");
      row.addEventListener("click", () => { detail.style.display = detail.style.display === "none" ? "block" : "none"; });
      gantt.append(row, detail);
    }
    main.append(gantt);
  }

  function tagTable(tags) {
    return '<table class="tags">' + (tags || []).map(g => "<tr><td>" + MW.esc(g.key) + "</td><td>" + MW.esc(g.value) + "</td></tr>").join("") + "</table>";
  }

  async function deps(main) {
    const d = (await MW.json("/api/dependencies?endTs=" + Date.now() + "&lookback=86400000")).data || [];
    main.innerHTML = "<h2>Service dependencies (last 24 h of stored traces)</h2>";
    if (!d.length) { main.innerHTML += '<p class="muted">No cross-service calls in the stored traces.</p>'; return; }
    const services = [...new Set(d.flatMap(x => [x.parent, x.child]))];
    const depth = new Map(services.map(s => [s, 0]));
    for (let i = 0; i < services.length; i++) for (const x of d) if (depth.get(x.parent) + 1 > depth.get(x.child) && depth.get(x.parent) + 1 < services.length) depth.set(x.child, depth.get(x.parent) + 1);
    const pos = new Map(), perLayer = new Map();
    for (const s of services) { const l = depth.get(s); const i = perLayer.get(l) || 0; perLayer.set(l, i + 1); pos.set(s, {x: 80 + l * 220, y: 50 + i * 70}); }
    const svg = MW.el("svg", {width: 120 + Math.max(...depth.values()) * 220 + 160, height: 60 + Math.max(...perLayer.values()) * 70, id: "deps-svg"});
    svg.append(MW.el("defs", {}, [MW.el("marker", {id: "darrow", viewBox: "0 0 10 10", refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto"}, [MW.el("path", {d: "M 0 0 L 10 5 L 0 10 z", fill: "#777"})])]));
    for (const x of d) {
      const a = pos.get(x.parent), b = pos.get(x.child);
      svg.append(MW.el("line", {x1: a.x + 50, y1: a.y, x2: b.x - 50, y2: b.y, stroke: "#777", "marker-end": "url(#darrow)"}));
      svg.append(MW.el("text", {x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 - 4, fill: "#333"}, [String(x.callCount)]));
    }
    for (const s of services) {
      const p = pos.get(s);
      svg.append(MW.el("rect", {x: p.x - 50, y: p.y - 14, width: 100, height: 28, rx: 6, fill: "#fff", stroke: colorOf(s), "stroke-width": 2}));
      svg.append(MW.el("text", {x: p.x, y: p.y + 4, "text-anchor": "middle"}, [s]));
    }
    main.append(MW.el("div", {class: "results"}, [svg]));
  }

  return {search, showTrace, deps};
})();
