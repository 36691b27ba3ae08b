// Hash router: #/graph, #/traces, #/trace/{id}, #/deps, #/services, #/workloads, #/config.
"use strict";
async function route() {
  MW.clearTimers();
  const main = document.getElementById("main");
  const path = location.hash.replace(/^#/, "").split("?")[0] || "/graph";
  document.querySelectorAll("header nav a").forEach(a => a.classList.toggle("active", a.getAttribute("href") === "#" + path.split("/").slice(0, 2).join("/")));
  main.innerHTML = "";
  try {
    if (path.startsWith("/trace/")) await Traces.showTrace(main, decodeURIComponent(path.substring(7)));
    else if (path === "/traces") await Traces.search(main);
    else if (path === "/deps") await Traces.deps(main);
    else if (path === "/config") await Config.list(main);
    else if (path === "/services") await Config.services(main);
    else if (path === "/workloads") await Config.workloads(main);
    else await Graph.show(main);
  } catch (e) {
    main.innerHTML = '<p class="error">' + MW.esc(e.message) + "</p>";
  }
}
async function stats() {
  try {
    const s = await MW.json("/api/console/stats");
    const t = s.traces;
    document.getElementById("stats").textContent = t.jaeger ? "traces from Jaeger at " + t.jaeger
      : t.traces + " traces, " + t.spans + " spans, " + t.evictedTraces + " evicted";
  } catch (e) { /* the footer is informative only */ }
}
window.addEventListener("hashchange", route);
route();
stats();
setInterval(stats, 15000);
