import type { PortalService } from './portal.config';

export interface PortalView {
  /** The frontend's Swagger UI (every service, one Authorize), always listed first. */
  frontend: PortalService;
  /** The key manager's own Swagger UI, listed next. */
  keyManager: PortalService;
  services: PortalService[];
  keycloak: { url: string; realm: string; clientId: string };
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => ESCAPES[character] ?? character);
}

/** JSON that is safe inside a <script> data block (no closing tag, no HTML comment opener). */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

/** The portal's Content-Security-Policy: its own script only, Keycloak as the one other origin it talks to. */
export function portalContentSecurityPolicy(view: PortalView): string {
  const keycloak = new URL(view.keycloak.url).origin;
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'unsafe-inline'",
    `connect-src ${keycloak}`,
    `frame-src 'self' ${keycloak}`,
    "frame-ancestors 'self'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

function serviceCard(service: PortalService, first: boolean, documentUrl = `${service.url}-json`): string {
  const url = escapeHtml(service.url);
  return `
      <li class="service${first ? ' first' : ''}">
        <a class="service-link" href="${url}">${escapeHtml(service.title)}</a>
        ${first ? '<span class="badge">start here: every service, one Authorize</span>' : ''}
        <span class="links"><a href="${url}">Swagger UI</a> ·
          <a href="${escapeHtml(documentUrl)}">OpenAPI JSON</a></span>
      </li>`;
}

/** The portal page: the frontend first, every service's own Swagger UI, how to get an API key, the Keycloak session. */
export function renderPortalPage(view: PortalView): string {
  const frontend = escapeHtml(view.frontend.url);
  const frontendBase = view.frontend.url.replace(/\/frontend\/docs$/, '');
  const exampleUrl = escapeHtml(`${frontendBase}/cadip/INS/session?platform=S1A`);
  const account = escapeHtml(`${view.keycloak.url}/realms/${encodeURIComponent(view.keycloak.realm)}/account`);
  const config = {
    keycloakUrl: view.keycloak.url,
    realm: view.keycloak.realm,
    clientId: view.keycloak.clientId,
  };
  const cards =
    serviceCard(view.frontend, true, `${frontendBase}/frontend/openapi.json`) +
    [view.keyManager, ...view.services].map((service) => serviceCard(service, false)).join('');
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>RS-Server services</title>
  <style>
    body { font-family: system-ui, sans-serif; margin: 0; color: #1b2a3a; background: #f5f7fa; }
    header {
      display: flex; justify-content: space-between; align-items: center; gap: 1rem; flex-wrap: wrap;
      padding: 1rem 2rem; background: #1b3a5c; color: #fff;
    }
    header h1 { margin: 0; font-size: 1.4rem; }
    #session { font-size: .95rem; text-align: right; }
    #session button {
      margin-left: .5rem; padding: .3rem .8rem; border: 1px solid #fff; border-radius: 4px; background: transparent;
      color: #fff; cursor: pointer;
    }
    #session-roles { display: block; font-size: .8rem; opacity: .85; }
    main { max-width: 60rem; margin: 0 auto; padding: 1rem 2rem 3rem; }
    section {
      background: #fff; border-radius: 6px; padding: 1rem 1.5rem; margin-top: 1.2rem;
      box-shadow: 0 1px 3px rgba(0,0,0,.08);
    }
    h2 { font-size: 1.15rem; margin-top: .2rem; }
    ul.services { list-style: none; padding: 0; margin: 0; }
    li.service {
      display: flex; flex-wrap: wrap; align-items: baseline; gap: .6rem; padding: .7rem 0;
      border-bottom: 1px solid #e4e8ee;
    }
    li.service:last-child { border-bottom: 0; }
    li.service .service-link { font-weight: 600; font-size: 1.05rem; }
    li.service .links { margin-left: auto; font-size: .9rem; }
    .badge { background: #e3f1e5; color: #1d6b2c; border-radius: 999px; padding: .1rem .6rem; font-size: .8rem; }
    ol li { margin: .35rem 0; }
    code, pre { background: #eef1f5; border-radius: 3px; padding: .1rem .3rem; }
    pre { padding: .7rem; overflow-x: auto; }
    a { color: #1b5aa6; }
  </style>
</head>
<body>
  <header>
    <h1>RS-Server services</h1>
    <div id="session">
      <span id="session-status">Checking your Keycloak session…</span>
      <span id="session-in" hidden>Logged in as <strong id="session-user"></strong><span id="session-name"></span>
        <button id="logout" type="button">Log out</button>
        <span id="session-roles"></span></span>
      <span id="session-out" hidden><button id="login" type="button">Log in</button></span>
    </div>
  </header>
  <main>
    <section>
      <h2>Services</h2>
      <ul class="services">${cards}
      </ul>
    </section>
    <section id="guide">
      <h2>How to get an API key</h2>
      <p>The quickest way: <a id="key-page-link" href="keys">My API keys</a>, a page to create, copy, rotate, renew and
        revoke your keys and see their usage. Or, in Swagger UI:</p>
      <ol>
        <li>Open the <a href="${frontend}">${escapeHtml(view.frontend.title)}</a> and click <strong>Authorize</strong>,
          then <strong>Authorize</strong> under <strong>keycloak</strong>, and log in with your RS-Server account on the
          Keycloak page.</li>
        <li>In <strong>API Key Manager</strong>, expand <strong>Create Api Key</strong>, click
          <strong>Try it out</strong>, give a <code>name</code> (set <code>never_expires</code> to <code>true</code>
          for a key that does not expire), click <strong>Execute</strong>.</li>
        <li>Copy the key (<code>"rsk_…"</code>) from the <strong>Response body</strong>. It is shown only once: the
          platform keeps only its hash.</li>
        <li>Click <strong>Authorize</strong> again (or a lock icon), paste the key under
          <strong>api-key (apiKey)</strong>, click <strong>Authorize</strong>: every Auxip, Cadip and catalog operation
          on the page now sends it.</li>
        <li>In scripts, notebooks, GDAL or QGIS, send it in the <code>x-api-key</code> header:
          <pre>curl -H "x-api-key: rsk_…" "${exampleUrl}"</pre></li>
        <li><strong>List My Api Keys</strong> shows your keys (never their values); <strong>Revoke Api Key</strong>
          stops a key everywhere within a second; <strong>Renew Api Key</strong> extends it.</li>
      </ol>
      <p>To use another account, click <strong>Log out</strong> above (it ends your Keycloak session), then Authorize
        again. Each Swagger UI keeps its own login until you click <strong>Logout</strong> in its Authorize dialog.
        Your Keycloak account: <a href="${account}">${account}</a>.</p>
    </section>
  </main>
  <script type="application/json" id="portal-config">${scriptJson(config)}</script>
  <script src="keycloak-login.js"></script>
  <script src="portal.js"></script>
</body>
</html>
`;
}
