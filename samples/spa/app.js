// ConnectIssuer sample SPA: the reference for calling ConnectIssuer from a browser app.
//
// Copy the three functions in "1. Calling ConnectIssuer" into your SPA: authHeaders(), callApi() and
// ProblemError. The rest of this file only renders results for the sample page.
//
// What every call looks like:
//   - POST (GET for connections/status/health, DELETE to disconnect) to `${API_BASE}/api/<route>`, JSON body or none;
//   - the caller is identified ONLY by its credential (bearer token); the customer is never sent in a body;
//   - 200 answers one JSON shape: { vendor, token, url, expiresAt, customerId, userId, connectionId, created }
//     (properties that do not apply are omitted); GET connections answers { customerId, connections, vendors };
//     DELETE answers 204 with no body;
//   - every error is RFC 9457 application/problem+json with a stable `code`: branch on `code`, not on text.
//   - nothing is cached: answers carry Cache-Control: no-store; don't keep tokens or links in localStorage.

// ---------------------------------------------------------------------------------------------------
// 1. Calling ConnectIssuer
// ---------------------------------------------------------------------------------------------------

/** Where ConnectIssuer runs. Same origin here; in your SPA e.g. "https://<your-function-app>.azurewebsites.net". */
const API_BASE = "";

/**
 * The headers that identify the signed-in user.
 *
 * PRODUCTION (Auth:Mode=Oidc): send your identity provider's access token for ConnectIssuer's audience, e.g. with
 * MSAL.js:
 *
 *   const { accessToken } = await msal.acquireTokenSilent({ scopes: ["api://connect-issuer/.default"], account });
 *   return { Authorization: `Bearer ${accessToken}` };
 *
 * The customer (tenant) comes from a claim in that token (Auth:CustomerIdClaim, e.g. org_id), admin rights from
 * Auth:AdminRoleClaim. Under App Service Authentication (Auth:Mode=EasyAuth) the platform adds the identity itself.
 *
 * DEVELOPMENT ONLY (Auth:Mode=Development, refused outside the Development environment): the caller is named by
 * X-Customer-* headers, taken here from the "Signed in as" form.
 */
async function authHeaders() {
  const headers = { "X-Customer-Id": field("customer-id").value.trim() };
  const name = field("customer-name").value.trim();
  if (name) headers["X-Customer-Name"] = name;
  if (field("customer-admin").checked) headers["X-Customer-Admin"] = "true";
  return headers;
}

/** A problem response (RFC 9457) from ConnectIssuer, or a network failure shaped like one. */
class ProblemError extends Error {
  constructor(problem, retryAfterSeconds) {
    super(`${problem.code ?? "http_" + problem.status}: ${problem.detail ?? problem.title ?? ""}`);
    this.problem = problem; // { type, title, status, detail, code, traceId, errors? }
    this.retryAfterSeconds = retryAfterSeconds; // from Retry-After on 429 rate_limited and 503 vendor_throttled
  }
}

/**
 * Calls one ConnectIssuer route and returns the JSON answer (null for 204 No Content), or throws ProblemError.
 * @param {"GET"|"POST"|"DELETE"} method
 * @param {string} route e.g. "fivetran/connect-card"
 * @param {object} [body] JSON body; omit for routes that take none
 */
async function callApi(method, route, body) {
  const headers = { ...(await authHeaders()), Accept: "application/json, application/problem+json" };
  const init = { method, headers, cache: "no-store", credentials: "omit" };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json"; // anything else is 415 unsupported_media_type
    init.body = JSON.stringify(body); // at most 16 KiB, else 413 payload_too_large
  }

  let response;
  try {
    response = await fetch(`${API_BASE}/api/${route}`, init);
  } catch (error) {
    // Network failure or CORS refusal (your SPA's origin must be in AllowedOrigins).
    throw new ProblemError({ status: 0, title: "Network error", detail: String(error), code: "network_error" });
  }

  if (response.status === 204) return null; // DELETE connections/{vendor}/{id}

  const contentType = response.headers.get("Content-Type") ?? "";
  const json = contentType.includes("json") ? await response.json().catch(() => null) : null;
  if (response.ok && json) return json;

  // Problems carry `code`. Typical handling:
  //   unauthenticated (401)                   → get a fresh token (or sign in again), then retry once
  //   forbidden (403)                         → the user lacks the role / the service or type is not allowed
  //   rate_limited (429), vendor_throttled    → wait retryAfterSeconds, then retry
  //   vendor_timeout (504), vendor_error (502)→ show "try again"; retrying later is safe
  //   vendor_not_configured, secrets_unavailable (503) → an operator must act; show a plain message
  //   redirect_not_allowed (400)              → your redirect URL's origin is not in AllowedOrigins (a config bug)
  //   invalid_request (400)                   → `errors` maps each field to messages
  const retryAfter = Number.parseInt(response.headers.get("Retry-After") ?? "", 10);
  const problem = json ?? { status: response.status, title: response.statusText, detail: "No problem body." };
  throw new ProblemError({ status: response.status, ...problem }, Number.isFinite(retryAfter) ? retryAfter : undefined);
}

