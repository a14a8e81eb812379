// The dashboard's script: renders /api/live (one JSON document a second, server-sent events) into the Now section,
// polls the selected night's grain every 5 s for the Tonight section, and opens an alert's card (cutouts, scores,
// explanation, the object's light curve) on click. Plain DOM, no framework, nothing loaded from elsewhere.
"use strict";

const $ = (id) => document.getElementById(id);
const fmt = (v, digits = 0) => (v === null || v === undefined || Number.isNaN(v)) ? "–" : Number(v).toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
let selectedNight = null;
let tonightFilters = {};

function rows(tbody, items, cells) {
  tbody.replaceChildren(...items.map((item) => {
    const tr = document.createElement("tr");
    for (const value of cells(item)) {
      const td = document.createElement("td");
      td.textContent = value;
      tr.appendChild(td);
    }
    return tr;
  }));
}

function renderNow(now) {
  $("alerts-in-rate").textContent = fmt(now.alerts_in_per_s, 1);
  $("alerts-in-total").textContent = fmt(now.alerts_in_total);
  $("messages-out-rate").textContent = fmt(now.messages_out_per_s, 1);
  const l = now.latency_hour;
  $("latency").textContent = l.count ? `p50 ${fmt(l.p50_ms, 1)} · p95 ${fmt(l.p95_ms, 1)} · p99 ${fmt(l.p99_ms, 1)} ms` : "–";
  const dead = Object.entries(now.dead_letters || {});
  $("dead-total").textContent = fmt(dead.reduce((s, [, n]) => s + n, 0));
  rows($("topics-in").tBodies[0], now.topics_in, (t) => [t.topic, fmt(t.per_s, 1), fmt(t.total)]);
  rows($("topics-out").tBodies[0], now.topics_out, (t) => [t.topic, fmt(t.per_s, 1), fmt(t.total)]);
  rows($("stages").tBodies[0], now.stages, (s) => [s.stage, fmt(s.mean_ms, 3), fmt(s.per_s, 1)]);
  rows($("lag").tBodies[0], now.lag, (p) => [`${p.topic}[${p.partition}]`, fmt(p.lag), p.silo]);
  rows($("silos").tBodies[0], now.silos, (s) => [s.silo, s.status, s.pipeline, s.partitions ?? "–"]);
  rows($("dead").tBodies[0], dead, ([stage, n]) => [stage, fmt(n)]);
  rows($("dead-examples").tBodies[0], now.dead_letter_examples || [], (e) => [e.stage, e.error, e.source]);
  const models = $("models");
  models.replaceChildren();
  const add = (k, v) => { const dt = document.createElement("dt"); dt.textContent = k; const dd = document.createElement("dd"); dd.textContent = v ?? "–"; models.append(dt, dd); };
  add("real/bogus", now.models.rb);
  add("cnn", now.models.cnn);
  for (const [survey, id] of Object.entries(now.models.novelty || {})) add(`novelty ${survey}`, id);
  $("silo-count").textContent = `${now.silos.filter((s) => s.status === "active").length} silo(s) active`;
  const inForce = new Map();
  for (const silo of now.silos) for (const f of silo.filters || []) inForce.set(f, (inForce.get(f) || 0) + 1);
  rows($("filters-in-force").tBodies[0], [...inForce.entries()], ([f, n]) => [f, n, fmt((tonightFilters || {})[f] ?? 0)]);
  const select = $("night-select");
  const known = [...select.options].map((o) => o.value);
  for (const night of now.nights) {
    if (!known.includes(night)) {
      const option = document.createElement("option");
      option.value = option.textContent = night;
      select.appendChild(option);
    }
  }
  if (!selectedNight && now.nights.length) {
    selectedNight = now.nights[now.nights.length - 1];
    select.value = selectedNight;
    loadNight();
    loadMap();
  }
}

function histogram(el, counts) {
  const max = Math.max(1, ...counts);
  const w = 100 / counts.length;
  el.innerHTML = `<svg viewBox="0 0 100 40" preserveAspectRatio="none">${counts.map((c, i) => `<rect x="${i * w + 0.3}" y="${40 - (40 * c) / max}" width="${w - 0.6}" height="${(40 * c) / max}"><title>${(i / counts.length).toFixed(2)}–${((i + 1) / counts.length).toFixed(2)}: ${c}</title></rect>`).join("")}</svg>`;
}

