/**
 * The frontend's browser script (plain ES2020), served at /frontend/frontend.js: starts Swagger UI on the
 * aggregated document with Keycloak login (authorization code + PKCE, redirect on this origin) and the API key
 * in one Authorize dialog. While a key is authorized, a guarded service's request carries the key alone: the
 * guard prefers a bearer token, so a user who pasted a key would otherwise never see it used (nor revoked).
 */
export const FRONTEND_SCRIPT = String.raw`(function () {
  'use strict';
  var config = JSON.parse(document.getElementById('frontend-config').textContent);
  window.ui = SwaggerUIBundle({
    url: config.documentUrl,
    dom_id: '#swagger-ui',
    deepLinking: true,
    persistAuthorization: true,
    displayRequestDuration: true,
    oauth2RedirectUrl: location.origin + '/docs/oauth2-redirect.html',
    requestInterceptor: function (request) {
      var headers = request.headers || {};
      if (headers['x-api-key']) {
        Object.keys(headers).forEach(function (name) {
          if (name.toLowerCase() === 'authorization') delete headers[name];
        });
      }
      return request;
    },
  });
  window.ui.initOAuth({ clientId: config.clientId, usePkceWithAuthorizationCodeGrant: true, scopes: ['openid'] });
})();
`;
