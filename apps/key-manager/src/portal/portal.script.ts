/**
 * The portal's browser script, served as /portal.js (plain ES2020, no dependency). It shows who is logged in
 * to Keycloak and offers log in / log out:
 * - on load, a hidden iframe asks Keycloak for a code with `prompt=none` (authorization code + PKCE, public
 *   client swagger-ui, redirect to the portal itself on the origin it was opened from: the frontend's or the key
 *   manager's own); the portal page inside the iframe posts Keycloak's
 *   answer back, and the page exchanges the code for tokens: an SSO session is shown without any click;
 * - "Log in" runs the same flow in the window; "Log out" ends the Keycloak session through the end-session
 *   endpoint (client_id + post_logout_redirect_uri, id_token_hint when known) and forgets the token Swagger UI
 *   persisted on this origin, so the next Authorize asks for an account again.
 * Tokens stay in memory; only the PKCE verifier of a pending login is kept in sessionStorage.
 */
export const PORTAL_SCRIPT = String.raw`(function () {
  'use strict';
  var config = JSON.parse(document.getElementById('portal-config').textContent);
  var oidc = config.keycloakUrl + '/realms/' + encodeURIComponent(config.realm) + '/protocol/openid-connect';
  var redirectUri = location.origin + '/';
  var PENDING_LOGIN = 'rs-portal.pending-login';

  // Inside the session-check iframe: hand Keycloak's answer to the page that opened it, render nothing else.
  if (window.parent !== window) {
    window.parent.postMessage({ portalAuth: location.search }, location.origin);
    return;
  }

  var idToken = null;
  var $ = function (id) { return document.getElementById(id); };

  function base64url(bytes) {
    var text = '';
    new Uint8Array(bytes).forEach(function (byte) { text += String.fromCharCode(byte); });
    return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  function randomString() {
    return base64url(crypto.getRandomValues(new Uint8Array(32)));
  }

  function claims(jwt) {
    var part = jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    var bytes = Uint8Array.from(atob(part), function (c) { return c.charCodeAt(0); });
    return JSON.parse(new TextDecoder().decode(bytes));
  }

  async function authorizeRequest(prompt) {
    var verifier = randomString();
    var state = randomString();
    var challenge = base64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
    var params = new URLSearchParams({
      client_id: config.clientId,
      redirect_uri: redirectUri,
      response_type: 'code',
      scope: 'openid',
      state: state,
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    if (prompt) params.set('prompt', prompt);
    return { url: oidc + '/auth?' + params, verifier: verifier, state: state };
  }

  /** Keycloak's answer (a query string) to tokens; null when there is no session. */
  async function exchange(search, pending) {
    var answer = new URLSearchParams(search);
    if (!pending || answer.get('state') !== pending.state) throw new Error('the login answer does not match the request; try again');
    if (answer.get('error')) {
      if (answer.get('error') === 'login_required') return null;
      throw new Error(answer.get('error_description') || answer.get('error'));
    }
    var response = await fetch(oidc + '/token', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: answer.get('code') || '',
        redirect_uri: redirectUri,
        client_id: config.clientId,
        code_verifier: pending.verifier,
      }),
    });
    if (!response.ok) throw new Error('Keycloak refused the login (' + response.status + ')');
    return response.json();
  }

  /** Asks Keycloak, without showing anything, whether this browser has a session. */
  async function sessionCheck() {
    var request = await authorizeRequest('none');
    return new Promise(function (resolve) {
      var frame = document.createElement('iframe');
      var timer;
      function done(result) {
        window.removeEventListener('message', onMessage);
        clearTimeout(timer);
        frame.remove();
        resolve(result);
      }
      function onMessage(event) {
        if (event.origin !== location.origin || event.source !== frame.contentWindow || !event.data || typeof event.data.portalAuth !== 'string') return;
        exchange(event.data.portalAuth, request).then(done, function () { done(null); });
      }
      window.addEventListener('message', onMessage);
      timer = setTimeout(function () { done(undefined); }, 8000);
      frame.hidden = true;
      frame.title = 'Keycloak session check';
      frame.src = request.url;
      document.body.appendChild(frame);
    });
  }

  function show(tokens, message) {
    var user = tokens ? claims(tokens.id_token || tokens.access_token) : null;
    var access = tokens ? claims(tokens.access_token) : null;
    idToken = tokens ? tokens.id_token || null : null;
    $('session-user').textContent = user ? user.preferred_username || user.sub : '';
    $('session-name').textContent = user && user.name ? ' (' + user.name + ')' : '';
    var roles = access && access.realm_access ? access.realm_access.roles.filter(function (role) { return /^rs_/.test(role); }) : [];
    $('session-roles').textContent = roles.length ? 'RS-Server roles: ' + roles.sort().join(', ') : user ? 'no RS-Server role' : '';
    $('session-in').hidden = !user;
    $('session-out').hidden = !!user;
    $('session-status').textContent = message || (user ? '' : tokens === undefined ? 'Keycloak did not answer.' : 'Not logged in.');
  }

  async function login() {
    var request = await authorizeRequest();
    sessionStorage.setItem(PENDING_LOGIN, JSON.stringify({ verifier: request.verifier, state: request.state }));
    location.assign(request.url);
  }

  function logout() {
    // Swagger UI on this origin persists its token (persistAuthorization); forget it with the session.
    localStorage.removeItem('authorized');
    var params = new URLSearchParams({ client_id: config.clientId, post_logout_redirect_uri: redirectUri });
    if (idToken) params.set('id_token_hint', idToken);
    location.assign(oidc + '/logout?' + params);
  }

  async function main() {
    $('login').addEventListener('click', function () { login().catch(function (error) { show(null, error.message); }); });
    $('logout').addEventListener('click', logout);
    if (!window.crypto || !crypto.subtle) {
      show(null, 'Logging in here needs HTTPS; use the Authorize button of each Swagger UI.');
      return;
    }
    var search = location.search;
    if (new URLSearchParams(search).has('state')) {
      // Back from "Log in": finish it and clean the address bar.
      var pending = JSON.parse(sessionStorage.getItem(PENDING_LOGIN) || 'null');
      sessionStorage.removeItem(PENDING_LOGIN);
      history.replaceState(null, '', location.pathname);
      try {
        return show(await exchange(search, pending));
      } catch (error) {
        return show(null, error.message);
      }
    }
    show(await sessionCheck());
  }

  main().catch(function (error) { show(null, error.message); });
})();
`;
