// The service graph: Kiali's graph JSON drawn as SVG with a layered layout that keeps every
// node where it was across refreshes (new nodes are placed, old ones never move).
"use strict";
const Graph = (() => {
  const positions = new Map();
  const HEALTH = {Healthy: "#3e8635", Degraded: "#f0ab00", Failure: "#c9190b", NA: "#8a8d90"};
  let state = {data: null, selected: null};

  function opts() {
    const p = MW.routeParams();
    return {
      namespaces: p.get("namespaces") || "default",
      graphType: p.get("graphType") || "versionedApp",
      duration: p.get("duration") || "600",
      label: p.get("label") || "rate",
      refresh: p.get("refresh") || "15",
      inject: p.get("injectServiceNodes") || "true"
    };
  }

  async function show(main) {
    const o = opts();
    let nsOptions = "";
    try {
      const ns = await MW.json("/api/namespaces");
      nsOptions = ns.map(n => '<option value="' + MW.esc(n.name) + '">').join("");
    } catch (e) { /* free text still works */ }
    main.innerHTML =
      '<div class="toolbar">' +
      '<label>Namespaces <input id="g-ns" list="g-ns-list" size="18" value="' + MW.esc(o.namespaces) + '"><datalist id="g-ns-list">' + nsOptions + "</datalist></label>" +
      sel("g-type", "Graph", o.graphType, [["app", "App"], ["versionedApp", "Versioned app"], ["workload", "Workload"], ["service", "Service"]]) +
      sel("g-dur", "Window", o.duration, [["60", "1m"], ["300", "5m"], ["600", "10m"], ["1800", "30m"], ["3600", "1h"]]) +
      sel("g-label", "Edge labels", o.label, [["none", "None"], ["rate", "Request rate"], ["err", "% error"], ["p95", "p95 response time"]]) +
      sel("g-refresh", "Refresh", o.refresh, [["0", "Off"], ["5", "5s"], ["15", "15s"], ["60", "1m"]]) +
      '<label><input type="checkbox" id="g-inject"' + (o.inject === "true" ? " checked" : "") + "> service nodes</label>" +
      '<label>Find <input id="g-find" size="12"></label><label>Hide <input id="g-hide" size="12"></label>' +
      '<button id="g-go">Refresh</button></div>' +
      '<div class="layout"><div class="canvas" id="g-canvas"></div><div class="side" id="g-side"><p class="muted">Click a node or an edge.</p></div></div>';
    for (const id of ["g-ns", "g-type", "g-dur", "g-label", "g-refresh", "g-inject"]) {
      document.getElementById(id).addEventListener("change", () => { saveOpts(); restart(); });
    }
    document.getElementById("g-go").addEventListener("click", load);
    document.getElementById("g-find").addEventListener("input", draw);
    document.getElementById("g-hide").addEventListener("input", draw);
    restart();
  }

  function sel(id, label, value, choices) {
    return "<label>" + label + ' <select id="' + id + '">' + choices.map(([v, t]) =>
      '<option value="' + v + '"' + (v === value ? " selected" : "") + ">" + t + "</option>").join("") + "</select></label>";
  }

  function saveOpts() {
    const p = new URLSearchParams();
    p.set("namespaces", document.getElementById("g-ns").value);
    p.set("graphType", document.getElementById("g-type").value);
    p.set("duration", document.getElementById("g-dur").value);
    p.set("label", document.getElementById("g-label").value);
    p.set("refresh", document.getElementById("g-refresh").value);
    p.set("injectServiceNodes", document.getElementById("g-inject").checked ? "true" : "false");
    MW.setRouteParams("/graph", p);
  }

  function restart() {
    MW.clearTimers();
    load();
    const r = parseInt(opts().refresh, 10);
    if (r > 0) MW.timers.push(setInterval(load, r * 1000));
  }

  async function load() {
    const o = opts();
    const url = "/api/namespaces/graph?namespaces=" + encodeURIComponent(o.namespaces) + "&graphType=" + o.graphType +
      "&duration=" + o.duration + "s&injectServiceNodes=" + o.inject;
    try {
      state.data = await MW.json(url);
      draw();
    } catch (e) {
      const c = document.getElementById("g-canvas");
      if (c) c.innerHTML = '<p class="error">' + MW.esc(e.message) + "</p>";
    }
  }

  function label(n) {
    if (n.nodeType === "unknown") return "unknown";
    if (n.nodeType === "service") return n.service;
    if (n.nodeType === "box") return n.app;
    if (n.nodeType === "workload") return n.workload;
    return n.version && opts().graphType === "versionedApp" ? n.version : n.app;
  }

  /** Longest-path layering from the roots; cycles are cut by a visit limit. */
  function layout(nodes, edges) {
    const depth = new Map(nodes.map(n => [n.id, 0]));
    for (let i = 0; i < nodes.length; i++) {
      let changed = false;
      for (const e of edges) {
        const d = depth.get(e.source) + 1;
        if (depth.has(e.target) && d > depth.get(e.target) && d < nodes.length) { depth.set(e.target, d); changed = true; }
      }
      if (!changed) break;
    }
    for (const n of nodes) {
      if (positions.has(n.id)) continue;
      const d = depth.get(n.id);
      const used = [...positions.values()].filter(p => p.layer === d).length;
      positions.set(n.id, {layer: d, x: 90 + d * 200, y: 60 + used * 90});
    }
  }

  function draw() {
    const canvas = document.getElementById("g-canvas");
    if (!canvas || !state.data) return;
    const find = document.getElementById("g-find").value.trim();
    const hide = document.getElementById("g-hide").value.trim();
    const all = state.data.elements.nodes.map(n => n.data);
    const nodes = all.filter(n => n.nodeType !== "box" && !(hide && label(n).includes(hide)));
    const ids = new Set(nodes.map(n => n.id));
    const edges = state.data.elements.edges.map(e => e.data).filter(e => ids.has(e.source) && ids.has(e.target));
    layout(nodes, edges);
    let w = 400, h = 300;
    for (const n of nodes) { const p = positions.get(n.id); w = Math.max(w, p.x + 150); h = Math.max(h, p.y + 80); }
    const svg = MW.el("svg", {width: w, height: h, id: "graph-svg"});
    svg.append(MW.el("defs", {}, [MW.el("marker", {id: "arrow", viewBox: "0 0 10 10", refX: 10, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse"},
      [MW.el("path", {d: "M 0 0 L 10 5 L 0 10 z", fill: "#777"})])]));
    for (const box of all.filter(n => n.nodeType === "box")) {
      const kids = nodes.filter(n => n.parent === box.id).map(n => positions.get(n.id));
      if (!kids.length) continue;
      const x0 = Math.min(...kids.map(p => p.x)) - 40, y0 = Math.min(...kids.map(p => p.y)) - 36;
      const x1 = Math.max(...kids.map(p => p.x)) + 40, y1 = Math.max(...kids.map(p => p.y)) + 40;
      svg.append(MW.el("rect", {x: x0, y: y0, width: x1 - x0, height: y1 - y0, rx: 8, fill: "#f3f6fa", stroke: "#9aa7b4", "stroke-dasharray": "4 3"}));
      svg.append(MW.el("text", {x: x0 + 6, y: y0 + 12, fill: "#556"}, [box.app]));
    }
    const mode = document.getElementById("g-label").value;
    for (const e of edges) svg.append(edge(e, mode));
    for (const n of nodes) svg.append(node(n, find));
    canvas.innerHTML = "";
    canvas.append(svg);
    if (state.selected) showSide(state.selected.kind, state.selected.id);
  }

  function edge(e, mode) {
    const a = positions.get(e.source), b = positions.get(e.target);
    const t = e.traffic || {rates: {}};
    const r = t.rates || {};
    const err = parseFloat(r.httpPercentErr || r.grpcPercentErr || "0");
    const color = t.protocol === "tcp" ? "#2b6cb0" : err >= 10 ? "#c9190b" : err > 0 ? "#f0ab00" : "#3e8635";
    const dx = b.x - a.x, dy = b.y - a.y, len = Math.max(1, Math.hypot(dx, dy));
    const x1 = a.x + dx / len * 24, y1 = a.y + dy / len * 24, x2 = b.x - dx / len * 26, y2 = b.y - dy / len * 26;
    const g = MW.el("g", {class: "edge" + (err >= 10 ? " failing" : ""), "data-id": e.id, "data-source": e.source, "data-target": e.target});
    g.append(MW.el("line", {x1, y1, x2, y2, stroke: color, "stroke-width": 2, "marker-end": "url(#arrow)"}));
    g.append(MW.el("line", {x1, y1, x2, y2, stroke: "transparent", "stroke-width": 12}));
    const mx = (x1 + x2) / 2, my = (y1 + y2) / 2;
    let text = "";
    if (mode === "rate") text = t.protocol === "tcp" ? (r.tcp || "0") + " B/s" : (r[t.protocol] || "0") + " rps";
    else if (mode === "err" && t.protocol !== "tcp") text = (r[t.protocol + "PercentErr"] || "0") + "%";
    else if (mode === "p95" && e.responseTime) text = e.responseTime + " ms";
    if (text) g.append(MW.el("text", {x: mx + 4, y: my - 4, fill: "#333", class: "edge-label"}, [text]));
    if (e.isMTLS && parseFloat(e.isMTLS) > 0) {
      const lock = MW.el("g", {class: "mtls-lock", transform: "translate(" + (mx - 14) + "," + (my - 14) + ")"});
      lock.append(MW.el("path", {d: "M2 5 V3.5 a3 3 0 0 1 6 0 V5", fill: "none", stroke: "#333", "stroke-width": 1.3}));
      lock.append(MW.el("rect", {x: 0, y: 5, width: 10, height: 7, rx: 1, fill: "#333"}));
      lock.append(MW.el("title", {}, ["mTLS " + e.isMTLS + "%"]));
      g.append(lock);
    }
    g.addEventListener("click", () => showSide("edge", e.id));
    return g;
  }

  function node(n, find) {
    const p = positions.get(n.id);
    const color = HEALTH[n.healthStatus] || "#8a8d90";
    const cls = "node" + (find ? (label(n).includes(find) ? " found" : " dim") : "");
    const g = MW.el("g", {class: cls, "data-id": n.id, "data-type": n.nodeType, transform: "translate(" + p.x + "," + p.y + ")"});
    const fill = n.nodeType === "unknown" ? "#e0e0e0" : "#fff";
    let shape;
    if (n.nodeType === "service") shape = MW.el("polygon", {points: "0,-22 22,14 -22,14", fill, stroke: color, "stroke-width": 3});
    else if (n.nodeType === "app") shape = MW.el("rect", {x: -20, y: -20, width: 40, height: 40, rx: 6, fill, stroke: color, "stroke-width": 3});
    else shape = MW.el("circle", {r: 20, fill, stroke: color, "stroke-width": 3});
    g.append(shape);
    if (n.isGateway) g.append(MW.el("text", {x: -5, y: 4, fill: "#333"}, ["G"]));
    if (n.isRoot) g.append(MW.el("text", {x: 14, y: -16, fill: "#2b6cb0"}, ["▶"]));
    const badges = badgesOf(n);
    badges.forEach(([code, title], i) => {
      const b = MW.el("g", {class: "badge", "data-badge": code, transform: "translate(" + (-22 + i * 16) + ",-38)"});
      b.append(MW.el("rect", {width: 15, height: 12, rx: 2, fill: code === "OOM" ? "#c9190b" : "#2f6fb3"}));
      b.append(MW.el("text", {x: 7.5, y: 9.5, "text-anchor": "middle", fill: "#fff", style: "font-size:8px"}, [code === "OOM" ? "!" : code]));
      b.append(MW.el("title", {}, [title]));
      g.append(b);
    });
    g.append(MW.el("text", {y: 36, "text-anchor": "middle", fill: "#222"}, [label(n)]));
    if (n.isOutside || n.nodeType === "box") g.append(MW.el("text", {y: 48, "text-anchor": "middle", fill: "#888"}, [n.namespace]));
    g.addEventListener("click", () => showSide("node", n.id));
    return g;
  }

  /** Kiali's config badges on a node: [short code, tooltip]. */
  function badgesOf(n) {
    const out = [];
    if (n.hasVS) out.push(["VS", "VirtualService: " + ((n.hasVS.hostnames || []).join(", "))]);
    if (n.hasTrafficShifting || n.hasTCPTrafficShifting) out.push(["TS", "traffic shifting"]);
    if (n.hasFaultInjection) out.push(["FI", "fault injection"]);
    if (n.hasRequestTimeout) out.push(["TO", "request timeout"]);
    if (n.hasMirroring) out.push(["MI", "mirroring"]);
    if (n.hasCB) out.push(["CB", "circuit breaker (DestinationRule connection pool / outlier detection)"]);
    if (n.isServiceEntry) out.push(["SE", "ServiceEntry, " + (n.isServiceEntry.location || "")]);
    if (n.isOutOfMesh || n.hasMissingSC) out.push(["OOM", "missing sidecar: no proxy of this workload is connected"]);
    return out;
  }

  function rows(obj) {
    return Object.entries(obj || {}).map(([k, v]) => "<tr><td>" + MW.esc(k) + "</td><td>" + MW.esc(typeof v === "object" ? JSON.stringify(v) : v) + "</td></tr>").join("");
  }

  function showSide(kind, id) {
    if (!state.selected || state.selected.id !== id) state.chartsFor = null;
    state.selected = {kind, id};
    const side = document.getElementById("g-side");
    if (!side) return;
    if (kind === "node") {
      const n = state.data.elements.nodes.map(x => x.data).find(x => x.id === id);
      if (!n) return;
      const traffic = (n.traffic || []).map(t => "<h4>" + t.protocol + "</h4><table>" + rows(t.rates) + "</table>").join("");
      const svcName = n.app || n.service || n.workload;
      side.innerHTML = "<h3>" + MW.esc(label(n)) + '</h3><p class="muted">' + MW.esc(n.nodeType + " · " + n.namespace) + "</p>" +
        "<p>Health: <b>" + MW.esc(n.healthStatus || "n/a") + "</b></p>" +
        (badgesOf(n).length ? '<p class="badges">' + badgesOf(n).map(([c, t]) => '<span class="pill" title="' + MW.esc(t) + '">' + MW.esc(t) + "</span>").join(" ") + "</p>" : "") +
        (n.nodeType === "service" ? '<p><a href="#/services?namespace=' + encodeURIComponent(n.namespace) + "&service=" + encodeURIComponent(n.service) + '">Wizards and config of ' + MW.esc(n.service) + "</a></p>" : "") +
        traffic +
        "<h4>Requests by code</h4><table>" + rows((n.healthData || {}).requests) + "</table>" +
        (svcName ? '<p><a href="#/traces?service=' + encodeURIComponent(svcName) + '">Traces of ' + MW.esc(svcName) + "</a></p>" : "") +
        '<div id="g-charts"></div>';
    } else {
      const e = state.data.elements.edges.map(x => x.data).find(x => x.id === id);
      if (!e) return;
      side.innerHTML = "<h3>Edge</h3><p>" + MW.esc(e.source) + " →<br>" + MW.esc(e.target) + "</p><table>" +
        rows({protocol: e.traffic.protocol, "p95 (ms)": e.responseTime || "n/a", "mTLS %": e.isMTLS || "0", "throughput (B/s)": e.throughput || "n/a"}) +
        rows(e.traffic.rates) + "</table><h4>Responses</h4><table>" + rows(e.traffic.responses) + "</table>" + '<div id="g-charts"></div>';
    }
    charts(kind, id);
  }

  /** Rate and p95 over the window, from /api/console/history (drawn once per selection). */
  async function charts(kind, id) {
    if (state.chartsFor === id && document.getElementById("g-charts") && state.chartsHtml) {
      document.getElementById("g-charts").innerHTML = state.chartsHtml;
      return;
    }
    const o = opts();
    try {
      const h = await MW.json("/api/console/history?namespaces=" + encodeURIComponent(o.namespaces) + "&graphType=" + o.graphType +
        "&duration=" + o.duration + "&injectServiceNodes=" + o.inject + "&id=" + encodeURIComponent(id));
      const has = keys => keys.filter(([k]) => h.points.some(p => p[k] !== undefined));
      const html = "<h4>Over the window</h4>" + (kind === "edge"
        ? spark(h.points, has([["rate", "#2f6fb3"]]), "rate") + spark(h.points, has([["errPct", "#c9190b"]]), "% error")
        : spark(h.points, has([["httpIn", "#2f6fb3"], ["httpOut", "#3e8635"], ["grpcIn", "#8e44ad"], ["grpcOut", "#d35400"]]), "requests/s in, out") +
          spark(h.points, has([["tcpIn", "#e67e22"], ["tcpOut", "#16a085"]]), "TCP bytes/s in, out")) +
        spark(h.points, [["p95", "#555"]], "p95 ms");
      state.chartsFor = id;
      state.chartsHtml = html;
      const box = document.getElementById("g-charts");
      if (box) box.innerHTML = html;
    } catch (e) { /* charts are extra; the panel stands without them */ }
  }

  function spark(points, series, title) {
    if (!series.length || !points.some(p => series.some(([k]) => p[k] !== undefined))) return "";
    const W = 290, H = 60;
    const max = Math.max(1e-9, ...points.flatMap(p => series.map(([k]) => p[k] || 0)));
    const x = i => 4 + i * (W - 8) / Math.max(1, points.length - 1);
    let svg = '<svg class="spark" width="' + W + '" height="' + (H + 14) + '"><text x="2" y="10" fill="#666">' + MW.esc(title) + " (max " + max.toFixed(2) + ")</text>";
    for (const [k, color] of series) {
      const pts = points.map((p, i) => x(i) + "," + (H + 12 - (p[k] || 0) / max * (H - 6))).join(" ");
      svg += '<polyline fill="none" stroke="' + color + '" stroke-width="1.5" points="' + pts + '"><title>' + k + "</title></polyline>";
    }
    return svg + "</svg>";
  }

  return {show};
})();
