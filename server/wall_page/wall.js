// Sigap city wall: open reports on a map, counts, and a live ticker.
// Speaks graphql-transport-ws to /graphql; after any disconnect it reconnects and resumes
// from the cursor of the last event it showed, so nothing is missed and nothing repeats.
"use strict";

const REPORT_FIELDS = `
  id code title status publicGroup dueAt updatedAt
  location { lat lon } category { name } agency { code name }`;
const OPEN_REPORTS = `query WallOpenReports($after: String) {
  reports(first: 100, after: $after, filter: { publicGroups: [WAITING, IN_PROCESS] }, orderBy: NEWEST) {
    pageInfo { hasNextPage endCursor }
    edges { node { ${REPORT_FIELDS} } }
  }
}`;
// Every wall sends this same document: the server executes it once per event for all of them.
const WALL_FEED = `subscription WallFeed($after: String) {
  reportEvents(after: $after) {
    cursor
    event { kind fromStatus toStatus createdAt }
    report { ${REPORT_FIELDS} }
  }
}`;
const OPEN = new Set(["SUBMITTED", "ACKNOWLEDGED", "IN_PROGRESS"]);
const STATUS_NAMES = {
  SUBMITTED: "Menunggu", ACKNOWLEDGED: "Diterima", IN_PROGRESS: "Diproses", RESOLVED: "Selesai",
  CLOSED: "Ditutup", REJECTED: "Ditolak", DUPLICATE: "Duplikat",
};
const KIND_NAMES = {
  FILED: "Laporan baru", STATUS_CHANGED: "Status berubah", ASSIGNED: "Ditugaskan",
  REROUTED: "Dialihkan", COMMENTED: "Catatan",
};
const MAX_PAGES = 50;
const TICKER_SIZE = 40;

const body = document.body;
const [minLat, minLon, maxLat, maxLon] = body.dataset.serviceArea.split(",").map(Number);
const timeZone = body.dataset.timezone || "Asia/Makassar";
const timeFormat = new Intl.DateTimeFormat("id-ID", { timeZone, hour: "2-digit", minute: "2-digit", second: "2-digit" });

const state = {
  reports: new Map(), // open reports by id: the map and the counts come from here
  lastCursor: null, // the newest event shown; resume after it
  done: 0,
};

// ---------------------------------------------------------------- reports and counts

const versions = new Map(); // report id -> updatedAt of the newest state seen, even once closed

function upsert(report) {
  const seen = versions.get(report.id);
  if (seen && seen > report.updatedAt) return; // never go back to an older state
  versions.set(report.id, report.updatedAt);
  if (OPEN.has(report.status)) state.reports.set(report.id, report);
  else state.reports.delete(report.id);
}

function isLate(report) {
  return Date.parse(report.dueAt) < Date.now();
}

