// Workq dashboard: live figures by a light poll of the JSON API, the charts, sorting and
// filtering the queues table, the theme, and confirming actions. Every page works without
// it; this only keeps what is shown current.
"use strict";

(function () {
  const root = document.documentElement;
  const pollMs = 2000;

  // ---- Theme: the system's, or the one chosen here (kept in this browser).
  const themes = ["system", "light", "dark"];
  function applyTheme(theme) {
    if (theme === "system") delete root.dataset.theme; else root.dataset.theme = theme;
    const button = document.getElementById("theme");
    if (button) button.textContent = "Theme: " + theme;
  }
  applyTheme(localStorage.getItem("workq-theme") || "system");
  document.getElementById("theme")?.addEventListener("click", () => {
    const current = localStorage.getItem("workq-theme") || "system";
    const next = themes[(themes.indexOf(current) + 1) % themes.length];
    localStorage.setItem("workq-theme", next);
    applyTheme(next);
  });

  // ---- Actions are confirmed before they are sent.
  document.querySelectorAll("form[data-confirm]").forEach(form => {
    form.addEventListener("submit", event => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });

  // ---- Helpers.
  const number = new Intl.NumberFormat("en-US");
  function formatRate(r) { return r >= 10 ? r.toFixed(0) : r >= 0.05 ? r.toFixed(1) : "0"; }
  function formatAge(seconds) {
    if (seconds === null || seconds === undefined) return "–";
    if (seconds < 60) return seconds.toFixed(seconds < 10 ? 1 : 0) + " s";
    if (seconds < 3600) return (seconds / 60).toFixed(1) + " min";
    if (seconds < 86400) return (seconds / 3600).toFixed(1) + " h";
    return (seconds / 86400).toFixed(1) + " d";
  }
  function setField(name, text) {
    document.querySelectorAll('[data-field="' + name + '"]').forEach(e => { e.textContent = text; });
  }
  async function getJson(url) {
    const response = await fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" });
    if (response.status === 401) { window.location.href = "/login?next=" + encodeURIComponent(location.pathname + location.search); return null; }
    if (!response.ok) return null;
    return response.json();
  }
  function poll(work) {
    let timer = null;
    async function run() {
      timer = null;
      try { await work(); } catch (e) { /* the next poll tries again */ }
      if (!document.hidden) timer = setTimeout(run, pollMs);
    }
    document.addEventListener("visibilitychange", () => { if (!document.hidden && timer === null) run(); });
    run();
  }

  // ---- Charts: added, completed and failed per second, as SVG lines.
  const svgNs = "http://www.w3.org/2000/svg";
  // Points are [unix seconds, added, completed, failed]; the chart spans `window` seconds
  // up to the newest point, so a young server's line starts at the right.
  function drawChart(svg, points, windowSeconds, label) {
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    const width = 600, height = 150, left = 36, bottom = 18, top = 8;
    svg.setAttribute("viewBox", "0 0 " + width + " " + height);
    const max = Math.max(1, ...points.map(p => Math.max(p[1], p[2], p[3])));
    const end = points.length ? points[points.length - 1][0] : 0;
    const x = t => left + (width - left - 4) * Math.max(0, 1 - (end - t) / windowSeconds);
    const y = v => top + (height - top - bottom) * (1 - v / max);
    const axis = document.createElementNS(svgNs, "path");
    axis.setAttribute("d", "M" + left + " " + top + " V" + (height - bottom) + " H" + width);
    axis.setAttribute("class", "axis"); axis.setAttribute("fill", "none");
    svg.appendChild(axis);
    for (const [value, text] of [[max, formatRate(max) + "/s"], [0, "0"]]) {
      const t = document.createElementNS(svgNs, "text");
      t.setAttribute("x", 2); t.setAttribute("y", y(value) + 4); t.setAttribute("class", "tick");
      t.textContent = text; svg.appendChild(t);
    }
    const span = document.createElementNS(svgNs, "text");
    span.setAttribute("x", width - 4); span.setAttribute("y", height - 4); span.setAttribute("text-anchor", "end");
    span.setAttribute("class", "tick");
    span.textContent = points.length ? label : "no data yet";
    svg.appendChild(span);
    [["added", 1], ["completed", 2], ["failed", 3]].forEach(([cls, k]) => {
      if (!points.length) return;
      const line = document.createElementNS(svgNs, "polyline");
      line.setAttribute("points", points.map(p => x(p[0]).toFixed(1) + "," + y(p[k]).toFixed(1)).join(" "));
      line.setAttribute("class", cls); line.setAttribute("fill", "none");
      line.setAttribute("stroke", "currentColor"); line.setAttribute("stroke-width", "1.5");
      svg.appendChild(line);
      // The newest point, so that a single one shows too.
      const last = points[points.length - 1];
      const dot = document.createElementNS(svgNs, "circle");
      dot.setAttribute("cx", x(last[0]).toFixed(1)); dot.setAttribute("cy", y(last[k]).toFixed(1)); dot.setAttribute("r", "2.5");
      dot.setAttribute("class", cls); dot.setAttribute("fill", "currentColor");
      svg.appendChild(dot);
    });
  }

  // ---- The overview's figures and charts.
  const overview = document.getElementById("overview");
  if (overview) {
    poll(async () => {
      const data = await getJson("/api/overview");
      if (!data) return;
      setField("uptime", formatAge(data.uptimeSeconds));
      setField("connections", number.format(data.connections));
      for (const key of ["ready", "scheduled", "leased", "failed", "completed", "total"]) setField("jobs-" + key, number.format(data.jobs[key]));
      setField("queues", number.format(data.queues));
      setField("stored", number.format(data.storedBytes));
      const minutes = document.getElementById("chart-minutes");
      const hour = document.getElementById("chart-hour");
      if (minutes) drawChart(minutes, data.activity.seconds, 300, "per second, last 5 min");
      if (hour) drawChart(hour, data.activity.minutes, 3600, "per minute, last hour");
    });
  }

  // ---- The queues table: live rows, sorting and filtering.
  const table = document.getElementById("queues");
  if (table) {
    const body = table.querySelector("tbody");
    const filter = document.getElementById("queue-filter");
    const shown = document.getElementById("queues-shown");
    let rows = null;
    let sortKey = "name", sortDir = 1;
    const numeric = new Set(["ready", "scheduled", "leased", "failed", "workers", "oldestReadySeconds", "addedPerSecond", "completedPerSecond", "failedPerSecond"]);
    function cell(text, cls) { const td = document.createElement("td"); td.textContent = text; if (cls) td.className = cls; return td; }
    function render() {
      if (!rows) return;
      const sorted = rows.slice().sort((a, b) => {
        const va = a[sortKey], vb = b[sortKey];
        if (numeric.has(sortKey)) return ((va ?? -1) - (vb ?? -1)) * sortDir || a.name.localeCompare(b.name);
        return (va < vb ? -1 : va > vb ? 1 : 0) * sortDir;
      });
      const fragment = document.createDocumentFragment();
      for (const q of sorted) {
        const tr = document.createElement("tr");
        const name = document.createElement("td"); name.className = "name";
        const link = document.createElement("a"); link.href = "/queues/" + encodeURIComponent(q.name); link.textContent = q.name;
        name.appendChild(link); tr.appendChild(name);
        tr.appendChild(cell(number.format(q.ready), "num"));
        tr.appendChild(cell(number.format(q.scheduled), "num"));
        tr.appendChild(cell(number.format(q.leased), "num"));
        tr.appendChild(cell(number.format(q.failed), "num"));
        tr.appendChild(cell(number.format(q.workers), "num hide-narrow"));
        tr.appendChild(cell((q.oldestReadyExact ? "" : "≥ ") + formatAge(q.oldestReadySeconds), "num hide-narrow"));
        tr.appendChild(cell(formatRate(q.addedPerSecond), "num hide-narrow"));
        tr.appendChild(cell(formatRate(q.completedPerSecond), "num hide-narrow"));
        tr.appendChild(cell(formatRate(q.failedPerSecond), "num hide-narrow"));
        tr.dataset.queue = q.name;
        fragment.appendChild(tr);
      }
      body.replaceChildren(fragment);
    }
    table.querySelectorAll("th[data-key] button").forEach(button => {
      button.addEventListener("click", () => {
        const th = button.parentElement;
        const key = th.dataset.key;
        sortDir = key === sortKey ? -sortDir : (numeric.has(key) ? -1 : 1);
        sortKey = key;
        table.querySelectorAll("th[data-key]").forEach(h => h.removeAttribute("aria-sort"));
        th.setAttribute("aria-sort", sortDir === 1 ? "ascending" : "descending");
        render();
      });
    });
    async function refresh() {
      const query = filter && filter.value ? "?filter=" + encodeURIComponent(filter.value) : "";
      const data = await getJson("/api/queues" + query);
      if (!data) return;
      rows = data.queues;
      if (shown) shown.textContent = data.queues.length < data.matched ? "showing " + data.queues.length + " of " + data.matched : data.matched + " queues";
      render();
    }
    let typing = null;
    filter?.addEventListener("input", () => { clearTimeout(typing); typing = setTimeout(refresh, 200); });
    filter?.form?.addEventListener("submit", event => { event.preventDefault(); refresh(); });
    poll(refresh);
  }

  // ---- A queue's page: its counts and rates.
  const queue = document.getElementById("queue-live");
  if (queue) {
    const name = queue.dataset.queue;
    poll(async () => {
      const q = await getJson("/api/queues/" + encodeURIComponent(name));
      if (!q) return;
      for (const key of ["ready", "scheduled", "leased", "failed", "workers"]) setField("queue-" + key, number.format(q[key]));
      setField("queue-oldest", (q.oldestReadyExact ? "" : "≥ ") + formatAge(q.oldestReadySeconds));
      setField("queue-added", formatRate(q.addedPerSecond) + "/s");
      setField("queue-completed", formatRate(q.completedPerSecond) + "/s");
      setField("queue-failed-rate", formatRate(q.failedPerSecond) + "/s");
    });
  }
})();
