// Shared helpers: fetching JSON, escaping, formatting, and the hash route's query parameters.
"use strict";
const MW = {
  async json(url) {
    const r = await fetch(url);
    const body = await r.json().catch(() => ({}));
    if (!r.ok) throw new Error((body.errors && body.errors[0] && body.errors[0].msg) || body.error || ("HTTP " + r.status));
    return body;
  },
  /** POST a text body; answers {status, body} and never throws on an HTTP error status (callers show the errors). */
  async post(url, text, contentType) {
    const r = await fetch(url, {method: "POST", headers: {"Content-Type": contentType || "application/yaml"}, body: text});
    const body = await r.json().catch(() => ({}));
    return {status: r.status, ok: r.ok, body};
  },
  esc(s) {
    return String(s).replace(/[&<>"']/g, c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
  },
  micros(us) {
    if (us >= 1e6) return (us / 1e6).toFixed(2) + "s";
    if (us >= 1e3) return (us / 1e3).toFixed(2) + "ms";
    return us + "µs";
  },
  routeParams() {
    const h = location.hash;
    const q = h.indexOf("?");
    return new URLSearchParams(q < 0 ? "" : h.substring(q + 1));
  },
  setRouteParams(path, params) {
    const s = params.toString();
    history.replaceState(null, "", "#" + path + (s ? "?" + s : ""));
  },
  el(tag, attrs, children) {
    const ns = ["svg", "g", "line", "circle", "rect", "polygon", "text", "path", "marker", "defs", "title"].includes(tag);
    const e = ns ? document.createElementNS("http://www.w3.org/2000/svg", tag) : document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    for (const c of children || []) e.append(c);
    return e;
  },
  timers: [],
  clearTimers() { MW.timers.forEach(clearInterval); MW.timers = []; }
};