async function loadNight() {
  if (!selectedNight) return;
  const [survey, night] = selectedNight.split(":");
  const response = await fetch(`/api/nights/${survey}/${night}`);
  if (!response.ok) return;
  const n = await response.json();
  $("night-alerts").textContent = fmt(n.alerts);
  $("night-redelivered").textContent = fmt(n.redelivered);
  tonightFilters = n.filters || {};
  const filters = Object.entries(tonightFilters);
  $("night-matches").textContent = fmt(filters.reduce((s, [, c]) => s + c, 0));
  rows($("night-filters").tBodies[0], filters, ([f, c]) => [f, fmt(c)]);
  histogram($("hist-rb"), n.rb);
  histogram($("hist-cnn"), n.cnn);
  histogram($("hist-novelty"), n.novelty);
  const tbody = $("top-novel").tBodies[0];
  rows(tbody, n.top_novel, (a) => [fmt(a.novelty, 3), a.object_id || "–", a.band, fmt(a.mag, 2), a.subspace, a.explanation, fmt(a.rb, 2), fmt(a.cnn, 2)]);
  [...tbody.rows].forEach((tr, i) => {
    tr.dataset.alert = n.top_novel[i].alert_id;
    tr.addEventListener("click", () => openCard(survey, tr.dataset.alert));
  });
}

let map = null;

async function loadMap() {
  if (!selectedNight) return;
  const [survey, night] = selectedNight.split(":");
  const response = await fetch(`/api/map/${survey}/${night}`);
  if (!response.ok) return;
  map = await response.json();
  map.survey = survey;
  const select = $("map-subspace");
  if (map.subspaces && select.options.length === 0) {
    for (const s of map.subspaces) { const o = document.createElement("option"); o.value = o.textContent = s.name; select.appendChild(o); }
  }
  drawMap();
}

function drawMap() {
  const plot = $("map-plot");
  if (!map || map.error) {
    plot.innerHTML = `<p class="muted">${map ? map.error : ""}</p>`;
    $("anomaly-estimate").textContent = "–";
    return;
  }
  const a = map.anomalies;
  $("anomaly-estimate").textContent = fmt(a.estimate, 1);
  $("anomaly-detail").textContent = `two forests' top ${a.k} of ${map.points} sampled alerts share g = ${a.overlap}`;
  const subspace = map.subspaces.find((s) => s.name === $("map-subspace").value) || map.subspaces[0];
  const xs = subspace.xy.map((p) => p[0]), ys = subspace.xy.map((p) => p[1]);
  const x0 = Math.min(...xs), x1 = Math.max(...xs, x0 + 1e-6), y0 = Math.min(...ys), y1 = Math.max(...ys, y0 + 1e-6);
  const by = $("map-colour").value;
  const bands = { u: "#b48ead", g: "#a3be8c", r: "#bf616a", i: "#d08770", z: "#ebcb8b", y: "#88c0d0" };
  const colour = (p) => by === "band" ? (bands[p.band] || "#d8dee9")
    : (() => { const v = by === "rb" ? p.rb : p.novelty; if (v === null || v === undefined) return "#4c566a"; const t = by === "novelty" ? Math.min(1, Math.max(0, (v - 0.35) / 0.35)) : v; return `hsl(${(1 - t) * 220}, 80%, 55%)`; })();
  const order = map.alerts.map((_, i) => i).sort((i, j) => (map.alerts[i].novelty ?? 0) - (map.alerts[j].novelty ?? 0));
  plot.innerHTML = `<svg viewBox="0 0 800 420">${order.map((i) => {
    const p = map.alerts[i];
    const cx = 10 + (780 * (xs[i] - x0)) / (x1 - x0), cy = 410 - (400 * (ys[i] - y0)) / (y1 - y0);
    return `<circle data-alert="${p.alert_id}" cx="${cx.toFixed(1)}" cy="${cy.toFixed(1)}" r="3.2" fill="${colour(p)}"><title>${p.object_id || p.alert_id} ${p.band} · novelty ${p.novelty ?? "–"} · rb ${p.rb}</title></circle>`;
  }).join("")}</svg>`;
  plot.querySelectorAll("circle").forEach((c) => c.addEventListener("click", () => openCard(map.survey, c.dataset.alert)));
}

