// Sigap city wall: open reports on a map, counts, and a live ticker.
// Speaks graphql-transport-ws to /graphql; after any disconnect it reconnects and resumes
// from the cursor of the last event it showed, so nothing is missed and nothing repeats.
"use strict";

const REPORT_FIELDS = `
  id code title status publicGroup acknowledgeDueAt dueAt lateFor updatedAt
  location { lat lon } category { name isEmergency } agency { code name }`;
const OPEN_REPORTS = `query WallOpenReports($after: String) {
  reports(first: 100, after: $after, filter: { publicGroups: [WAITING, IN_PROCESS] }, orderBy: NEWEST) {
    pageInfo { hasNextPage endCursor }
    edges { node { ${REPORT_FIELDS} } }
  }
}`;
// The newest events sit on the most recently updated reports: their cursors tell where the
// ticker starts, so that it opens on the latest events rather than on an empty column.
const RECENT_CURSORS = `query WallRecentCursors {
  reports(first: 5, orderBy: RECENTLY_UPDATED) { edges { node { timeline { cursor } } } }
}`;
// Every wall sends this same document: the server executes it once per event for all of them.
const WALL_FEED = `subscription WallFeed($after: String) {
  reportEvents(after: $after) {
    cursor
    event { kind fromStatus toStatus data createdAt }
    report { ${REPORT_FIELDS} }
  }
}`;
const OPEN = new Set(["SUBMITTED", "ACKNOWLEDGED", "IN_PROGRESS"]);
// One word, one meaning: "Diproses" is the public group (accepted or being worked on) on the
// whole screen; the statuses inside it have their own words.
const STATUS_NAMES = {
  SUBMITTED: "Menunggu", ACKNOWLEDGED: "Diterima", IN_PROGRESS: "Dikerjakan", RESOLVED: "Selesai",
  CLOSED: "Ditutup", REJECTED: "Ditolak", DUPLICATE: "Duplikat",
};
const LATE_NAMES = { ACKNOWLEDGE: "belum diterima", RESOLVE: "belum selesai" };
// Kinds a command center does not act on: they move the cursor but take no room on the wall.
const QUIET_KINDS = new Set(["SUPPORTED", "FOLLOWED", "UNFOLLOWED"]);
const KIND_NAMES = {
  FILED: "Laporan baru",
  ASSIGNED: "Ditugaskan ke petugas",
  REROUTED: "Dialihkan ke dinas lain",
  COMMENTED: "Komentar baru",
  INTERNAL_NOTE: "Catatan internal",
  DUPLICATE_MERGED: "Digabung sebagai duplikat",
  RATED: "Dinilai pelapor",
  PHOTO_ADDED: "Foto ditambahkan",
  PHOTO_REMOVED: "Foto dihapus",
  MODERATED: "Konten dimoderasi", // the report as it now is re-titles the ticker (retitle)
};
const ESCALATION_NAMES = {
  ACKNOWLEDGE: "Terlambat: batas waktu penerimaan terlewati",
  RESOLVE: "Terlambat: batas waktu penyelesaian terlewati",
};
// The city's open reports counted by the server on the map's grid (reportClusters): drawn instead
// of one dot per report once there are more open reports than `?dots=` (default 300).
const OPEN_CLUSTERS = `query WallClusters($box: BoundingBoxInput!, $zoom: Int!) {
  reportClusters(boundingBox: $box, zoom: $zoom, filter: { publicGroups: [WAITING, IN_PROCESS] }) {
    key count centroid { lat lon } waiting inProcess
  }
}`;
const DOTS_MAX = (() => {
  const given = Number.parseInt(new URLSearchParams(location.search).get("dots") ?? "", 10);
  return Number.isNaN(given) ? 300 : Math.max(given, 0);
})();
const CLUSTERS_DEBOUNCE_MS = 1000; // a burst of events costs one re-count
const MAX_CLUSTER_CELLS = 1000; // the API's limit of cells per view
const MAX_PAGES = 50;
const TICKER_MAX = 40;
const TICKER_HISTORY = 60; // events replayed on load, before the quiet ones are dropped
const KEY_STORE = "sigap.wall.displayKey";

