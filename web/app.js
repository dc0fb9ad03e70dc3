/* Sparrow operations console: a single page over the JSON API.
 *
 * Hash routes: #/portfolio, #/apply, #/application/ID, #/reviews,
 * #/borrowers, #/borrower/ID, #/line/ID, #/loan/ID. The API key lives in
 * sessionStorage and goes out as a Bearer token; every request that moves
 * money or records a decision carries a fresh Idempotency-Key. Charts are
 * plain SVG. Everything shown comes from the server: the page computes
 * nothing about money. */
"use strict";

const $ = (sel) => document.querySelector(sel);
const view = () => $("#view");

function esc(s) {
  return String(s === undefined || s === null ? "" : s).replace(/[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
}

function idemKey() {
  if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
  return "k" + Date.now() + Math.random().toString(16).slice(2);
}

async function api(method, path, body) {
  const headers = { Authorization: "Bearer " + (sessionStorage.getItem("key") || "") };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    headers["Idempotency-Key"] = idemKey();
  }
  const r = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  let data = null;
  try { data = await r.json(); } catch (e) { data = null; }
  if (!r.ok) {
    const e = data && data.error ? data.error : { message: r.status + " " + r.statusText };
    throw new Error((e.field ? e.field + ": " : "") + e.message);
  }
  return data;
}

function fail(e) {
  view().insertAdjacentHTML("afterbegin", `<p class="error" id="error">${esc(e.message)}</p>`);
}

/* A horizontal bar chart: items [{label, value}], values >= 0. */
function bars(items, opts) {
  const w = 460, row = 22, left = 130, h = items.length * row + 8;
  const max = Math.max(1, ...items.map((i) => Math.abs(i.value)));
  let s = `<svg width="100%" viewBox="0 0 ${w} ${h}" role="img" aria-label="${esc(opts.title)}">`;
  items.forEach((it, k) => {
    const y = 4 + k * row, len = Math.round((w - left - 150) * Math.abs(it.value) / max);
    const cls = opts.signed ? (it.value < 0 ? "bar-neg" : "bar-pos") : "bar";
    s += `<text x="0" y="${y + 14}">${esc(it.label)}</text>`;
    s += `<rect class="${cls}" x="${left}" y="${y + 3}" width="${len}" height="14"></rect>`;
    s += `<text x="${left + len + 6}" y="${y + 14}">${esc(it.text !== undefined ? it.text : it.value)}</text>`;
  });
  return s + "</svg>";
}

function pill(decision) {
  return `<span class="pill ${esc(decision)}" id="decision">${esc(decision)}</span>`;
}

/* A donut of one share (0..1), with its percentage in the middle. */
function donut(share, title) {
  const r = 42, c = 2 * Math.PI * r, f = Math.max(0, Math.min(1, share || 0));
  return `<svg width="120" height="120" viewBox="0 0 120 120" role="img" aria-label="${esc(title)}">
    <circle cx="60" cy="60" r="${r}" fill="none" stroke="#d9dee7" stroke-width="16"></circle>
    <circle cx="60" cy="60" r="${r}" fill="none" stroke="#1a7f37" stroke-width="16"
      stroke-dasharray="${(f * c).toFixed(2)} ${c.toFixed(2)}" transform="rotate(-90 60 60)"></circle>
    <text class="donut-label" x="60" y="66" text-anchor="middle">${share === null ? "–" : (f * 100).toFixed(1) + "%"}</text></svg>`;
}

function today() {
  const d = new Date(), z = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${z(d.getMonth() + 1)}-${z(d.getDate())}`;
}

async function portfolio() {
  const p = await api("GET", "/v1/portfolio");
  const kpi = (l, v, id) => `<div class="card kpi"><div class="v" id="${id}">${esc(v)}</div><div class="l">${esc(l)}</div></div>`;
  const buckets = p.buckets.map((b) => ({ label: b.bucket, value: b.count, text: `${b.count} · ${b.outstanding}` }));
  const classes = p.classification.map((c) => ({ label: `${c.name_zh} ${c.class}`, value: c.count, text: `${c.count} · ${c.outstanding}` }));
  const a = p.applications;
  view().innerHTML = `<h1>Portfolio at a glance</h1>
    <div class="grid">
      ${kpi("Outstanding principal (CNY)", p.outstanding, "kpi-outstanding")}
      ${kpi("Open lines · limits " + p.limit, p.lines, "kpi-lines")}
      ${kpi("Draws today (count · CNY)", p.draws_today.count + " · " + p.draws_today.amount, "kpi-draws")}
      ${kpi("Overdue principal (CNY)", p.overdue, "kpi-overdue")}
    </div>
    <div class="grid">
      <div class="card"><h2>Approval rate</h2><div id="kpi-approval">${donut(a.approval_rate, "approval rate")}</div>
        <p class="muted" id="kpi-decisions">${esc(a.total)} applications: ${esc(a.approved)} approved, ${esc(a.referred)} waiting for review, ${esc(a.declined)} declined</p></div>
      <div class="card"><h2>Overdue buckets (count · outstanding)</h2><div id="chart-buckets">${bars(buckets, { title: "overdue buckets" })}</div></div>
      <div class="card"><h2>Five-category classification</h2><div id="chart-classes">${bars(classes, { title: "five-category classification" })}</div></div>
    </div>`;
}

function applyForm() {
  view().innerHTML = `<h1>New application</h1>
    <form class="stack card" id="apply-form">
      <label for="a-id">Application id</label><input id="a-id" required value="W${Date.now().toString(36).toUpperCase()}">
      <label for="a-borrower">Borrower id</label><input id="a-borrower" required>
      <label for="a-amount">Requested amount (CNY, optional)</label><input id="a-amount" placeholder="100000.00">
      <label for="a-values">The application's own values, one <code>name = value</code> per line (data from consented sources is read from the borrower's records)</label>
      <textarea id="a-values" rows="6"></textarea>
      <p><button type="submit" id="a-submit">Decide</button></p>
    </form>`;
  $("#apply-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const values = {};
    for (const line of $("#a-values").value.split("\n")) {
      const m = line.match(/^\s*([^=\s]+)\s*=\s*(.*?)\s*$/);
      if (m) values[m[1]] = /^-?\d+(\.\d+)?$/.test(m[2]) ? Number(m[2]) : m[2];
    }
    const body = { id: $("#a-id").value.trim(), borrower: $("#a-borrower").value.trim(), values };
    if ($("#a-amount").value.trim()) body.amount = $("#a-amount").value.trim();
    try {
      const a = await api("POST", "/v1/applications", body);
      location.hash = "#/application/" + encodeURIComponent(a.id);
    } catch (e) { fail(e); }
  });
}

async function application(id) {
  const a = await api("GET", "/v1/applications/" + encodeURIComponent(id));
  const most = Math.max(1, ...(a.composition || []).map((c) => Math.abs(c.points)));
  const comp = (a.composition || []).map((c) => `<tr><td>${esc(c.feature)}</td><td class="num">${esc(Math.round(c.points * 10) / 10)}</td>
    <td><div class="${c.points < 0 ? "hbar neg" : "hbar"}" style="width:${Math.round(100 * Math.abs(c.points) / most)}px"></div></td>
    <td class="muted">${esc(c.text.replace(c.feature + ": ", ""))}</td></tr>`).join("");
  const rules = (a.rules || []).map((r) => `<li>${esc(r)}</li>`).join("");
  const reasons = (a.reasons || []).map((r) => `<li>${esc(r)}</li>`).join("");
  const sources = (a.sources || []).map((s) => `<tr><td>${esc(s.source)}</td><td>${esc(s.consent)}</td><td>${s.data ? "used" : "no record"}</td></tr>`).join("");
  const review = a.review ? `<p id="review-done">Reviewed by ${esc(a.review.reviewer)} at ${esc(a.review.at)}: <span id="review-note-shown">${esc(a.review.note)}</span></p>` : "";
  let html = `<h1>Application ${esc(a.id)} · borrower <a href="#/borrower/${encodeURIComponent(a.borrower)}">${esc(a.borrower)}</a></h1>
    <div class="grid">
      <div class="card kpi"><div class="v"><span class="pill ${esc(a.status)}" id="status">${esc(a.status)}</span></div><div class="l">status · the engine decided <span id="engine">${esc(a.decision)}</span></div></div>
      <div class="card kpi"><div class="v" id="score">${esc(Math.round(a.score))}</div><div class="l">score · probability of default <span id="pd">${esc(Number(a.pd).toFixed(4))}</span></div></div>
      <div class="card kpi"><div class="v" id="limit">${esc(a.limit)}</div><div class="l">limit (CNY)${a.requested ? " · asked " + esc(a.requested) : ""}</div></div>
      <div class="card kpi"><div class="v" id="rate">${esc(a.annual_rate)}</div><div class="l">annual rate</div></div>
    </div>
    <div class="grid">
      <div class="card"><h2>What the borrower is told</h2><ol id="reasons">${reasons || "<li class=muted>No adverse reasons.</li>"}</ol>
        <h2>Policy rules fired</h2><ul id="rules">${rules || "<li class=muted>None.</li>"}</ul>${review}</div>
      <div class="card"><h2>Score composition (points by characteristic)</h2><table id="composition"><tr><th>Characteristic</th><th class="num">Points</th><th></th><th>Attribute (against its best)</th></tr>${comp || "<tr><td colspan=4 class=muted>None.</td></tr>"}</table>
        <h2>Data used, and the consent for it</h2><table id="sources"><tr><th>Source</th><th>Consent</th><th>Data</th></tr>${sources}</table></div>
    </div>`;
  if (a.status === "referred") {
    html += `<div class="card" id="review"><h2>Review</h2>
      <form class="stack" id="review-form"><label for="review-note">Note (why)</label><textarea id="review-note" rows="3"></textarea>
      <p><button type="button" id="review-approve">Approve</button> <button type="button" class="danger" id="review-decline">Decline</button></p></form></div>`;
  }
  if (a.status === "approved" && !a.line) {
    html += `<div class="card"><button id="open-line">Open a credit line at this limit and rate</button></div>`;
  } else if (a.line) {
    html += `<div class="card">Credit line <a id="line-link" href="#/line/${encodeURIComponent(a.line)}">${esc(a.line)}</a></div>`;
  }
  view().innerHTML = html;
  const decide = async (decision) => {
    try {
      await api("POST", "/v1/applications/" + encodeURIComponent(id) + "/review", { decision, note: $("#review-note").value });
      await application(id);
    } catch (e) { fail(e); }
  };
  if ($("#review-approve")) {
    $("#review-approve").onclick = () => decide("approve");
    $("#review-decline").onclick = () => decide("decline");
  }
  if ($("#open-line")) {
    $("#open-line").onclick = async () => {
      try {
        const l = await api("POST", "/v1/lines", { id: "L" + a.id, application: a.id, date: today() });
        location.hash = "#/line/" + encodeURIComponent(l.id);
      } catch (e) { fail(e); }
    };
  }
}

async function reviews() {
  const q = await api("GET", "/v1/applications?status=referred");
  const rows = q.applications.map((a) => `<tr><td><a href="#/application/${encodeURIComponent(a.id)}">${esc(a.id)}</a></td><td>${esc(a.borrower)}</td><td class="num">${esc(Math.round(a.score))}</td><td class="num">${esc(a.limit)}</td><td>${esc((a.reasons || [])[0] || "")}</td><td>${esc(a.created)}</td></tr>`).join("");
  view().innerHTML = `<h1>Review queue</h1><div class="card"><table id="queue"><tr><th>Application</th><th>Borrower</th><th class="num">Score</th><th class="num">Limit</th><th>First reason</th><th>Received</th></tr>${rows || "<tr><td colspan=6 class=muted>Nothing to review.</td></tr>"}</table></div>`;
}

async function borrowers() {
  const q = await api("GET", "/v1/borrowers");
  const rows = q.borrowers.map((b) => `<tr><td><a href="#/borrower/${encodeURIComponent(b.id)}">${esc(b.id)}</a></td><td>${esc(b.name)}</td><td>${esc(b.industry)}</td><td>${esc(b.region)}</td></tr>`).join("");
  view().innerHTML = `<h1>Borrowers</h1><div class="card"><table id="borrowers"><tr><th>Id</th><th>Name</th><th>Industry</th><th>Region</th></tr>${rows || "<tr><td colspan=4 class=muted>None yet.</td></tr>"}</table></div>`;
}

async function borrower(id) {
  const p = "/v1/borrowers/" + encodeURIComponent(id);
  const [b, c, l] = await Promise.all([api("GET", p), api("GET", p + "/consents"), api("GET", p + "/lines")]);
  let data = { records: [] };
  try { data = await api("GET", p + "/data"); } catch (e) { data = null; }
  const consents = c.consents.map((x) => `<tr><td>${esc(x.source)}</td><td>${esc((x.scope || []).join(", "))}</td><td>${esc(x.expires)}</td><td>${esc(x.status)}</td></tr>`).join("");
  const lines = l.lines.map((x) => `<tr><td><a href="#/${x.kind === "line" ? "line" : "loan"}/${encodeURIComponent(x.id)}">${esc(x.id)}</a></td><td>${esc(x.kind)}</td><td class="num">${esc(x.limit)}</td><td class="num">${esc(x.outstanding_principal)}</td><td>${esc(x.bucket)}</td><td>${esc(x.classification)}</td></tr>`).join("");
  const records = data ? (data.records || data.data || []).map((d) => `<tr><td>${esc(d.source)}</td><td>${esc(d.as_of)}</td><td><code>${esc(JSON.stringify(d.values))}</code></td></tr>`).join("") : "";
  view().innerHTML = `<h1>${esc(b.name)} <span class="muted">${esc(b.id)}</span></h1>
    <div class="grid"><div class="card"><h2>Identity</h2><table>
      <tr><th>Credit code / ID</th><td id="b-code">${esc(b.credit_code || b.id_number)}</td></tr>
      <tr><th>Legal representative</th><td>${esc(b.legal_rep)}</td></tr>
      <tr><th>Phone</th><td id="b-phone">${esc(b.phone)}</td></tr>
      <tr><th>Address</th><td>${esc(b.address)}</td></tr>
      <tr><th>Industry · region</th><td>${esc(b.industry)} · ${esc(b.region)}</td></tr></table></div>
    <div class="card"><h2>Data sources and consent</h2><table id="consents"><tr><th>Source</th><th>Scope</th><th>Expires</th><th>Status</th></tr>${consents || "<tr><td colspan=4 class=muted>No consent given.</td></tr>"}</table></div></div>
    <div class="card"><h2>Credit lines and loans</h2><table id="lines"><tr><th>Id</th><th>Kind</th><th class="num">Limit</th><th class="num">Outstanding</th><th>Bucket</th><th>Class</th></tr>${lines || "<tr><td colspan=6 class=muted>None.</td></tr>"}</table></div>
    ${data ? `<div class="card"><h2>Data records</h2><table id="records"><tr><th>Source</th><th>As of</th><th>Values</th></tr>${records || "<tr><td colspan=3 class=muted>None.</td></tr>"}</table></div>` : ""}`;
}

async function line(id) {
  const p = "/v1/lines/" + encodeURIComponent(id);
  const [l, st] = await Promise.all([api("GET", p), api("GET", p + "/statement")]);
  const rows = st.entries.map((e) => `<tr><td>${esc(e.time)}</td><td>${esc(e.type)}${e.pending ? " (pending)" : ""}</td><td class="num">${esc(e.amount)}</td></tr>`).join("");
  view().innerHTML = `<h1>Line ${esc(l.id)} <span class="muted">${esc(l.borrower || "")} · ${esc(l.status)}</span></h1>
    <div class="grid">
      <div class="card kpi"><div class="v" id="l-limit">${esc(l.limit)}</div><div class="l">limit · available <span id="l-available">${esc(l.available)}</span></div></div>
      <div class="card kpi"><div class="v" id="l-outstanding">${esc(l.outstanding_principal)}</div><div class="l">outstanding principal</div></div>
      <div class="card kpi"><div class="v">${esc(l.accrued_interest)}</div><div class="l">interest accrued, unpaid · penalty ${esc(l.penalty)}</div></div>
      <div class="card kpi"><div class="v" id="l-apr">${esc(l.annualized_rate)}</div><div class="l">annualized rate (daily ${esc(l.daily_rate)}) · ${esc(l.days_past_due)} days past due · ${esc(l.classification)}</div></div>
    </div>
    <div class="card"><form id="money-form" class="stack"><label for="m-amount">Amount (CNY)</label><input id="m-amount">
      <p><button type="button" id="m-draw">Draw</button> <button type="button" class="secondary" id="m-repay">Repay</button></p></form></div>
    <div class="card"><h2>Statement</h2><table id="statement"><tr><th>Time</th><th>Entry</th><th class="num">Amount</th></tr>${rows || "<tr><td colspan=3 class=muted>No entries.</td></tr>"}</table></div>`;
  const move = (what) => async () => {
    try {
      await api("POST", p + "/" + what, { amount: $("#m-amount").value.trim() });
      await line(id);
    } catch (e) { fail(e); }
  };
  $("#m-draw").onclick = move("draws");
  $("#m-repay").onclick = move("repayments");
}

async function loan(id) {
  const p = "/v1/loans/" + encodeURIComponent(id);
  const [l, s] = await Promise.all([api("GET", p), api("GET", p + "/schedule")]);
  const rows = s.installments.map((i) => `<tr>${Object.values(i).map((v) => `<td>${esc(v)}</td>`).join("")}</tr>`).join("");
  const head = s.installments.length ? Object.keys(s.installments[0]).map((k) => `<th>${esc(k)}</th>`).join("") : "";
  view().innerHTML = `<h1>Term loan ${esc(l.id)} <span class="muted">${esc(l.method)} · ${esc(l.term_months)} months</span></h1>
    <div class="grid">
      <div class="card kpi"><div class="v">${esc(l.outstanding_principal)}</div><div class="l">outstanding of ${esc(l.limit)}</div></div>
      <div class="card kpi"><div class="v">${esc(l.annualized_rate)}</div><div class="l">annualized rate (IRR, fees included)</div></div>
    </div>
    <div class="card"><h2>Schedule</h2><table id="schedule"><tr>${head}</tr>${rows}</table></div>`;
}

const routes = [
  [/^#\/portfolio$/, portfolio], [/^#\/apply$/, applyForm], [/^#\/reviews$/, reviews],
  [/^#\/borrowers$/, borrowers], [/^#\/application\/(.+)$/, application],
  [/^#\/borrower\/(.+)$/, borrower], [/^#\/line\/(.+)$/, line], [/^#\/loan\/(.+)$/, loan],
];

function route() {
  const h = location.hash || "#/portfolio";
  document.querySelectorAll("nav a").forEach((a) => a.classList.toggle("active", a.getAttribute("href") === h));
  if (!sessionStorage.getItem("key")) return;
  for (const [re, fn] of routes) {
    const m = h.match(re);
    if (m) {
      view().innerHTML = "<p class=muted>Loading…</p>";
      Promise.resolve(fn(...m.slice(1).map(decodeURIComponent))).catch(fail);
      return;
    }
  }
  view().innerHTML = "<p class=muted>Not found.</p>";
}

$("#key-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  sessionStorage.setItem("key", $("#api-key").value.trim());
  try {
    const me = await api("GET", "/v1/me");
    $("#key-role").textContent = me.role;
    route();
  } catch (e) {
    $("#key-role").textContent = "";
    fail(e);
  }
});
window.addEventListener("hashchange", route);
route();