async function openCard(survey, alertId) {
  const response = await fetch(`/api/alerts/${survey}/${alertId}`);
  if (!response.ok) {
    const p = map && map.alerts.find((a) => a.alert_id === alertId);
    if (!p) return;
    $("card-title").textContent = `${survey} ${alertId} · ${p.object_id || "no object id"} · ${p.band} (not in the night's top novel list: no cutouts kept)`;
    for (const kind of ["science", "template", "difference"]) $(`cut-${kind}`).removeAttribute("src");
    $("card-scores").replaceChildren();
    $("card-explanation").textContent = `rb ${p.rb} · novelty ${p.novelty ?? "–"}`;
    $("card-lightcurve").innerHTML = p.object_id ? lightCurve(await (await fetch(`/api/objects/${survey}/${encodeURIComponent(p.object_id)}`)).json(), 0) : "";
    $("card").hidden = false;
    return;
  }
  const c = await response.json();
  $("card-title").textContent = `${c.survey} ${c.alert_id} · ${c.object_id || "no object id"} · ${c.band} ${fmt(c.mag, 2)} mag · MJD ${fmt(c.mjd, 5)}`;
  for (const kind of ["science", "template", "difference"]) {
    const img = $(`cut-${kind}`);
    if (c[`${kind}_png`]) img.src = c[`${kind}_png`]; else img.removeAttribute("src");
  }
  const scores = $("card-scores");
  scores.replaceChildren();
  const add = (k, v) => { const dt = document.createElement("dt"); dt.textContent = k; const dd = document.createElement("dd"); dd.textContent = v; scores.append(dt, dd); };
  add("rb", fmt(c.rb, 3)); add("cnn", fmt(c.cnn, 3)); add("rb+cnn", fmt(c.rb_combined, 3)); add("novelty", `${fmt(c.novelty, 3)} (${c.subspace}, snapshot ${c.snapshot_id})`);
  add("position", `${fmt(c.ra, 5)}, ${fmt(c.dec, 5)}`); add("filters", (c.filters || []).join(", ") || "none");
  $("card-explanation").textContent = "Why novel: " + (c.top_features || []).map((f) => `${f.name} ${Math.round(f.share * 100)} %`).join(", ");
  $("card").hidden = false;
  const lc = $("card-lightcurve");
  lc.replaceChildren();
  if (c.object_id) {
    const points = await (await fetch(`/api/objects/${c.survey}/${encodeURIComponent(c.object_id)}`)).json();
    lc.innerHTML = lightCurve(points, c.mjd);
  }
}

function lightCurve(points, now) {
  const good = points.filter((p) => Number.isFinite(p.mag));
  if (!good.length) return "<p class=\"muted\">no detections</p>";
  const t0 = Math.min(...good.map((p) => p.mjd)), t1 = Math.max(...good.map((p) => p.mjd), t0 + 1e-3);
  const m0 = Math.min(...good.map((p) => p.mag)) - 0.2, m1 = Math.max(...good.map((p) => p.mag)) + 0.2;
  const colours = { u: "#b48ead", g: "#a3be8c", r: "#bf616a", i: "#d08770", z: "#ebcb8b", y: "#88c0d0" };
  const x = (t) => 30 + (560 * (t - t0)) / (t1 - t0), y = (m) => 10 + (150 * (m - m0)) / (m1 - m0);
  const dots = good.map((p) => `<circle cx="${x(p.mjd)}" cy="${y(p.mag)}" r="${Math.abs(p.mjd - now) < 1e-5 ? 5 : 3}" fill="${colours[p.band] || "#d8dee9"}"><title>${p.band} ${p.mag.toFixed(2)} @ ${p.mjd.toFixed(4)}</title></circle>`).join("");
  return `<svg viewBox="0 0 600 170"><text x="2" y="14" fill="#8a93a6" font-size="10">${m0.toFixed(1)}</text><text x="2" y="160" fill="#8a93a6" font-size="10">${m1.toFixed(1)}</text>${dots}</svg>`;
}

$("card-close").addEventListener("click", () => { $("card").hidden = true; });
$("night-select").addEventListener("change", (e) => { selectedNight = e.target.value; loadNight(); loadMap(); });
$("map-subspace").addEventListener("change", drawMap);
$("map-colour").addEventListener("change", drawMap);

function connect() {
  const source = new EventSource("/api/live");
  source.onopen = () => { $("live").textContent = "live"; $("live").className = "badge on"; };
  source.onmessage = (e) => renderNow(JSON.parse(e.data));
  source.onerror = () => { $("live").textContent = "reconnecting"; $("live").className = "badge off"; };
}