const body = document.body;
const [minLat, minLon, maxLat, maxLon] = body.dataset.serviceArea.split(",").map(Number);
const timeZone = body.dataset.timezone || "Asia/Makassar";
const timeFormat = new Intl.DateTimeFormat("id-ID", { timeZone, hour: "2-digit", minute: "2-digit", second: "2-digit" });

const state = {
  reports: new Map(), // open reports by id: the map and the counts come from here
  serverClusters: null, // the last reportClusters answer, once the map draws clusters
  lastCursor: null, // the newest event shown; resume after it
  historyUntil: null, // events up to this cursor were made before the wall opened
  done: 0,
};

// ---------------------------------------------------------------- the display key

// The wall reads with a DISPLAY API key: `/wall?key=sgp_...` once; it is kept in this browser's
// storage and taken out of the address bar (nobody across the room should read it off the screen).
function displayKey() {
  const params = new URLSearchParams(location.search);
  if (params.has("key")) {
    const given = params.get("key").trim();
    if (given) localStorage.setItem(KEY_STORE, given);
    else localStorage.removeItem(KEY_STORE); // `?key=` with nothing forgets it
    params.delete("key");
    const rest = params.toString();
    history.replaceState(null, "", location.pathname + (rest ? `?${rest}` : "") + location.hash);
  }
  return localStorage.getItem(KEY_STORE);
}

const KEY = displayKey();
const CREDENTIALS = KEY ? { "x-api-key": KEY } : {};

// ---------------------------------------------------------------- the server's clock

// Lateness is judged on the server's clock, not this PC's (which may be hours off): each answer's
// Date header gives the offset, to about half a second, which is plenty for targets in minutes.
let clockOffset = 0;

function serverNow() {
  return Date.now() + clockOffset;
}

function learnClock(response, sentAt, receivedAt) {
  const stamp = Date.parse(response.headers.get("date") || "");
  if (Number.isNaN(stamp)) return;
  clockOffset = stamp + 500 - (sentAt + receivedAt) / 2;
  tick();
}

// The rule of models/lateness.py on the server's time: the API's `lateFor` as it would answer
// now, for reports loaded before their deadline passed.
function lateFor(report) {
  if (!OPEN.has(report.status)) return null;
  const now = serverNow();
  if (Date.parse(report.dueAt) < now) return "RESOLVE";
  if (report.status === "SUBMITTED" && Date.parse(report.acknowledgeDueAt) < now) return "ACKNOWLEDGE";
  return null;
}

// ---------------------------------------------------------------- reports and counts

const versions = new Map(); // report id -> updatedAt of the newest state seen, even once closed

function upsert(report) {
  const seen = versions.get(report.id);
  if (seen && seen > report.updatedAt) return; // never go back to an older state
  versions.set(report.id, report.updatedAt);
  if (OPEN.has(report.status)) state.reports.set(report.id, report);
  else state.reports.delete(report.id);
}

function renderCounts() {
  const byStatus = new Map([...OPEN].map((s) => [s, 0]));
  const byAgency = new Map();
  const late = { ACKNOWLEDGE: 0, RESOLVE: 0 };
  for (const report of state.reports.values()) {
    byStatus.set(report.status, (byStatus.get(report.status) || 0) + 1);
    const agency = report.agency.name;
    byAgency.set(agency, (byAgency.get(agency) || 0) + 1);
    const target = lateFor(report);
    if (target) late[target] += 1;
  }
  text("count-open", state.reports.size);
  text("count-overdue", late.ACKNOWLEDGE + late.RESOLVE);
  text("overdue-split", Object.entries(late).map(([target, n]) => `${n} ${LATE_NAMES[target]}`).join(" · "));
  text("count-done", state.done);
  list("by-status", [...byStatus].map(([s, n]) => [STATUS_NAMES[s] || s, n]));
  list("by-agency", [...byAgency].sort((a, b) => b[1] - a[1]));
}

function text(id, value) {
  document.getElementById(id).textContent = String(value);
}

function list(id, rows) {
  const ul = document.getElementById(id);
  ul.replaceChildren(...rows.map(([name, n]) => {
    const li = document.createElement("li");
    const label = document.createElement("span");
    label.textContent = name;
    const value = document.createElement("b");
    value.textContent = String(n);
    li.append(label, value);
    return li;
  }));
}

// ---------------------------------------------------------------- the map