function renderCounts() {
  const byStatus = new Map([...OPEN].map((s) => [s, 0]));
  const byAgency = new Map();
  let late = 0;
  for (const report of state.reports.values()) {
    byStatus.set(report.status, (byStatus.get(report.status) || 0) + 1);
    const agency = report.agency.code;
    byAgency.set(agency, (byAgency.get(agency) || 0) + 1);
    if (isLate(report)) late += 1;
  }
  text("count-open", state.reports.size);
  text("count-overdue", late);
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

function drawFrame() {
  const layer = svg("g", {});
  for (let lat = Math.ceil(minLat * 50) / 50; lat < maxLat; lat += 0.02) {
    const [, y] = project(lat, minLon);
    layer.append(svg("line", { class: "grid", x1: 0, y1: y, x2: WIDTH, y2: y }));
  }
  for (let lon = Math.ceil(minLon * 50) / 50; lon < maxLon; lon += 0.02) {
    const [x] = project(minLat, lon);
    layer.append(svg("line", { class: "grid", x1: x, y1: 0, x2: x, y2: HEIGHT }));
  }
  layer.append(svg("rect", { class: "frame", x: 0, y: 0, width: WIDTH, height: HEIGHT }));
  const label = svg("text", { class: "label", x: 8, y: 18 });
  label.textContent = `${minLat.toFixed(2)}…${maxLat.toFixed(2)}, ${minLon.toFixed(2)}…${maxLon.toFixed(2)}`;
  layer.append(label);
  return layer;
}

const frame = drawFrame();
const dots = svg("g", {});
map.append(frame, dots);
const fresh = new Set();

function renderMap() {
  dots.replaceChildren(...[...state.reports.values()].map((report) => {
    const [x, y] = project(report.location.lat, report.location.lon);
    const group = report.publicGroup === "WAITING" ? "waiting" : "in-process";
    const classes = [group, isLate(report) ? "late" : "", fresh.has(report.id) ? "fresh" : ""].join(" ");
    const dot = svg("circle", { cx: x.toFixed(1), cy: y.toFixed(1), r: 6, class: classes, "data-code": report.code });
    const title = svg("title", {});
    title.textContent = `${report.code} · ${report.title} · ${report.agency.code}`;
    dot.append(title);
    return dot;
  }));
  fresh.clear();
}

// ---------------------------------------------------------------- the ticker

function addToTicker(message) {
  const { event, report } = message;
  const li = document.createElement("li");
  li.className = event.kind;
  li.dataset.cursor = message.cursor;
  if (report) li.dataset.code = report.code;
  const what = event.kind === "STATUS_CHANGED"
    ? `${STATUS_NAMES[event.fromStatus] || event.fromStatus} → ${STATUS_NAMES[event.toStatus] || event.toStatus}`
    : KIND_NAMES[event.kind] || event.kind;
  const head = document.createElement("div");
  const code = document.createElement("span");
  code.className = "code";
  code.textContent = report ? report.code : "";
  head.append(code, ` ${what}`);
  const title = document.createElement("div");
  title.textContent = report ? report.title : "";
  const meta = document.createElement("div");
  meta.className = "meta";
  meta.textContent = `${timeFormat.format(new Date(event.createdAt))} · ${report ? `${report.category.name} · ${report.agency.code}` : ""}`;
  li.append(head, title, meta);
  const ticker = document.getElementById("ticker");
  ticker.prepend(li);
  while (ticker.children.length > TICKER_SIZE) ticker.lastElementChild.remove();
}

function onFeedMessage(message) {
  if (state.lastCursor !== null && BigInt(message.cursor) <= BigInt(state.lastCursor)) return;
  state.lastCursor = message.cursor;
  addToTicker(message);
  if (message.report) {
    if (message.event.kind === "FILED") fresh.add(message.report.id);
    upsert(message.report);
  }
  if (message.event.toStatus && !OPEN.has(message.event.toStatus)) state.done += 1;
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
  });
}

// ---------------------------------------------------------------- talking to Sigap

async function query(document, variables) {
  const response = await fetch("/graphql", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: document, variables }),
  });
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
  render();
}

function setConnection(stateName, label) {
  const badge = document.getElementById("connection");
  badge.dataset.state = stateName;
  badge.textContent = label;
}

let retryDelay = 500;
function connect() {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const socket = new WebSocket(`${scheme}//${location.host}/graphql`, "graphql-transport-ws");
  const send = (message) => socket.send(JSON.stringify(message));
  socket.onopen = () => send({ type: "connection_init", payload: {} });
  socket.onmessage = (frame) => {
    const message = JSON.parse(frame.data);
    if (message.type === "connection_ack") {
      retryDelay = 500;
      send({ id: "wall", type: "subscribe", payload: { query: WALL_FEED, variables: { after: state.lastCursor } } });
      setConnection("live", "langsung · live");
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
  socket.onclose = () => {
    setConnection("offline", "terputus · reconnecting");
    setTimeout(connect, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 5000);
  };
}

function tick() {
  text("clock", timeFormat.format(new Date()));
}

setInterval(tick, 1000);
setInterval(render, 10000); // overdue changes with time alone
setInterval(() => loadOpenReports().catch(console.error), 300000); // drift guard
tick();
connect();
loadOpenReports().catch((error) => console.error("could not load open reports", error));
