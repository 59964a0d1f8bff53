/**
 * The Keycloak login the portal and the key page share, served as /keycloak-login.js (plain ES2020, no
 * dependency) and loaded before each page's own script. `rsKeycloakLogin(options)` gives:
 * - `start()`: tokens when the page already has a Keycloak session, without a click: either the page is the
 *   redirect back from "Log in" (the code is exchanged and the address bar cleaned), or a hidden iframe asks
 *   Keycloak with `prompt=none`; null without a session, undefined when Keycloak does not answer;
 * - `login()`, `logout(idToken)`, `refresh(refreshToken)` and `claims(jwt)`.
 * Authorization code + PKCE with the public client of the options; only the PKCE verifier of a pending login is
 * kept (sessionStorage). Inside the session-check iframe it hands Keycloak's answer to the opener and returns null:
 * the page script then does nothing.
 */
export const KEYCLOAK_LOGIN_SCRIPT = String.raw`(function () {
  'use strict';

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

  /** options: keycloakUrl, realm, clientId, redirectUri, pendingKey (sessionStorage item of a pending login). */
  window.rsKeycloakLogin = function (options) {
    if (window.parent !== window) {
      window.parent.postMessage({ keycloakAnswer: location.search }, location.origin);
      return null;
    }
    var oidc = options.keycloakUrl + '/realms/' + encodeURIComponent(options.realm) + '/protocol/openid-connect';

    async function authorizeRequest(prompt) {
      var verifier = randomString();
      var state = randomString();
      var challenge = base64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
      var params = new URLSearchParams({
        client_id: options.clientId,
        redirect_uri: options.redirectUri,
        response_type: 'code',
        scope: 'openid',
        state: state,
        code_challenge: challenge,
        code_challenge_method: 'S256',
      });
      if (prompt) params.set('prompt', prompt);
      return { url: oidc + '/auth?' + params, verifier: verifier, state: state };
    }

    async function tokenRequest(form) {
      var response = await fetch(oidc + '/token', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form),
      });
      if (!response.ok) throw new Error('Keycloak refused the login (' + response.status + ')');
      return response.json();
    }

    /** Keycloak's answer (a query string) to tokens; null when there is no session. */
    async function exchange(search, pending) {
      var answer = new URLSearchParams(search);
      if (!pending || answer.get('state') !== pending.state) {
        throw new Error('the login answer does not match the request; try again');
      }
      if (answer.get('error')) {
        if (answer.get('error') === 'login_required') return null;
        throw new Error(answer.get('error_description') || answer.get('error'));
      }
      return tokenRequest({
        grant_type: 'authorization_code',
        code: answer.get('code') || '',
        redirect_uri: options.redirectUri,
        client_id: options.clientId,
        code_verifier: pending.verifier,
      });
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
          var data = event.data;
          if (event.origin !== location.origin || event.source !== frame.contentWindow) return;
          if (!data || typeof data.keycloakAnswer !== 'string') return;
          exchange(data.keycloakAnswer, request).then(done, function () { done(null); });
        }
        window.addEventListener('message', onMessage);
        timer = setTimeout(function () { done(undefined); }, 8000);
        frame.hidden = true;
        frame.title = 'Keycloak session check';
        frame.src = request.url;
        document.body.appendChild(frame);
      });
    }

    return {
      claims: claims,
      start: async function () {
        var search = location.search;
        if (!new URLSearchParams(search).has('state')) return sessionCheck();
        // Back from "Log in": finish it and clean the address bar.
        var pending = JSON.parse(sessionStorage.getItem(options.pendingKey) || 'null');
        sessionStorage.removeItem(options.pendingKey);
        history.replaceState(null, '', location.pathname);
        return exchange(search, pending);
      },
      login: async function () {
        var request = await authorizeRequest();
        var pending = { verifier: request.verifier, state: request.state };
        sessionStorage.setItem(options.pendingKey, JSON.stringify(pending));
        location.assign(request.url);
      },
      logout: function (idToken) {
        // Swagger UI on this origin persists its token (persistAuthorization); forget it with the session.
        localStorage.removeItem('authorized');
        var params = new URLSearchParams({
          client_id: options.clientId,
          post_logout_redirect_uri: options.redirectUri,
        });
        if (idToken) params.set('id_token_hint', idToken);
        location.assign(oidc + '/logout?' + params);
      },
      refresh: function (refreshToken) {
        return tokenRequest({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: options.clientId });
      },
    };
  };
})();
`;