const SVG = "http://www.w3.org/2000/svg";
const map = document.getElementById("map");
const WIDTH = 1000;
// A plain equirectangular projection, shrunk in longitude by cos(latitude): true to shape at
// the city's scale, and no tiles needed.
const lonScale = Math.cos(((minLat + maxLat) / 2) * Math.PI / 180);
const HEIGHT = Math.round(WIDTH * (maxLat - minLat) / ((maxLon - minLon) * lonScale));
map.setAttribute("viewBox", `0 0 ${WIDTH} ${HEIGHT}`);

function project(lat, lon) {
  return [(lon - minLon) / (maxLon - minLon) * WIDTH, (maxLat - lat) / (maxLat - minLat) * HEIGHT];
}

function svg(name, attributes) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attributes)) node.setAttribute(k, String(v));
  return node;
}

// Drawing sizes are given in rem and turned into the map's units, so that dots and labels keep
// their size on the screen whatever the map's scale.
function remInMapUnits(rem) {
  const box = map.getBoundingClientRect();
  const unitsPerPixel = Math.max(WIDTH / (box.width || WIDTH), HEIGHT / (box.height || HEIGHT));
  return rem * parseFloat(getComputedStyle(document.documentElement).fontSize) * unitsPerPixel;
}

function ringPath(ring) {
  return ring.map(([lon, lat], i) => {
    const [x, y] = project(lat, lon);
    return `${i ? "L" : "M"}${x.toFixed(1)},${y.toFixed(1)}`;
  }).join("") + "Z";
}

function geometryPath(geometry) {
  const polygons = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
  return polygons.flatMap((rings) => rings.map(ringPath)).join("");
}

const base = svg("g", { class: "base" });
const labels = svg("g", { class: "labels" });
const dots = svg("g", { class: "dots" });
const counted = svg("g", { class: "counted" }); // the server's clusters
map.append(svg("rect", { class: "sea", x: 0, y: 0, width: WIDTH, height: HEIGHT }), base, labels, counted, dots);
const fresh = new Set();

// The land and the kecamatan (outlines when the city loaded them, else a name at about the middle).
async function loadBaseMap() {
  const response = await fetch("/wall/map.json");
  const { features } = await response.json();
  for (const feature of features) {
    const { kind } = feature.properties;
    if (feature.geometry) {
      base.append(svg("path", { class: kind, d: geometryPath(feature.geometry), "fill-rule": "evenodd" }));
    }
    if (kind === "kecamatan") {
      const [x, y] = project(...feature.properties.label);
      const label = svg("text", { x: x.toFixed(1), y: y.toFixed(1), "data-area": feature.properties.code });
      label.textContent = feature.properties.name;
      labels.append(label);
    }
  }
  render();
}

// Ordinary reports closer than about a dot's width on the screen are drawn as one numbered circle;
// emergencies are always drawn on their own, on top.
function clusters(reports, radius) {
  const groups = [];
  const cells = new Map(); // groups by grid cell of `radius`: only the 9 cells around are searched
  const cell = (x, y) => `${Math.floor(x / radius)},${Math.floor(y / radius)}`;
  for (const report of reports) {
    const [x, y] = project(report.location.lat, report.location.lon);
    const [cx, cy] = [Math.floor(x / radius), Math.floor(y / radius)];
    let near = null;
    for (let dx = -1; dx <= 1 && !near; dx += 1) {
      for (let dy = -1; dy <= 1 && !near; dy += 1) {
        near = (cells.get(`${cx + dx},${cy + dy}`) || []).find((g) => Math.hypot(g.x - x, g.y - y) < radius);
      }
    }
    if (near) {
      near.reports.push(report);
      continue;
    }
    const group = { x, y, reports: [report] };
    groups.push(group);
    const key = cell(x, y);
    cells.set(key, [...(cells.get(key) || []), group]);
  }
  return groups;
}

function pointOf(report) {
  const [x, y] = project(report.location.lat, report.location.lon);
  return { x, y };
}

function markRadius(group, unit) {
  const n = group.reports.length;
  return unit * (group.reports[0].category.isEmergency ? 0.8 : 0.45 + (n > 1 ? 0.2 * Math.sqrt(n) : 0));
}

