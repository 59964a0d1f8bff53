/** Where the frontend lives on the key manager; the Helm chart's ingress and the local proxy route "/" here. */
export const FRONTEND_DOCS_PATH = '/frontend/docs';
export const FRONTEND_DOCUMENT_PATH = '/frontend/openapi.json';
export const FRONTEND_SCRIPT_PATH = '/frontend/frontend.js';

export interface FrontendView {
  /** Public client Swagger UI logs in with (authorization code + PKCE). */
  clientId: string;
}

/** JSON that is safe inside a <script> data block (no closing tag, no HTML comment opener). */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

/**
 * The frontend: one Swagger UI over every service's operations. It reuses the Swagger UI files the key manager
 * serves under /docs (and its OAuth2 callback page), so it needs nothing but the routing in front of it.
 */
export function renderFrontendPage(view: FrontendView): string {
  const config = { documentUrl: FRONTEND_DOCUMENT_PATH, clientId: view.clientId };
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>RS-Server</title>
  <link rel="stylesheet" href="/docs/swagger-ui.css">
  <style>body { margin: 0; }</style>
</head>
<body>
  <div id="swagger-ui"></div>
  <script type="application/json" id="frontend-config">${scriptJson(config)}</script>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script src="${FRONTEND_SCRIPT_PATH}"></script>
</body>
</html>
`;
}
