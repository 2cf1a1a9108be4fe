"""The live console's page: static HTML and a script that renders polled JSON as text.

The page contains no lab data at all; the script fetches it and writes every value with
`textContent`, so a principal named `<img onerror=…>` is shown, not run. The link's token is moved
from the address bar into sessionStorage at load, so a projected console does not show it.
"""

from __future__ import annotations

FORBIDDEN = (
    "<!doctype html><title>keyless-lab console</title><p>The lab console needs the link with its token: "
    "print <code>lab.console_url</code> in the notebook, or copy the link <code>keyless-lab serve</code> printed.</p>"
)

STYLE = """
body { font-family: system-ui, sans-serif; margin: 1rem 1.5rem; color: #1b1b1b; background: #fafafa; }
h1 { font-size: 1.3rem; margin: 0 0 .2rem; } h2 { font-size: 1.05rem; margin: 1.2rem 0 .4rem; }
#status { color: #555; font-size: .9rem; }
.grid { display: grid; grid-template-columns: minmax(0, 5fr) minmax(0, 7fr); gap: 1.5rem; }
table { border-collapse: collapse; width: 100%; font-size: .85rem; background: white; }
th, td { text-align: left; padding: .25rem .45rem; border-bottom: 1px solid #e3e3e3; vertical-align: top;
         overflow-wrap: anywhere; }
th { background: #f0f0f0; white-space: nowrap; } #audit td:first-child { white-space: nowrap; }
code, .id { font-family: ui-monospace, monospace; font-size: .8rem; }
.badge { display: inline-block; padding: 0 .4rem; border-radius: .6rem; font-size: .75rem; white-space: nowrap; }
.k-token { background: #e4efff; color: #0b4aa2; } .k-model { background: #e7f6ea; color: #11652a; }
.k-admin { background: #f3e8ff; color: #6b2aa8; }
.ok { color: #11652a; } .err { color: #b00020; font-weight: bold; }
.good { color: #11652a; font-weight: bold; } .warn { color: #b00020; font-weight: bold; }
"""

SCRIPT = """
"use strict";
const params = new URLSearchParams(location.search);
if (params.get("token")) {
  sessionStorage.setItem("keyless-lab-console-token", params.get("token"));
  history.replaceState(null, "", location.pathname);
}
const token = sessionStorage.getItem("keyless-lab-console-token") || "";
let next = 0;
const audit = [];

function el(tag, text, cls) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (cls) node.className = cls;
  return node;
}
function table(id, columns, rows) {
  const target = document.getElementById(id);
  const t = el("table");
  const head = el("tr");
  for (const c of columns) head.appendChild(el("th", c));
  t.appendChild(el("thead")).appendChild(head);
  const body = el("tbody");
  for (const row of rows) {
    const tr = el("tr");
    for (const cell of row) tr.appendChild(cell instanceof Node ? wrap(cell) : el("td", cell));
    body.appendChild(tr);
  }
  t.appendChild(body);
  target.replaceChildren(t);
}
function wrap(node) { const td = el("td"); td.appendChild(node); return td; }
function badge(kind) {
  const cls = kind === "token request" ? "k-token" : kind === "admin" ? "k-admin" : "k-model";
  return el("span", kind, "badge " + cls);
}
function render(data) {
  const r = data.resource;
  const keys = document.getElementById("keys");
  const keyText = r.keys_enabled ? "keys enabled" : "keys disabled (disableLocalAuth)";
  keys.replaceChildren(el("span", r.name + ": "), el("span", keyText, r.keys_enabled ? "warn" : "good"));
  table("principals", ["principal", "kind", "object id", "client id"],
        data.principals.map(p => [p.name, p.kind, el("span", p.object_id, "id"),
                                  el("span", p.client_id, "id")]));
  table("roles", ["principal", "role", "scope"],
        data.role_assignments.map(a => [a.principal, a.role,
                                        el("span", a.scope.split("/").slice(-2).join("/"), "id")]));
  table("deployments", ["deployment", "model"], r.deployments.map(d => [d.name, d.model]));
  for (const row of data.audit) audit.push(row);
  audit.splice(0, Math.max(0, audit.length - 500));
  table("audit", ["s", "kind", "service", "operation", "principal", "credential", "status"],
        audit.slice().reverse().map(a => [
          a.seconds.toFixed(1), badge(a.kind), a.service,
          a.deployment && !a.operation.includes(a.deployment) ? a.operation + " \u2192 " + a.deployment : a.operation,
          a.principal, a.credential || a.auth, el("span", a.status, a.status < 300 ? "ok" : "err")]));
  next = data.next;
}
async function poll() {
  try {
    const response = await fetch("/_lab/console/state?since=" + next,
                                 {headers: {"X-Keyless-Lab-Console-Token": token}, cache: "no-store"});
    const status = document.getElementById("status");
    if (response.status === 403) { status.textContent = "This link's token is not valid for this lab."; return; }
    render(await response.json());
    status.textContent = "live \u00b7 " + audit.length + " calls \u00b7 updated " + new Date().toLocaleTimeString();
  } catch (e) {
    document.getElementById("status").textContent = "the lab is not answering (stopped?) \u2014 retrying";
  }
  setTimeout(poll, 1000);
}
poll();
"""


def page(nonce: str) -> str:
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>keyless-lab console</title>
<style nonce="{nonce}">{STYLE}</style></head>
<body>
<h1>keyless-lab live console</h1>
<div id="status">connecting…</div>
<div class="grid">
<section>
<h2>Directory</h2>
<div id="keys"></div>
<h2>Principals</h2><div id="principals"></div>
<h2>Role assignments</h2><div id="roles"></div>
<h2>Deployments</h2><div id="deployments"></div>
</section>
<section>
<h2>Audit log: token requests and model calls, newest first</h2><div id="audit"></div>
</section>
</div>
<script nonce="{nonce}">{SCRIPT}</script>
</body></html>
"""
