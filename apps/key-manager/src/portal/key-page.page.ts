import { escapeHtml } from './portal.page';

/** Where the self-service key page is served; also its Keycloak redirect URI (the realm must allow it). */
export const KEY_PAGE_PATH = '/keys';

export interface KeyPageView {
  keycloak: { url: string; realm: string; clientId: string };
  /** The realm role that shows the administration section (its routes check it again). */
  adminRole: string;
  /** The default grace period of a rotation, in hours. */
  defaultGraceHours: number;
}

/**
 * The key page's Content-Security-Policy: its own script and stylesheet only (no inline script or style), calls to
 * its own origin (the key API) and Keycloak (tokens), frames for the silent session check.
 */
export function keyPageContentSecurityPolicy(view: KeyPageView): string {
  const keycloak = new URL(view.keycloak.url).origin;
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    `connect-src 'self' ${keycloak}`,
    `frame-src 'self' ${keycloak}`,
    "frame-ancestors 'self'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/** JSON that is safe inside a <script> data block (no closing tag, no HTML comment opener). */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

/**
 * The self-service key page: the skeleton the script (/keys.js) fills once Keycloak says who is there. Every
 * control is a native form element with a label, so it works with the keyboard and a screen reader.
 */
export function renderKeyPage(view: KeyPageView): string {
  const config = {
    keycloakUrl: view.keycloak.url,
    realm: view.keycloak.realm,
    clientId: view.keycloak.clientId,
    path: KEY_PAGE_PATH,
    adminRole: view.adminRole,
    defaultGraceHours: view.defaultGraceHours,
  };
  const grace = (hours: number, label: string) =>
    `<option value="${hours}"${hours === view.defaultGraceHours ? ' selected' : ''}>${escapeHtml(label)}</option>`;
  const graceOptions =
    grace(0, 'not at all') + grace(1, 'for 1 hour') + grace(24, 'for 24 hours') + grace(168, 'for 7 days');
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>My API keys · RS-Server</title>
  <link rel="stylesheet" href="keys.css">
</head>
<body>
  <header>
    <h1>My API keys</h1>
    <nav aria-label="Site"><a href="./">All RS-Server services</a></nav>
    <div id="session">
      <span id="session-status">Checking your Keycloak session…</span>
      <span id="session-in" hidden>Logged in as <strong id="session-user"></strong>
        <button id="logout" type="button">Log out</button></span>
    </div>
  </header>
  <main>
    <p id="status" role="status" aria-live="polite"></p>
    <section id="signed-out" hidden aria-labelledby="signed-out-title">
      <h2 id="signed-out-title">Log in to manage your API keys</h2>
      <p>Use your RS-Server Keycloak account. If you are already logged in on the portal or in Swagger UI, this page
        knows it.</p>
      <button id="login" type="button" class="primary">Log in with Keycloak</button>
    </section>
    <section id="create" hidden aria-labelledby="create-title">
      <h2 id="create-title">Create a key</h2>
      <form id="create-form">
        <div class="field">
          <label for="create-name">Name</label>
          <input id="create-name" name="name" required maxlength="128" autocomplete="off"
            aria-describedby="create-name-hint">
          <span id="create-name-hint" class="hint">What the key is for, e.g. my-notebook.</span>
        </div>
        <fieldset>
          <legend>Expiration</legend>
          <div class="row">
            <label><input type="radio" name="expiry" value="default" checked> Default lifetime</label>
            <label><input type="radio" name="expiry" value="date"> On a date</label>
            <label for="create-date" class="hint">Date (UTC)</label>
            <input id="create-date" type="date" disabled>
            <label><input type="radio" name="expiry" value="never"> Never</label>
          </div>
        </fieldset>
        <div class="field">
          <label for="create-rate">Requests per minute (optional)</label>
          <input id="create-rate" name="rate_limit_per_minute" type="number" min="1" step="1" inputmode="numeric"
            autocomplete="off" aria-describedby="create-rate-hint">
          <span id="create-rate-hint" class="hint">The most requests per minute the services accept with this key.
            Empty: no per-minute limit.</span>
        </div>
        <fieldset id="create-scopes" aria-describedby="create-scopes-hint">
          <legend>Scopes</legend>
          <p id="create-scopes-hint" class="hint">Tick the roles the key may use. None ticked: the key carries every
            role you hold, now and later.</p>
          <div id="create-scope-list" class="scopes"></div>
        </fieldset>
        <button type="submit" class="primary">Create key</button>
      </form>
      <div id="secret" hidden role="region" aria-labelledby="secret-title" tabindex="-1">
        <h3 id="secret-title">Your new key value</h3>
        <p id="secret-note">Copy it now: it is shown this once. The platform keeps only its hash.</p>
        <div class="row">
          <label for="secret-value">Key value</label>
          <input id="secret-value" readonly aria-describedby="secret-note">
          <button id="secret-copy" type="button">Copy</button>
          <button id="secret-close" type="button">Done</button>
        </div>
      </div>
    </section>
    <section id="mine" hidden aria-labelledby="mine-title">
      <h2 id="mine-title">My keys</h2>
      <div class="row">
        <label for="rotate-grace">When rotating, the old value keeps working</label>
        <select id="rotate-grace">${graceOptions}</select>
        <button id="refresh" type="button">Refresh</button>
      </div>
      <ul id="key-list" class="keys"></ul>
    </section>
    <section id="history" hidden aria-labelledby="history-title">
      <h2 id="history-title" tabindex="-1">History</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">Time (UTC)</th><th scope="col">Action</th><th scope="col">By</th><th scope="col">Reason</th>
          </tr>
        </thead>
        <tbody id="history-rows"></tbody>
      </table>
      <button id="history-close" type="button">Close history</button>
    </section>
    <section id="admin" hidden aria-labelledby="admin-title">
      <h2 id="admin-title">Administration</h2>
      <form id="admin-form" class="row">
        <label for="admin-user">User name or Keycloak id</label>
        <input id="admin-user" required autocomplete="off">
        <button type="submit">Find keys</button>
      </form>
      <div class="field">
        <label for="admin-reason">Reason for a revocation (kept in the audit trail)</label>
        <input id="admin-reason" maxlength="500" autocomplete="off">
      </div>
      <table id="admin-table" hidden>
        <caption id="admin-caption"></caption>
        <thead>
          <tr>
            <th scope="col">Name</th><th scope="col">Hint</th><th scope="col">State</th><th scope="col">Expires</th>
            <th scope="col">Requests</th><th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody id="admin-rows"></tbody>
      </table>
    </section>
  </main>
  <script type="application/json" id="key-page-config">${scriptJson(config)}</script>
  <script src="keycloak-login.js"></script>
  <script src="keys.js"></script>
</body>
</html>
`;
}