function mark(group, unit, radius) {
  const { reports } = group;
  const emergency = reports.some((r) => r.category.isEmergency);
  const late = reports.map(lateFor).filter(Boolean);
  const classes = [
    reports.some((r) => r.publicGroup === "WAITING") ? "waiting" : "in-process",
    late.length ? "late" : "",
    ...new Set(late.map((target) => `late-${target.toLowerCase()}`)),
    emergency ? "emergency" : "",
    reports.length > 1 ? "cluster" : "",
    reports.some((r) => fresh.has(r.id)) ? "fresh" : "",
  ].filter(Boolean).join(" ");
  const node = svg("g", { class: classes, "data-codes": reports.map((r) => r.code).join(" ") });
  node.append(svg("circle", { cx: group.x.toFixed(1), cy: group.y.toFixed(1), r: radius.toFixed(1) }));
  if (reports.length > 1) {
    const count = svg("text", { x: group.x.toFixed(1), y: group.y.toFixed(1), "font-size": (unit * 0.75).toFixed(1) });
    count.textContent = String(reports.length);
    node.append(count);
  }
  const title = svg("title", {});
  title.textContent = reports.map((r) => `${r.code} · ${r.title} · ${r.agency.name}`
    + (lateFor(r) ? ` · terlambat, ${LATE_NAMES[lateFor(r)]}` : "")).join("\n");
  node.append(title);
  return node;
}

// The web-map zoom at which the service area spans the map's width on the screen (256-px tiles),
// lowered until the area spans at most the API's number of cells.
function clusterZoom() {
  const pixels = map.getBoundingClientRect().width || WIDTH;
  let zoom = Math.min(22, Math.max(0, Math.floor(Math.log2(360 * pixels / ((maxLon - minLon) * 256)))));
  const cells = (z) => {
    const size = 360 / (2 ** z * 4);
    const rows = Math.floor((maxLat + 90) / size) - Math.floor((minLat + 90) / size) + 1;
    return rows * (Math.floor((maxLon + 180) / size) - Math.floor((minLon + 180) / size) + 1);
  };
  while (zoom > 0 && cells(zoom) > MAX_CLUSTER_CELLS) zoom -= 1;
  return zoom;
}

async function loadClusters() {
  const box = { minLat, minLon, maxLat, maxLon };
  const { reportClusters } = await query(OPEN_CLUSTERS, { box, zoom: clusterZoom() });
  state.serverClusters = reportClusters;
  render();
}

let clustersTimer = null;
// Re-count after events, at most once a second: the server answers from its counted cells.
function refreshClusters() {
  if (state.reports.size <= DOTS_MAX && state.serverClusters === null) return;
  clearTimeout(clustersTimer);
  clustersTimer = setTimeout(() => loadClusters().catch(console.error), CLUSTERS_DEBOUNCE_MS);
}

function drawServerClusters(unit) {
  counted.replaceChildren(...state.serverClusters.map((cluster) => {
    const [x, y] = project(cluster.centroid.lat, cluster.centroid.lon);
    const node = svg("g", {
      class: `server-cluster ${cluster.waiting ? "waiting" : "in-process"}`,
      "data-key": cluster.key,
      "data-count": cluster.count,
    });
    const radius = unit * (0.45 + 0.2 * Math.sqrt(cluster.count));
    node.append(svg("circle", { cx: x.toFixed(1), cy: y.toFixed(1), r: radius.toFixed(1) }));
    const count = svg("text", { x: x.toFixed(1), y: y.toFixed(1), "font-size": (unit * 0.75).toFixed(1) });
    count.textContent = String(cluster.count);
    const title = svg("title", {});
    title.textContent = `${cluster.count} laporan · ${cluster.waiting} menunggu · ${cluster.inProcess} diproses`;
    node.append(count, title);
    return node;
  }));
}