/**
 * Opens a window synchronously inside the click (popup blockers allow that), then sends it to the vendor's link
 * once ConnectIssuer answers, or closes it on failure. The opener reference is cut first so the vendor page can't
 * navigate this app (reverse tabnabbing).
 */
async function openVendorLink(getLink) {
  const popup = window.open("", "_blank");
  try {
    const answer = await getLink();
    if (popup) {
      popup.opener = null;
      popup.location.replace(answer.url);
    }
    return answer;
  } catch (error) {
    popup?.close();
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------------
// 2. The four flows
// ---------------------------------------------------------------------------------------------------

/** The redirect URL a vendor page sends the customer back to: an origin listed in AllowedOrigins. */
const returnUrl = (vendor) => `${location.origin}${location.pathname}?connected=${encodeURIComponent(vendor)}`;

const flows = {
  // Integration.app: hand `token` to the SDK, e.g. new IntegrationAppClient({ fetchToken: () => getToken() }).
  // Decoding it here is for display only: the SPA must not trust or verify it; the vendor does.
  "integration-app": async () => {
    const answer = await callApi("POST", "integration-app/token");
    const { header, claims } = decodeJwt(answer.token);
    return [["customerId", answer.customerId], ["expiresAt", answer.expiresAt], ["header", json(header)], ["claims", json(claims)]];
  },

  "integration-app-admin": async () => {
    const answer = await callApi("POST", "integration-app/admin-token");
    return [["expiresAt", answer.expiresAt], ["claims", json(decodeJwt(answer.token).claims)]];
  },

  // Alloy: Alloy.setToken(answer.token); the user is found or created from the caller's customer id.
  alloy: async () => {
    const answer = await callApi("POST", "alloy/token");
    return [["userId", answer.userId], ["customerId", answer.customerId], ["expiresAt", answer.expiresAt], ["token", answer.token]];
  },

  // Fivetran: open answer.url (the Connect Card). `created` is false when the customer's existing connection
  // for that service was reused. GET fivetran/connections/{connectionId} tells the setup state afterwards.
  fivetran: async () => {
    const service = field("fivetran-service").value;
    const answer = await openVendorLink(() => callApi("POST", "fivetran/connect-card", { service, redirectUri: returnUrl("fivetran") }));
    lastFivetranConnection = answer.connectionId;
    return [["url", answer.url], ["connectionId", answer.connectionId], ["created", String(answer.created)], ["expiresAt", answer.expiresAt]];
  },

  "fivetran-status": async () => {
    const answer = await callApi("GET", `fivetran/connections/${encodeURIComponent(lastFivetranConnection)}`);
    return [["connectionId", answer.connectionId], ["service", answer.service], ["setupState", answer.setupState], ["syncState", answer.syncState]];
  },

  // Polytomic: open answer.url; answer.token is the single-use session id. `types: []` offers every allowed type;
  // pass `connectionId` to reconnect one of the customer's connections.
  polytomic: async () => {
    const answer = await openVendorLink(() => callApi("POST", "polytomic/connect", { types: [], redirectUrl: returnUrl("polytomic") }));
    return [["url", answer.url], ["token", answer.token], ["connectionId", answer.connectionId]];
  },
};

let lastFivetranConnection = null;

// ---------------------------------------------------------------------------------------------------
// 2b. Connections: what the customer has connected, disconnect and reconnect
// ---------------------------------------------------------------------------------------------------

/**
 * Membrane's UI, where its reconnect link points. The sandbox simulates it (GET /sample/config says where); in your SPA
 * use the UI host of your Membrane (Integration.app) workspace: this default is not confirmed by Membrane's docs.
 */
const MEMBRANE_UI_BASE = "https://ui.integration.app";
let membraneUiBase = MEMBRANE_UI_BASE;

/**
 * GET /api/connections: { customerId, connections: [{ vendor, connectionId, kind, label?, status, detail?, createdAt? }],
 * vendors: { integrationApp|alloy|fivetran|polytomic: "ok"|"not-configured"|"unavailable" } }. One vendor's failure is
 * "unavailable" for that vendor only; the answer is still 200. `vendors` (route-style names) narrows the call.
 */
function listConnections(vendors = []) {
  const query = vendors.map((vendor) => `vendor=${encodeURIComponent(vendor)}`).join("&");
  return callApi("GET", query ? `connections?${query}` : "connections");
}

/** DELETE /api/connections/{vendor}/{connectionId}: 204; someone else's or an unknown id is 404 not_found. */
function disconnect(connection) {
  return callApi("DELETE", `connections/${encodeURIComponent(connection.vendor)}/${encodeURIComponent(connection.connectionId)}`);
}

/** The reconnect action of each vendor that has one (Alloy has none: disconnect, then connect again). */
const reconnects = {
  // The customer's connection for that service is reused (created: false) and its Connect Card opened.
  fivetran: (connection) =>
    openVendorLink(() => callApi("POST", "fivetran/connect-card", { service: connection.kind, redirectUri: returnUrl("fivetran") })),
  // A Connect session for the existing connection (it keeps its name; any allowed type).
  polytomic: (connection) =>
    openVendorLink(() => callApi("POST", "polytomic/connect", { types: [], connectionId: connection.connectionId, redirectUrl: returnUrl("polytomic") })),
  // Membrane's reconnect link carries a customer token for the signed-in customer, as the SDK would get it.
  "integration-app": (connection) =>
    openVendorLink(async () => {
      const { token } = await callApi("POST", "integration-app/token");
      const url = `${membraneUiBase}/embed/connections/${encodeURIComponent(connection.connectionId)}/refresh?token=${encodeURIComponent(token)}`;
      return { url };
    }),
};

// ---------------------------------------------------------------------------------------------------
// 3. Rendering (sample page only)
// ---------------------------------------------------------------------------------------------------

function field(id) {
  return document.getElementById(id);
}

const json = (value) => JSON.stringify(value, null, 2);

/** Decodes a compact JWS for display (base64url header and payload). Never a substitute for verification. */
function decodeJwt(token) {
  const part = (segment) => {
    const base64 = segment.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(segment.length / 4) * 4, "=");
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes));
  };
  const [header, payload] = token.split(".");
  return { header: part(header), claims: part(payload) };
}

