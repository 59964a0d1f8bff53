/**
 * The portal's browser script, served as /portal.js (plain ES2020, no dependency) after /keycloak-login.js. It
 * shows who is logged in to Keycloak and offers log in / log out: an SSO session is shown without any click
 * (redirect to the portal itself on the origin it was opened from: the frontend's or the key manager's own);
 * "Log out" ends the Keycloak session and forgets the token Swagger UI persisted on this origin, so the next
 * Authorize asks for an account again. Tokens stay in memory.
 */
export const PORTAL_SCRIPT = String.raw`(function () {
  'use strict';
  var config = JSON.parse(document.getElementById('portal-config').textContent);
  var keycloak = window.rsKeycloakLogin({
    keycloakUrl: config.keycloakUrl,
    realm: config.realm,
    clientId: config.clientId,
    redirectUri: location.origin + '/',
    pendingKey: 'rs-portal.pending-login',
  });
  // Inside Keycloak's session-check iframe: nothing to render.
  if (!keycloak) return;

  var idToken = null;
  var $ = function (id) { return document.getElementById(id); };

  function show(tokens, message) {
    var user = tokens ? keycloak.claims(tokens.id_token || tokens.access_token) : null;
    var access = tokens ? keycloak.claims(tokens.access_token) : null;
    idToken = tokens ? tokens.id_token || null : null;
    $('session-user').textContent = user ? user.preferred_username || user.sub : '';
    $('session-name').textContent = user && user.name ? ' (' + user.name + ')' : '';
    var roles = access && access.realm_access ? access.realm_access.roles.filter(function (role) { return /^rs_/.test(role); }) : [];
    $('session-roles').textContent = roles.length ? 'RS-Server roles: ' + roles.sort().join(', ') : user ? 'no RS-Server role' : '';
    $('session-in').hidden = !user;
    $('session-out').hidden = !!user;
    $('session-status').textContent = message || (user ? '' : tokens === undefined ? 'Keycloak did not answer.' : 'Not logged in.');
  }

  async function main() {
    $('login').addEventListener('click', function () {
      keycloak.login().catch(function (error) { show(null, error.message); });
    });
    $('logout').addEventListener('click', function () { keycloak.logout(idToken); });
    if (!window.crypto || !crypto.subtle) {
      show(null, 'Logging in here needs HTTPS; use the Authorize button of each Swagger UI.');
      return;
    }
    show(await keycloak.start());
  }

  main().catch(function (error) { show(null, error.message); });
})();
`;