function renderMap() {
  const unit = remInMapUnits(1);
  labels.setAttribute("font-size", unit.toFixed(1));
  const byServer = state.reports.size > DOTS_MAX && state.serverClusters !== null;
  map.dataset.layer = byServer ? "clusters" : "dots";
  if (byServer) {
    // Too many dots to read: the server's counts, with emergencies still drawn one by one.
    drawServerClusters(unit);
    dots.replaceChildren(...[...state.reports.values()].filter((r) => r.category.isEmergency)
      .map((r) => mark({ ...pointOf(r), reports: [r] }, unit, unit * 0.8)));
    fresh.clear();
    return;
  }
  counted.replaceChildren();
  const open = [...state.reports.values()];
  const ordinary = clusters(open.filter((r) => !r.category.isEmergency), unit * 1.2);
  // An emergency is drawn under the ordinary marks but wider than any it overlaps: its ring shows
  // around a group's number instead of hiding it.
  const emergencies = open.filter((r) => r.category.isEmergency).map((r) => {
    const [x, y] = project(r.location.lat, r.location.lon);
    const group = { x, y, reports: [r] };
    const under = ordinary.filter((g) => Math.hypot(g.x - x, g.y - y) < markRadius(g, unit) + unit * 0.5);
    const radius = Math.max(markRadius(group, unit), ...under.map((g) => markRadius(g, unit) + unit * 0.45));
    return mark(group, unit, radius);
  });
  dots.replaceChildren(...emergencies, ...ordinary.map((group) => mark(group, unit, markRadius(group, unit))));
  fresh.clear();
}

// ---------------------------------------------------------------- the ticker

// What the wall says about an event; null for kinds it keeps quiet about.
function describeEvent(event) {
  if (QUIET_KINDS.has(event.kind)) return null;
  if (event.kind === "STATUS_CHANGED") {
    return `${STATUS_NAMES[event.fromStatus] || "?"} → ${STATUS_NAMES[event.toStatus] || "?"}`;
  }
  if (event.kind === "ESCALATED") {
    return ESCALATION_NAMES[event.data && event.data.target] || "Terlambat: batas waktu terlewati";
  }
  return KIND_NAMES[event.kind] || "Laporan diperbarui"; // a kind newer than this page
}

// The ticker's lines show a report's title as it is now (a moderator may have redacted it since).
function retitle(report) {
  for (const item of document.getElementById("ticker").children) {
    if (item.dataset.code === report.code) item.querySelector(".title").textContent = report.title;
  }
}

function addToTicker(message) {
  const { event, report } = message;
  const what = describeEvent(event);
  if (what === null) return;
  const li = document.createElement("li");
  li.className = [event.kind, report && report.category.isEmergency ? "emergency" : ""].filter(Boolean).join(" ");
  li.dataset.cursor = message.cursor;
  li.dataset.kind = event.kind;
  if (report) li.dataset.code = report.code;
  const head = document.createElement("div");
  head.className = "what";
  const code = document.createElement("span");
  code.className = "code";
  code.textContent = report ? report.code : "";
  head.append(code, ` ${what}`);
  const title = document.createElement("div");
  title.className = "title";
  title.textContent = report ? report.title : "";
  const meta = document.createElement("div");
  meta.className = "meta";
  meta.textContent = `${timeFormat.format(new Date(event.createdAt))}`
    + (report ? ` · ${report.category.name} · ${report.agency.name}` : "");
  li.append(head, title, meta);
  const ticker = document.getElementById("ticker");
  ticker.prepend(li);
  while (ticker.children.length > TICKER_MAX) ticker.lastElementChild.remove();
}

// Only whole rows and cards: those that would be cut at the bottom of their list are left out
// (the ticker's oldest, the agencies with the fewest reports).
function fitInside(container) {
  const bottom = container.getBoundingClientRect().bottom;
  for (const item of container.children) item.hidden = false;
  for (const item of container.children) {
    if (item.getBoundingClientRect().bottom > bottom + 0.5) item.hidden = true;
  }
}

function onFeedMessage(message) {
  if (state.lastCursor !== null && BigInt(message.cursor) <= BigInt(state.lastCursor)) return;
  state.lastCursor = message.cursor;
  addToTicker(message);
  const history = state.historyUntil !== null && BigInt(message.cursor) <= BigInt(state.historyUntil);
  if (message.report) {
    if (message.event.kind === "FILED" && !history) fresh.add(message.report.id);
    upsert(message.report);
    retitle(message.report);
  }
  if (!history && message.event.toStatus && !OPEN.has(message.event.toStatus)) state.done += 1;
  if (!history) refreshClusters();
  render();
}