/** Shows rows of [label, value] in a result panel; values are text, never HTML. URLs become links. */
function showRows(panel, outcome, rows) {
  panel.dataset.outcome = outcome;
  const list = document.createElement("dl");
  for (const [label, value] of rows) {
    if (value === undefined || value === null || value === "undefined") continue;
    const dt = document.createElement("dt");
    dt.textContent = label;
    const dd = document.createElement("dd");
    dd.dataset.field = label;
    if (label === "url") {
      const link = document.createElement("a");
      link.href = value;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      link.textContent = value;
      dd.append(link);
    } else if (String(value).includes("\n")) {
      const pre = document.createElement("pre");
      pre.textContent = value;
      dd.append(pre);
    } else {
      dd.textContent = value;
    }
    list.append(dt, dd);
  }
  panel.replaceChildren(list);
}

function showProblem(panel, error) {
  const problem = error instanceof ProblemError ? error.problem : { status: 0, title: "Error", detail: String(error) };
  const rows = [["status", String(problem.status)], ["code", problem.code ?? "(none)"], ["title", problem.title], ["detail", problem.detail]];
  if (problem.errors) rows.push(["errors", json(problem.errors)]);
  if (error.retryAfterSeconds !== undefined) rows.push(["retryAfter", `${error.retryAfterSeconds} s`]);
  if (problem.traceId) rows.push(["traceId", problem.traceId]);
  showRows(panel, "problem", rows);
}

async function run(name, panel) {
  panel.dataset.outcome = "loading";
  panel.textContent = "…";
  try {
    showRows(panel, "ok", await flows[name]());
    if (name === "fivetran") addStatusButton(panel);
  } catch (error) {
    showProblem(panel, error);
  }
}

function addStatusButton(panel) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "secondary";
  button.dataset.action = "fivetran-status";
  button.textContent = "Check connection status";
  const output = document.createElement("div");
  output.className = "result";
  output.dataset.result = "fivetran-status";
  button.addEventListener("click", () => run("fivetran-status", output));
  panel.append(button, output);
}

/** Shows the customer's connections: text only (vendor data never becomes HTML). */
function showConnections(answer) {
  const availability = Object.entries(answer.vendors ?? {}).map(([vendor, state]) => {
    const item = document.createElement("li");
    item.dataset.availabilityOf = vendor;
    item.dataset.availability = state;
    item.textContent = `${vendor}: ${state}`;
    return item;
  });
  field("connections-vendors").replaceChildren(...availability);

  const rows = (answer.connections ?? []).map((connection) => {
    const row = document.createElement("tr");
    row.dataset.connectionVendor = connection.vendor;
    row.dataset.connectionId = connection.connectionId;
    for (const [name, value] of [["vendor", connection.vendor], ["kind", connection.kind], ["label", connection.label],
      ["status", connection.status], ["detail", connection.detail], ["createdAt", connection.createdAt]]) {
      const cell = document.createElement("td");
      cell.dataset.field = name;
      cell.textContent = value ?? "";
      if (name === "status") cell.dataset.status = connection.status;
      row.append(cell);
    }
    const actions = document.createElement("td");
    if (reconnects[connection.vendor]) actions.append(connectionButton("Reconnect", "reconnect", () => reconnect(connection)));
    actions.append(connectionButton("Disconnect", "disconnect", (button) => remove(connection, button)));
    row.append(actions);
    return row;
  });
  if (rows.length === 0) {
    const row = document.createElement("tr");
    const cell = document.createElement("td");
    cell.colSpan = 7;
    cell.textContent = "No connections yet.";
    row.append(cell);
    rows.push(row);
  }
  field("connections").tBodies[0].replaceChildren(...rows);
}

