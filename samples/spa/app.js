// ConnectIssuer sample SPA: the reference for calling ConnectIssuer from a browser app.
//
// Copy the three functions in "1. Calling ConnectIssuer" into your SPA: authHeaders(), callApi() and
// ProblemError. The rest of this file only renders results for the sample page.
//
// What every call looks like:
//   - POST (or GET for status/health) to `${API_BASE}/api/<route>`, JSON body or none;
//   - the caller is identified ONLY by its credential (bearer token); the customer is never sent in a body;
//   - 200 answers one JSON shape: { vendor, token, url, expiresAt, customerId, userId, connectionId, created }
//     (properties that do not apply are omitted);
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
 * Calls one ConnectIssuer route and returns the JSON answer, or throws ProblemError.
 * @param {"GET"|"POST"} method
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
}

document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("button[data-vendor], button[data-action]")) {
    const name = button.dataset.vendor ?? button.dataset.action;
    const panel = document.querySelector(`[data-result="${button.dataset.vendor ?? "integration-app"}"]`);
    button.addEventListener("click", () => run(name, panel));
  }
  showReturn();
  showHealth();
  loadChoices();
});