let renderQueued = false;
function render() {
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => {
    renderQueued = false;
    renderCounts();
    renderMap();
    for (const id of ["by-status", "by-agency", "ticker"]) fitInside(document.getElementById(id));
  });
}

// ---------------------------------------------------------------- talking to Sigap

function setConnection(stateName, label) {
  const badge = document.getElementById("connection");
  badge.dataset.state = stateName;
  badge.textContent = label;
}

async function query(document, variables) {
  const sentAt = Date.now();
  const response = await fetch("/graphql", {
    method: "POST",
    headers: { "content-type": "application/json", ...CREDENTIALS },
    body: JSON.stringify({ query: document, variables }),
  });
  learnClock(response, sentAt, Date.now());
  if (response.status === 401) {
    setConnection("refused", "kunci layar ditolak · display key refused");
    throw new Error("the display key was refused");
  }
  const result = await response.json();
  if (result.errors) throw new Error(result.errors[0].message);
  return result.data;
}

async function loadOpenReports() {
  let after = null;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const { reports } = await query(OPEN_REPORTS, { after });
    for (const edge of reports.edges) upsert(edge.node);
    if (!reports.pageInfo.hasNextPage) break;
    after = reports.pageInfo.endCursor;
  }
  if (state.reports.size > DOTS_MAX) await loadClusters();
  render();
}

// The cursor to replay from so that the ticker opens on the latest events; null: live only.
async function historyStart() {
  const { reports } = await query(RECENT_CURSORS, {});
  const cursors = reports.edges.flatMap((edge) => edge.node.timeline.map((event) => BigInt(event.cursor)));
  if (cursors.length === 0) return null;
  const newest = cursors.reduce((a, b) => (a > b ? a : b));
  state.historyUntil = String(newest);
  const start = newest - BigInt(TICKER_HISTORY);
  return String(start > 0n ? start : 0n);
}

let retryDelay = 500;
let refused = false;
function connect() {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const socket = new WebSocket(`${scheme}//${location.host}/graphql`, "graphql-transport-ws");
  const send = (message) => socket.send(JSON.stringify(message));
  socket.onopen = () => send({ type: "connection_init", payload: CREDENTIALS });
  socket.onmessage = (frame) => {
    const message = JSON.parse(frame.data);
    if (message.type === "connection_ack") {
      retryDelay = 500;
      send({ id: "wall", type: "subscribe", payload: { query: WALL_FEED, variables: { after: state.lastCursor } } });
      setConnection("live", KEY ? "langsung · live" : "langsung, tanpa kunci layar · live, no display key");
    } else if (message.type === "ping") {
      send({ type: "pong" });
    } else if (message.type === "next" && message.payload.data) {
      onFeedMessage(message.payload.data.reportEvents);
    } else if (message.type === "next" || message.type === "error") {
      console.error("live feed refused", message.payload);
      if (JSON.stringify(message.payload).includes("CURSOR_EXPIRED")) {
        // Too far behind to replay: start again from a fresh snapshot.
        state.lastCursor = null;
        state.reports.clear();
        versions.clear();
        loadOpenReports().catch(console.error);
      }
      socket.close();
    } else if (message.type === "complete") {
      socket.close();
    }
  };
  socket.onclose = (closing) => {
    if (closing.code === 4401 || closing.code === 4403) {
      refused = true;
      setConnection("refused", "kunci layar ditolak · display key refused");
      return; // retrying with a refused key only burns the budget
    }
    setConnection("offline", "terputus · reconnecting");
    setTimeout(connect, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 5000);
  };
}

function tick() {
  text("clock", timeFormat.format(new Date(serverNow())));
}

async function start() {
  try {
    state.lastCursor = await historyStart();
  } catch (error) {
    console.error("could not find the latest events", error);
  }
  if (refused || document.getElementById("connection").dataset.state === "refused") return;
  connect();
  loadBaseMap().catch((error) => console.error("could not load the base map", error));
  await loadOpenReports();
}

setInterval(tick, 1000);
setInterval(render, 10000); // lateness changes with time alone
setInterval(() => loadOpenReports().catch(console.error), 300000); // drift guard
window.addEventListener("resize", () => {
  render();
  refreshClusters(); // a wider map may count on a finer grid
});
tick();
start().catch((error) => console.error("could not start the wall", error));