function connectionButton(text, action, onClick) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "secondary";
  button.dataset.connectionAction = action;
  button.textContent = text;
  button.addEventListener("click", () => onClick(button));
  return button;
}

const connectionsPanel = () => document.querySelector("[data-result='connections']");
let connectionsLoading = null;

/** Reads the list again (one call at a time; a refresh asked for meanwhile waits for it and runs after). */
async function refreshConnections() {
  const table = field("connections");
  while (connectionsLoading) await connectionsLoading.catch(() => {});
  table.dataset.outcome = "loading";
  connectionsLoading = listConnections();
  try {
    showConnections(await connectionsLoading);
    table.dataset.outcome = "ok";
  } catch (error) {
    table.dataset.outcome = "problem";
    showProblem(connectionsPanel(), error);
  } finally {
    connectionsLoading = null;
  }
}

async function remove(connection, button) {
  button.disabled = true;
  try {
    await disconnect(connection);
    showRows(connectionsPanel(), "ok", [["disconnected", `${connection.vendor} ${connection.connectionId}`]]);
  } catch (error) {
    showProblem(connectionsPanel(), error);
  } finally {
    button.disabled = false;
  }
  await refreshConnections();
}

async function reconnect(connection) {
  const panel = connectionsPanel();
  try {
    const answer = await reconnects[connection.vendor](connection);
    // Membrane's link carries a customer token: opened, not shown.
    const rows = [["reconnecting", `${connection.vendor} ${connection.connectionId}`]];
    if (connection.vendor !== "integration-app") rows.push(["url", answer.url]);
    showRows(panel, "ok", rows);
  } catch (error) {
    showProblem(panel, error);
  }
}

/**
 * Vendor pages send the customer back to this page (?connected=<vendor>), usually in the window the flow was opened in.
 * That page tells the other windows of this app, which then read the list again; a window also refreshes when it is
 * shown again.
 */
const connectionsChannel = "BroadcastChannel" in window ? new BroadcastChannel("connectissuer-connections") : null;

async function showHealth() {
  const health = field("health");
  try {
    const response = await fetch(`${API_BASE}/api/health`, { cache: "no-store" });
    const body = await response.json();
    health.dataset.outcome = "ok";
    health.textContent = `${body.status} · version ${body.version} · ` +
      Object.entries(body.vendors).map(([vendor, state]) => `${vendor}: ${state}`).join(" · ");
  } catch (error) {
    health.dataset.outcome = "problem";
    health.textContent = `Health check failed: ${error}`;
  }
}

/** The choices this server allows (GET /sample/config, served with this sample in Development only). */
async function loadChoices() {
  let config = { fivetranServices: [], polytomicTypes: [] };
  try {
    const response = await fetch("/sample/config", { cache: "no-store" });
    if (response.ok) config = await response.json();
  } catch {
    // keep the sample values below
  }
  if (config.membraneUiBase) membraneUiBase = config.membraneUiBase;
  const services = config.fivetranServices.length ? config.fivetranServices : ["salesforce"];
  field("fivetran-service").replaceChildren(...services.map((s) => new Option(s, s)));
  field("polytomic-types").textContent = config.polytomicTypes.length ? config.polytomicTypes.join(", ") : "none configured";
}

function showReturn() {
  const vendor = new URLSearchParams(location.search).get("connected");
  if (!vendor) return;
  const note = field("returned");
  note.hidden = false;
  note.textContent = `Back from ${vendor}: the vendor page sent the customer to the redirect URL.`;
  connectionsChannel?.postMessage({ returnedFrom: vendor });
}

document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("button[data-vendor], button[data-action]")) {
    const name = button.dataset.vendor ?? button.dataset.action;
    const panel = document.querySelector(`[data-result="${button.dataset.vendor ?? "integration-app"}"]`);
    button.addEventListener("click", () => run(name, panel));
  }
  field("connections-refresh").addEventListener("click", () => refreshConnections());
  field("caller").addEventListener("change", () => refreshConnections());
  connectionsChannel?.addEventListener("message", () => refreshConnections());
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") refreshConnections();
  });
  showReturn();
  showHealth();
  loadChoices();
  refreshConnections();
});
