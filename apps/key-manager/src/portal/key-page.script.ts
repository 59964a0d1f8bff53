/**
 * The self-service key page's browser script, served as /keys.js (plain ES2020, no dependency, no build step).
 * - Login as on the portal (portal.script.ts): a hidden iframe asks Keycloak with `prompt=none` (authorization code
 *   + PKCE, public client swagger-ui, redirect to this page), so a Keycloak session of the portal or Swagger UI is
 *   picked up without a click; "Log in" runs the same flow in the window. Tokens stay in memory and are refreshed
 *   with the refresh token before they expire.
 * - Then the key API of this origin with the bearer token: /auth/me (roles for scopes and the admin section),
 *   /auth/api_key/list|new|renew|rotate|scopes|revoke|usage|audit and, for administrators, /auth/admin/... .
 * - Usage charts are inline SVG stacked bars by status class, each with a text summary (aria-label) and a table.
 * Text from the API only ever reaches the page through textContent and attributes, never as HTML.
 */
export const KEY_PAGE_SCRIPT = String.raw`(function () {
  'use strict';
  var config = JSON.parse(document.getElementById('key-page-config').textContent);
  var keycloak = window.rsKeycloakLogin({
    keycloakUrl: config.keycloakUrl,
    realm: config.realm,
    clientId: config.clientId,
    redirectUri: location.origin + config.path,
    pendingKey: 'rs-keys.pending-login',
  });
  var HOUR = 3600000;
  var DAY = 24 * HOUR;
  var CLASSES = ['2xx', '3xx', '4xx', '5xx'];
  var SVG = 'http://www.w3.org/2000/svg';

  // Inside Keycloak's session-check iframe: nothing to render.
  if (!keycloak) return;

  var tokens = null;
  var expiresAt = 0;
  var me = null;
  /** The user's RS-Server roles a key can be scoped to (the create form and each key's "Scopes" form). */
  var scopeRoles = [];
  var $ = function (id) { return document.getElementById(id); };

  // ---- Keycloak session (keycloak-login.script.ts) ----

  function keepTokens(answer) {
    tokens = answer;
    expiresAt = answer ? Date.now() + (answer.expires_in || 60) * 1000 : 0;
  }

  /** A valid access token: refreshed shortly before it expires; the page goes back to "log in" when that fails. */
  async function accessToken() {
    if (!tokens) throw new Error('Log in first');
    if (Date.now() < expiresAt - 20000) return tokens.access_token;
    try {
      keepTokens(await keycloak.refresh(tokens.refresh_token));
      return tokens.access_token;
    } catch (error) {
      showSignedOut('Your Keycloak session ended; log in again.');
      throw error;
    }
  }

  // ---- The key API ----

  /** GET on the key API with the bearer token; the parsed JSON, or an Error carrying the API's own message. */
  async function api(path, query) {
    var params = new URLSearchParams();
    Object.keys(query || {}).forEach(function (name) {
      var value = query[name];
      if (Array.isArray(value)) value.forEach(function (item) { params.append(name, item); });
      else if (value !== undefined && value !== null && value !== '') params.set(name, String(value));
    });
    var text = String(params);
    var response = await fetch(path + (text ? '?' + text : ''), {
      headers: { authorization: 'Bearer ' + (await accessToken()), accept: 'application/json' },
      cache: 'no-store',
    });
    var body = await response.json().catch(function () { return null; });
    if (!response.ok) {
      var message = body && (body.detail || body.message);
      throw new Error(
        (Array.isArray(message) ? message.join('; ') : message) || 'The key manager answered ' + response.status,
      );
    }
    return body;
  }

  // ---- DOM helpers: text only, never HTML ----

  function el(tag, attributes, children) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      var value = attributes[name];
      if (value === undefined || value === null || value === false) return;
      if (name === 'text') node.textContent = value;
      else if (name === 'onclick') node.addEventListener('click', value);
      else node.setAttribute(name, value === true ? '' : String(value));
    });
    (children || []).forEach(function (child) {
      if (child) node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
    });
    return node;
  }

  function svg(tag, attributes, children) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attributes || {}).forEach(function (name) {
      if (name === 'text') node.textContent = attributes[name];
      else node.setAttribute(name, String(attributes[name]));
    });
    (children || []).forEach(function (child) { node.appendChild(child); });
    return node;
  }

  function say(message, isError) {
    $('status').textContent = message;
    $('status').className = isError ? 'error' : '';
  }

  /** Runs a user action: the button is disabled meanwhile, the outcome is announced in the status line. */
  async function act(button, action) {
    if (button) button.disabled = true;
    try {
      var message = await action();
      if (message) say(message);
    } catch (error) {
      say(error.message, true);
    } finally {
      if (button) button.disabled = false;
    }
  }

  /** A button named for a screen reader by ariaLabel (several keys have a "Revoke"), running action through act(). */
  function actionButton(name, ariaLabel, action, danger) {
    return el('button', {
      type: 'button',
      class: danger ? 'danger' : null,
      'data-action': name.toLowerCase(),
      'aria-label': ariaLabel,
      text: name,
      onclick: function (event) { act(event.currentTarget, action); },
    });
  }

  function utc(iso, withTime) {
    if (!iso) return '';
    var text = new Date(iso).toISOString();
    return withTime === false ? text.slice(0, 10) : text.slice(0, 16).replace('T', ' ');
  }

  function stateOf(key) {
    if (!key.is_active)
      return key.revoked_by === 'admin' ? ['revoked', 'Revoked by an administrator'] : ['revoked', 'Revoked'];
    if (!key.user_active) return ['disabled', 'Owner disabled'];
    if (!key.never_expire && key.expiration_date && Date.parse(key.expiration_date) <= Date.now())
      return ['expired', 'Expired'];
    return ['active', 'Active'];
  }

  // ---- Session and sections ----

  function showSignedOut(message) {
    keepTokens(null);
    me = null;
    $('session-in').hidden = true;
    $('session-status').textContent = 'Not logged in.';
    ['create', 'mine', 'history', 'admin'].forEach(function (id) { $(id).hidden = true; });
    $('signed-out').hidden = false;
    say(message || '', !!message);
  }

  async function showSignedIn(answer) {
    keepTokens(answer);
    var user = keycloak.claims(answer.id_token || answer.access_token);
    $('session-user').textContent = user.preferred_username || user.sub;
    $('session-status').textContent = '';
    $('session-in').hidden = false;
    $('signed-out').hidden = true;
    me = await api('/auth/me');
    scopeRoles = me.roles.filter(function (role) { return /^rs_/.test(role) && role !== config.adminRole; }).sort();
    renderScopes($('create-scope-list'), []);
    $('create').hidden = false;
    $('mine').hidden = false;
    $('admin').hidden = me.roles.indexOf(config.adminRole) < 0;
    await loadKeys();
  }

  /** Fills list with a labelled checkbox named "scopes" per role the user holds; the roles in ticked are ticked. */
  function renderScopes(list, ticked) {
    list.replaceChildren();
    if (!scopeRoles.length) list.appendChild(el('p', { class: 'hint', text: 'You hold no RS-Server role yet.' }));
    scopeRoles.forEach(function (role) {
      var box = el('input', { type: 'checkbox', name: 'scopes', value: role, checked: ticked.indexOf(role) >= 0 });
      list.appendChild(el('label', {}, [box, ' ' + role]));
    });
  }

  function tickedScopes(form) {
    return Array.prototype.map.call(form.querySelectorAll('input[name="scopes"]:checked'), function (box) {
      return box.value;
    });
  }

  // ---- My keys ----

  async function loadKeys() {
    var keys = await api('/auth/api_key/list');
    var list = $('key-list');
    list.replaceChildren();
    if (!keys.length) list.appendChild(el('li', { class: 'hint', text: 'You have no key yet: create one above.' }));
    keys.forEach(function (key) { list.appendChild(keyItem(key)); });
    return keys;
  }

  function fact(term, value) {
    return [el('dt', { text: term }), el('dd', {}, [value])];
  }

  function keyItem(key) {
    var state = stateOf(key);
    var titleId = 'key-' + key.id + '-name';
    var facts = el('dl', { class: 'facts' });
    [
      ['Value', el('code', { text: key.hint })],
      ['Expires', key.never_expire ? 'never' : utc(key.expiration_date) + ' UTC'],
      ['Scopes', key.scopes ? key.scopes.join(', ') : 'every role you hold'],
      key.rate_limit_per_minute ? ['Rate limit', key.rate_limit_per_minute + ' requests per minute'] : null,
      ['Requests', key.total_queries + (key.latest_query_date ? ' (last ' + utc(key.latest_query_date) + ' UTC)' : '')],
      ['Created', utc(key.creation_date) + ' UTC'],
      key.previous_secret_expires_at
        ? ['Old value', key.previous_hint + ' works until ' + utc(key.previous_secret_expires_at) + ' UTC']
        : null,
    ]
      .filter(Boolean)
      .forEach(function (pair) {
        fact(pair[0], pair[1]).forEach(function (node) { facts.appendChild(node); });
      });
    // An administrator's revocation is final; only a working key can be rotated or get new scopes.
    var editor = state[0] === 'active' ? scopeEditor(key) : null;
    var actions = el('div', { class: 'row', role: 'group', 'aria-label': 'Actions on ' + key.name }, [
      key.revoked_by === 'admin'
        ? null
        : actionButton('Renew', 'Renew ' + key.name, function () { return renew(key); }),
      state[0] === 'active' ? actionButton('Rotate', 'Rotate ' + key.name, function () { return rotate(key); }) : null,
      editor ? editor.toggle : null,
      key.is_active ? actionButton('Revoke', 'Revoke ' + key.name, function () { return revoke(key); }, true) : null,
      actionButton('History', 'History of ' + key.name, function () {
        return showHistory(key, '/auth/api_key/audit');
      }),
    ]);
    var item = el('li', { class: 'key', 'data-key-id': key.id, 'aria-labelledby': titleId }, [
      el('div', { class: 'key-head' }, [
        el('h3', { id: titleId, text: key.name }),
        el('span', { class: 'state state-' + state[0], text: state[1] }),
      ]),
      facts,
      actions,
      editor ? editor.form : null,
      usageFigure(key),
    ]);
    return item;
  }

  async function renew(key) {
    var answer = await api('/auth/api_key/renew', { id: key.id });
    await loadKeys();
    return answer.message + ': ' + key.name + ' works until ' + utc(answer.expiration_date) + ' UTC.';
  }

  async function revoke(key) {
    await api('/auth/api_key/revoke', { id: key.id });
    await loadKeys();
    return key.name + ' is revoked: every service refuses it within a second. Renew it to use it again.';
  }

  async function rotate(key) {
    var answer = await api('/auth/api_key/rotate', { id: key.id, grace_period_hours: $('rotate-grace').value });
    showSecret(answer.api_key, 'New value of ' + key.name);
    await loadKeys();
    return key.name + ' has a new value; the old one works until ' + utc(answer.previous_secret_expires_at) + ' UTC.';
  }

  /**
   * A key's "Scopes" form: the create form's checkboxes, ticked as the key is scoped, behind a disclosure button.
   * None ticked lifts the scopes (all_roles=true), as a key created without any.
   */
  function scopeEditor(key) {
    var formId = 'key-' + key.id + '-scopes';
    var boxes = el('div', { class: 'scopes' });
    renderScopes(boxes, key.scopes || []);
    var toggle = el('button', {
      type: 'button',
      'data-action': 'scopes',
      'aria-expanded': 'false',
      'aria-controls': formId,
      'aria-label': 'Scopes of ' + key.name,
      text: 'Scopes',
    });
    var form = el('form', { id: formId, class: 'scope-editor', hidden: true }, [
      el('fieldset', {}, [
        el('legend', { text: 'Scopes of ' + key.name }),
        el('p', {
          class: 'hint',
          text: 'Tick the roles the key may use. None ticked: every role you hold, now and later.',
        }),
        boxes,
      ]),
      el('div', { class: 'row' }, [
        el('button', {
          type: 'submit',
          class: 'primary',
          'aria-label': 'Save scopes of ' + key.name,
          text: 'Save scopes',
        }),
        el('button', { type: 'button', text: 'Cancel', onclick: function () { show(false); toggle.focus(); } }),
      ]),
    ]);
    function show(open) {
      if (!open) form.reset();
      form.hidden = !open;
      toggle.setAttribute('aria-expanded', String(open));
    }
    toggle.addEventListener('click', function () {
      show(form.hidden);
      if (!form.hidden) (form.querySelector('input') || form.querySelector('button')).focus();
    });
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      act(event.submitter || null, function () { return saveScopes(key, tickedScopes(form)); });
    });
    return { toggle: toggle, form: form };
  }

  async function saveScopes(key, scopes) {
    var answer = await api(
      '/auth/api_key/scopes',
      scopes.length ? { id: key.id, scopes: scopes } : { id: key.id, all_roles: 'true' },
    );
    await loadKeys();
    // The list was drawn anew: give the keyboard back its place.
    var toggle = document.querySelector('li[data-key-id="' + key.id + '"] button[data-action="scopes"]');
    if (toggle) toggle.focus();
    return key.name + (answer.scopes ? ' is limited to ' + answer.scopes.join(', ') : ' carries every role you hold') +
      '; every service applies it within a second.';
  }

  // ---- Create, and the value shown once ----

  async function create() {
    var form = $('create-form');
    var name = $('create-name').value.trim();
    if (!name) {
      $('create-name').focus();
      throw new Error('Give the key a name.');
    }
    var expiry = form.querySelector('input[name="expiry"]:checked').value;
    var query = { name: name };
    if (expiry === 'never') query.never_expires = 'true';
    if (expiry === 'date') {
      if (!$('create-date').value) {
        $('create-date').focus();
        throw new Error('Choose the expiration date.');
      }
      query['expiration-date'] = $('create-date').value + 'T00:00:00Z';
    }
    query.scopes = tickedScopes(form);
    var rate = $('create-rate').value.trim();
    if (rate) query.rate_limit_per_minute = rate;
    var value = await api('/auth/api_key/new', query);
    form.reset();
    $('create-date').disabled = true;
    showSecret(value, 'Your new key value');
    await loadKeys();
    return 'Key ' + name + ' created. Copy its value now.';
  }

  function showSecret(value, title) {
    $('secret-title').textContent = title;
    $('secret-value').value = value;
    $('secret-copy').textContent = 'Copy';
    $('secret').hidden = false;
    $('secret').scrollIntoView({ block: 'nearest' });
    $('secret-value').focus();
    $('secret-value').select();
  }

  async function copySecret() {
    var input = $('secret-value');
    try {
      await navigator.clipboard.writeText(input.value);
    } catch (error) {
      // Without the asynchronous clipboard (plain HTTP on another host), the selection is copied instead.
      input.select();
      if (!document.execCommand('copy')) throw new Error('Copying was refused: select the value and copy it by hand.');
    }
    $('secret-copy').textContent = 'Copied';
    return 'The key value is on your clipboard.';
  }

  function closeSecret() {
    $('secret-value').value = '';
    $('secret').hidden = true;
    $('create-name').focus();
  }

  // ---- Usage charts ----

  var RANGES = {
    hour: { label: 'Last 24 hours', unit: 'hour', buckets: 24, step: HOUR },
    day: { label: 'Last 30 days', unit: 'day', buckets: 30, step: DAY },
  };

  function usageFigure(key) {
    var body = el('div', { class: 'usage-body' });
    var buttons = {};
    var figure = el('figure', { class: 'usage', 'aria-label': 'Usage of ' + key.name }, [
      el(
        'div',
        { class: 'row', role: 'group', 'aria-label': 'Usage period of ' + key.name },
        ['hour', 'day'].map(function (granularity) {
          buttons[granularity] = el('button', {
            type: 'button',
            'data-granularity': granularity,
            'aria-pressed': 'false',
            text: RANGES[granularity].label,
            onclick: function () { show(granularity); },
          });
          return buttons[granularity];
        }),
      ),
      body,
    ]);
    function show(granularity) {
      Object.keys(buttons).forEach(function (name) {
        buttons[name].setAttribute('aria-pressed', String(name === granularity));
      });
      body.replaceChildren(el('p', { class: 'hint', text: 'Loading usage…' }));
      api('/auth/api_key/usage', { id: key.id, granularity: granularity }).then(
        function (report) {
          body.replaceChildren.apply(body, chart(report, RANGES[granularity], key.name));
        },
        function (error) {
          body.replaceChildren(el('p', { class: 'error', text: 'Usage unavailable: ' + error.message }));
        },
      );
    }
    show('hour');
    return figure;
  }

  /** Every bucket of the range, empty ones included (the report lists only buckets with requests). */
  function series(report, range) {
    var byStart = {};
    report.buckets.forEach(function (bucket) { byStart[Date.parse(bucket.start)] = bucket; });
    var end = Date.parse(report.to);
    var first = Math.floor((end - 1) / range.step) * range.step - (range.buckets - 1) * range.step;
    var points = [];
    for (var index = 0; index < range.buckets; index += 1) {
      var start = first + index * range.step;
      var bucket = byStart[start] || { count: 0, count_2xx: 0, count_3xx: 0, count_4xx: 0, count_5xx: 0 };
      points.push({ start: start, bucket: bucket });
    }
    return points;
  }

  function when(time, range) {
    var text = new Date(time).toISOString();
    return range.unit === 'hour' ? text.slice(5, 10) + ' ' + text.slice(11, 16) : text.slice(0, 10);
  }

  function classCounts(bucket) {
    return CLASSES.map(function (name) { return name + ' ' + bucket['count_' + name]; }).join(', ');
  }

  /** A stacked bar chart (SVG) with its summary as aria-label, its legend, and the same numbers as a table. */
  function chart(report, range, name) {
    var points = series(report, range);
    var width = 720;
    var height = 170;
    var left = 40;
    var bottom = 20;
    var plot = height - bottom - 10;
    var max = Math.max(1, Math.max.apply(null, points.map(function (point) { return point.bucket.count; })));
    var slot = (width - left) / points.length;
    var busiest = points.reduce(function (best, point) {
      return point.bucket.count > best.bucket.count ? point : best;
    }, points[0]);
    var total = report.total;
    var summary =
      'Requests per ' + range.unit + ' with ' + name + ', ' + range.label.toLowerCase() + ': ' +
      total.count + ' in total (' + classCounts(total) + ')' +
      (total.count
        ? '; busiest ' + range.unit + ' ' + when(busiest.start, range) + ' UTC with ' + busiest.bucket.count + '.'
        : '.');
    var image = svg('svg', {
      viewBox: '0 0 ' + width + ' ' + height,
      role: 'img',
      'aria-label': summary,
      'data-total': total.count,
    }, [
      svg('line', { class: 'axis', x1: left, y1: 10, x2: left, y2: 10 + plot }),
      svg('line', { class: 'axis', x1: left, y1: 10 + plot, x2: width, y2: 10 + plot }),
      svg('text', { x: left - 6, y: 14, 'text-anchor': 'end', text: String(max) }),
      svg('text', { x: left - 6, y: 10 + plot, 'text-anchor': 'end', text: '0' }),
      svg('text', { x: left, y: height - 4, text: when(points[0].start, range) }),
      svg('text', {
        x: width,
        y: height - 4,
        'text-anchor': 'end',
        text: when(points[points.length - 1].start, range),
      }),
    ]);
    points.forEach(function (point, index) {
      var y = 10 + plot;
      var bar = svg('g', { 'data-start': new Date(point.start).toISOString(), 'data-count': point.bucket.count }, [
        svg('title', {
          text:
            when(point.start, range) + ' UTC: ' + point.bucket.count + ' requests (' + classCounts(point.bucket) + ')',
        }),
      ]);
      CLASSES.forEach(function (name) {
        var count = point.bucket['count_' + name];
        if (!count) return;
        var h = (count / max) * plot;
        y -= h;
        bar.appendChild(svg('rect', {
          class: 'c' + name,
          x: (left + index * slot + 1).toFixed(1),
          y: y.toFixed(1),
          width: Math.max(1, slot - 2).toFixed(1),
          height: h.toFixed(1),
        }));
      });
      image.appendChild(bar);
    });
    var legend = el('ul', { class: 'legend', 'aria-hidden': 'true' }, CLASSES.map(function (name) {
      return el('li', {}, [
        svg('svg', { viewBox: '0 0 10 10' }, [svg('rect', { class: 'c' + name, width: 10, height: 10 })]),
        name,
      ]);
    }));
    var rows = points.filter(function (point) { return point.bucket.count; });
    var table = el('table', {}, [
      el('caption', { text: 'Requests per ' + range.unit + ' (UTC), ' + range.label.toLowerCase() }),
      el('thead', {}, [
        el('tr', {}, [range.unit === 'hour' ? 'Hour' : 'Day', 'Requests'].concat(CLASSES).map(function (head) {
          return el('th', { scope: 'col', text: head });
        })),
      ]),
      el('tbody', {}, rows.length
        ? rows.map(function (point) {
            var counts = CLASSES.map(function (name) { return point.bucket['count_' + name]; });
            return el('tr', {}, [when(point.start, range), point.bucket.count].concat(counts).map(function (cell) {
              return el('td', { text: String(cell) });
            }));
          })
        : [el('tr', {}, [el('td', { colspan: 6, text: 'No request in this period.' })])]),
    ]);
    return [image, legend, el('details', {}, [el('summary', { text: 'Usage as a table' }), table])];
  }

  // ---- History (audit trail) ----

  function actorOf(record, trail) {
    if (record.actor === trail.user_id) return 'owner (' + trail.user_login + ')';
    if (/^system:/.test(record.actor)) return record.actor;
    return 'administrator ' + record.actor;
  }

  async function showHistory(key, route) {
    var trail = await api(route, { id: key.id });
    $('history-title').textContent = 'History of ' + trail.name + ' (' + trail.user_login + ')';
    $('history-rows').replaceChildren.apply($('history-rows'), trail.records.map(function (record) {
      return el('tr', {}, [
        utc(record.time),
        record.action.replace(/_/g, ' '),
        actorOf(record, trail),
        record.reason || '',
      ].map(function (cell) {
        return el('td', { text: cell });
      }));
    }));
    $('history').hidden = false;
    $('history-title').focus();
    $('history').scrollIntoView({ block: 'start' });
    return '';
  }

  // ---- Administration ----

  var adminUser = null;

  async function findKeys(user) {
    var byId = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(user);
    var keys = await api('/auth/admin/api_keys', byId ? { user_id: user } : { user_login: user });
    adminUser = user;
    $('admin-caption').textContent = keys.length + ' key' + (keys.length === 1 ? '' : 's') + ' of ' + user;
    $('admin-rows').replaceChildren.apply($('admin-rows'), keys.map(adminRow));
    $('admin-table').hidden = false;
    return keys.length ? '' : user + ' has no key.';
  }

  function adminRow(key) {
    var state = stateOf(key);
    var of = key.name + ' of ' + key.user_login;
    return el('tr', { 'data-key-id': key.id }, [
      el('td', { text: key.name }),
      el('td', {}, [el('code', { text: key.hint })]),
      el('td', {}, [el('span', { class: 'state state-' + state[0], text: state[1] })]),
      el('td', { text: key.never_expire ? 'never' : utc(key.expiration_date) }),
      el('td', { text: String(key.total_queries) }),
      el('td', {}, [
        el('div', { class: 'row' }, [
          actionButton('History', 'History of ' + of, function () {
            return showHistory(key, '/auth/admin/api_key/audit');
          }),
          key.revoked_by === 'admin'
            ? null
            : actionButton('Revoke', 'Revoke ' + of, function () { return adminRevoke(key); }, true),
        ]),
      ]),
    ]);
  }

  async function adminRevoke(key) {
    await api('/auth/admin/api_key/revoke', { id: key.id, reason: $('admin-reason').value.trim() });
    await findKeys(adminUser);
    if (me && key.user_id === me.user_id) await loadKeys();
    return key.name + ' of ' + key.user_login + ' is revoked; its owner cannot renew it.';
  }

  // ---- Wiring ----

  async function main() {
    $('login').addEventListener('click', function () {
      keycloak.login().catch(function (error) { say(error.message, true); });
    });
    $('logout').addEventListener('click', function () { keycloak.logout(tokens && tokens.id_token); });
    $('create-form').addEventListener('submit', function (event) {
      event.preventDefault();
      act(event.submitter || null, create);
    });
    $('create-form').addEventListener('change', function (event) {
      if (event.target.name !== 'expiry') return;
      $('create-date').disabled = event.target.value !== 'date';
      if (event.target.value === 'date') $('create-date').focus();
    });
    $('secret-copy').addEventListener('click', function (event) { act(event.currentTarget, copySecret); });
    $('secret-close').addEventListener('click', closeSecret);
    $('refresh').addEventListener('click', function (event) {
      act(event.currentTarget, function () { return loadKeys().then(function () { return 'Keys refreshed.'; }); });
    });
    $('history-close').addEventListener('click', function () {
      $('history').hidden = true;
      $('status').focus();
    });
    $('admin-form').addEventListener('submit', function (event) {
      event.preventDefault();
      var user = $('admin-user').value.trim();
      if (user) act(event.submitter || null, function () { return findKeys(user); });
    });
    $('status').tabIndex = -1;
    if (!window.crypto || !crypto.subtle) {
      showSignedOut('Logging in here needs HTTPS.');
      return;
    }
    var answer = await keycloak.start();
    if (answer) await showSignedIn(answer);
    else showSignedOut(answer === undefined ? 'Keycloak did not answer; try again later.' : '');
  }

  main().catch(function (error) { showSignedOut(error.message); });
})();
`;