async function evaluatePlayground(event) {
  event.preventDefault();
  const response = await fetch("/api/playground", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ where: $("playground-text").value, limit: 100 }) });
  const result = await response.json();
  const error = $("playground-error");
  const table = $("playground-results");
  if (result.error) {
    error.hidden = false;
    error.textContent = `line ${result.line}, column ${result.column}: ${result.error}`;
    $("playground-summary").textContent = "";
    table.tHead.replaceChildren();
    table.tBodies[0].replaceChildren();
    return;
  }
  error.hidden = true;
  $("playground-summary").textContent = `${result.matched} of ${result.evaluated} latest alerts match · understood as ${result.canonical}`;
  const head = document.createElement("tr");
  for (const h of ["match", "alert", "object", ...result.names]) { const th = document.createElement("th"); th.textContent = h; head.appendChild(th); }
  table.tHead.replaceChildren(head);
  const sorted = [...result.alerts].sort((a, b) => Number(b.matches) - Number(a.matches));
  rows(table.tBodies[0], sorted, (a) => [a.matches ? "yes" : "no", `${a.survey} ${a.alert_id}`, a.object_id || "–", ...result.names.map((n) => a.values[n] ?? "null")]);
  [...table.tBodies[0].rows].forEach((tr, i) => { tr.cells[0].className = sorted[i].matches ? "yes" : "no"; });
}

// "Last night": the filter tried on the latest archived night (per hour, first passes), before anyone subscribes.
async function tryLastNight() {
  const response = await fetch("/api/playground/night", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ where: $("playground-text").value }) });
  const result = await response.json();
  const error = $("playground-error");
  const box = $("playground-night-result");
  if (!response.ok) {
    error.hidden = false;
    error.textContent = result.line ? `line ${result.line}, column ${result.column}: ${result.error}` : result.error;
    box.hidden = true;
    return;
  }
  error.hidden = true;
  box.hidden = false;
  $("playground-night-summary").textContent = result.map((n) => {
    const live = n.recorded.map((t) => `; live, '${t.name}' was sent ${t.sent_live}`).join("");
    const open = n.open_files ? ` (night still being written)` : "";
    return `${n.survey} ${n.night}: ${n.passed} of ${n.alerts} alerts pass${open}${live}`;
  }).join(" · ");
  rows($("playground-night-hours").tBodies[0], result.flatMap((n) => n.hours), (h) => [h.hour, h.alerts, h.passed]);
  rows($("playground-night-first").tBodies[0], result.flatMap((n) => n.first), (p) => [`${p.survey} ${p.alert_id}`, p.object_id || "–", p.observed, p.band, fmt(p.mag, 2), fmt(p.rb, 3), p.cnn == null ? "–" : fmt(p.cnn, 3), p.rb_combined == null ? "–" : fmt(p.rb_combined, 3)]);
}

async function saveFilter(event) {
  event.preventDefault();
  const name = $("save-name").value.trim();
  const headers = { "Content-Type": "application/json" };
  if ($("save-token").value) headers.Authorization = `Bearer ${$("save-token").value}`;
  const response = await fetch(`/api/filters/${encodeURIComponent(name)}`, { method: "PUT", headers, body: JSON.stringify({ where: $("playground-text").value, payload: $("save-payload").value }) });
  const result = await response.json().catch(() => ({}));
  $("save-result").textContent = response.ok ? `saved: catalog version ${result.version}; every silo applies it within a second` : `not saved (${response.status}): ${result.error || ""}`;
}

async function loadLastMatches() {
  const response = await fetch("/api/subscriptions/last-matches");
  if (!response.ok) return;
  const last = await response.json();
  const flat = Object.entries(last).flatMap(([f, list]) => list.map((a) => [f, a]));
  rows($("last-matches").tBodies[0], flat, ([f, a]) => [f, `${a.survey} ${a.alert_id}`, a.object_id || "–", a.band, fmt(a.mag, 2)]);
}

$("playground").addEventListener("submit", evaluatePlayground);
$("save-filter").addEventListener("submit", saveFilter);
$("playground-night").addEventListener("click", tryLastNight);
setInterval(loadLastMatches, 5000);
loadLastMatches();
connect();
setInterval(loadNight, 5000);
setInterval(loadMap, 10000);
