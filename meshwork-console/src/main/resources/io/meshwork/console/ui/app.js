// Hash router: #/graph, #/traces, #/trace/{id}, #/deps, #/config.
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
    else if (path === "/config") configPlaceholder(main);
    else await Graph.show(main);
  } catch (e) {
    main.innerHTML = '<p class="error">' + MW.esc(e.message) + "</p>";
  }
}
function configPlaceholder(main) {
  main.innerHTML = '<div class="placeholder"><h2>Config and wizards</h2>' +
    "<p>Listing, viewing and editing Istio resources with inline validation, and the traffic-shifting and fault-injection " +
    "wizards, read and write through the control plane's API. They arrive with the control plane; until then use " +
    "<code>meshwork validate</code> and <code>meshwork analyze</code> on your YAML.</p></div>";
}
async function stats() {
  try {
    const s = await MW.json("/api/console/stats");
    const t = s.traces;
    document.getElementById("stats").textContent = t.traces + " traces, " + t.spans + " spans, " + t.evictedTraces + " evicted";
  } catch (e) { /* the footer is informative only */ }
}
window.addEventListener("hashchange", route);
route();
stats();
setInterval(stats, 15000);
