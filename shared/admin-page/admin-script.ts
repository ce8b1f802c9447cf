/**
 * The admin page's script, served as /api/admin/admin.js. Plain browser JavaScript, no framework.
 * The credential comes once from the address's fragment (`#key=…` or `#token=…`, which browsers
 * never send to a server nor put in a Referer) or from the sign-in form, and is kept in this tab's
 * session storage; the fragment is removed at once. Data is written with textContent only.
 */
export const ADMIN_SCRIPT = String.raw`'use strict';
(function () {
  var STORE = 'aml-jupyterhub-admin-credential';
  var REFRESH_MS = 15000;
  var $ = function (id) { return document.getElementById(id); };
  var timer = null;

  function takeFragmentCredential() {
    var params = new URLSearchParams(location.hash.slice(1));
    var key = params.get('key');
    var token = params.get('token');
    if (key || token) {
      sessionStorage.setItem(STORE, JSON.stringify(key ? { key: key } : { token: token }));
      history.replaceState(null, '', location.pathname + location.search);
    }
  }

  function authHeaders() {
    var stored = JSON.parse(sessionStorage.getItem(STORE) || 'null');
    if (!stored) return null;
    return stored.key ? { 'x-functions-key': stored.key } : { authorization: 'Bearer ' + stored.token };
  }

  function api(path, options) {
    // Without a stored credential the request goes as it is: behind the hub's admin service
    // (/services/aml-admin/), the service adds the hub's own; elsewhere the API answers 401.
    var headers = authHeaders() || {};
    // JupyterHub checks its XSRF token on a service's fetches: its _xsrf cookie, sent back as a header.
    var xsrf = document.cookie.split('; ').filter(function (c) { return c.indexOf('_xsrf=') === 0; })[0];
    if (xsrf) headers = Object.assign({ 'x-xsrftoken': decodeURIComponent(xsrf.slice(6)) }, headers);
    var init = Object.assign({ method: 'GET' }, options || {});
    init.headers = Object.assign({ accept: 'application/json' }, headers, init.body ? { 'content-type': 'application/json' } : {});
    return fetch(new URL(path, location.href), init).then(function (response) {
      if (response.status === 401 || response.status === 403) {
        if (!authHeaders()) throw signInNeeded('Sign in to see the servers.');
        throw signInNeeded(response.status === 401 ? 'The credential was not accepted.' : 'This credential does not have the Admin role.');
      }
      if (response.status === 204) return null;
      return response.json().then(function (body) {
        if (!response.ok) throw new Error(body.detail || body.title || ('HTTP ' + response.status));
        return body;
      });
    });
  }

  function signInNeeded(message) {
    var error = new Error(message);
    error.signIn = true;
    return error;
  }

  function say(message, isError) {
    var status = $('status');
    status.textContent = message;
    status.className = isError ? 'error' : '';
  }

  function showSignIn(message) {
    stopTimer();
    $('dashboard').hidden = true;
    $('sign-in').hidden = false;
    say(message, true);
    $('credential').focus();
  }

  function filters() {
    return { project: $('filter-project').value, user: $('filter-user').value.trim(), state: $('filter-state').value };
  }

  /** The filters live in the address (?project=&user=&state=), so a reload or a refresh keeps them. */
  function keepFiltersInAddress() {
    var query = new URLSearchParams();
    var current = filters();
    Object.keys(current).forEach(function (name) { if (current[name]) query.set(name, current[name]); });
    var search = query.toString();
    history.replaceState(null, '', location.pathname + (search ? '?' + search : ''));
  }

  function filtersFromAddress() {
    var query = new URLSearchParams(location.search);
    $('filter-user').value = query.get('user') || '';
    $('filter-state').value = query.get('state') || '';
    return query.get('project') || '';
  }

  function listServers(current) {
    var all = [];
    function page(token) {
      var query = new URLSearchParams({ limit: '200' });
      if (current.project) query.set('project', current.project);
      if (current.user) query.set('user', current.user);
      if (current.state) query.set('state', current.state);
      if (token) query.set('continuationToken', token);
      return api('servers?' + query).then(function (body) {
        all = all.concat(body.servers);
        return body.continuationToken && all.length < 5000 ? page(body.continuationToken) : all;
      });
    }
    return page(null);
  }

  function duration(fromIso, now) {
    if (!fromIso) return '—';
    var minutes = Math.max(0, Math.floor((now - Date.parse(fromIso)) / 60000));
    if (minutes < 60) return minutes + ' min';
    var hours = Math.floor(minutes / 60);
    if (hours < 48) return hours + ' h ' + (minutes % 60) + ' min';
    return Math.floor(hours / 24) + ' d ' + (hours % 24) + ' h';
  }

  function money(amount, currency) {
    try {
      return new Intl.NumberFormat(undefined, { style: 'currency', currency: currency }).format(amount);
    } catch (e) {
      return amount.toFixed(2) + ' ' + currency;
    }
  }

  function cell(row, text, className) {
    var td = document.createElement('td');
    td.textContent = text;
    if (className) td.className = className;
    row.appendChild(td);
    return td;
  }

  function renderServers(servers, costs, currency) {
    var body = document.querySelector('#servers tbody');
    var now = Date.now();
    body.replaceChildren();
    servers.forEach(function (server) {
      var row = document.createElement('tr');
      row.className = 'state-' + server.state;
      row.dataset.id = server.id;
      cell(row, server.user);
      cell(row, server.project);
      cell(row, server.size + ' (' + server.vmSize + ')');
      cell(row, server.state, 'state');
      cell(row, server.state === 'Running' ? duration(server.startedAt, now) : '—', 'number');
      cell(row, server.state === 'Running' && server.lastActivityAt ? duration(server.lastActivityAt, now) + ' ago' : '—', 'number');
      cell(row, money(costs[server.id] || 0, currency), 'number');
      cell(row, server.stopReason || '—');
      var actions = cell(row, '');
      var who = server.user + "'s server in " + server.project;
      if (['Requested', 'Creating', 'Starting', 'Running'].indexOf(server.state) >= 0) actions.appendChild(actionButton('Stop', who, function () { return stopServer(server, who); }));
      if (server.state !== 'Deleted' && server.state !== 'Deleting') actions.appendChild(actionButton('Delete', who, function () { return deleteServer(server, who); }));
      body.appendChild(row);
    });
    $('servers-caption').textContent = servers.length + (servers.length === 1 ? ' server' : ' servers');
  }

  function actionButton(label, who, act) {
    var button = document.createElement('button');
    button.type = 'button';
    button.textContent = label;
    button.setAttribute('aria-label', label + ' ' + who);
    button.addEventListener('click', function () {
      button.disabled = true;
      act().then(refresh, function (error) { say(error.message, true); button.disabled = false; });
    });
    return button;
  }

  function stopServer(server, who) {
    if (!window.confirm('Stop ' + who + ' (' + server.id + ')? Unsaved work in its notebooks is lost.')) return Promise.resolve();
    return api('servers/' + server.id + '/stop', { method: 'POST', body: JSON.stringify({ reason: 'admin' }) }).then(function () { say('Stopping ' + who + '.'); });
  }

  function deleteServer(server, who) {
    if (!window.confirm('Delete ' + who + ' (' + server.id + ')? Its compute instance and the files on it are deleted.')) return Promise.resolve();
    return api('servers/' + server.id, { method: 'DELETE' }).then(function () { say('Deleting ' + who + '.'); });
  }

  function renderBudgets(report) {
    var body = document.querySelector('#budgets tbody');
    body.replaceChildren();
    var select = $('filter-project');
    var chosen = select.value || select.dataset.wanted || '';
    select.replaceChildren(new Option('All projects', ''));
    report.projects.forEach(function (project) {
      select.appendChild(new Option(project.name, project.name));
      var state = project.budget;
      var row = document.createElement('tr');
      cell(row, project.name);
      cell(row, state.budget === null ? 'none' : money(state.budget, state.currency), 'number');
      cell(row, money(state.spent, state.currency), 'number');
      cell(row, state.budget ? Math.round((state.spent / state.budget) * 100) + '%' : '—', 'number');
      cell(row, state.status, 'status-' + state.status);
      body.appendChild(row);
    });
    select.value = chosen;
    delete select.dataset.wanted;
  }

  function when(schedule) {
    if (schedule.cron) return schedule.cron + ' (' + schedule.timeZone + '), ' + schedule.durationMinutes + ' min';
    return moment(schedule.start) + ' – ' + moment(schedule.end);
  }

  function moment(iso) {
    return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  }

  function renderSchedules(body) {
    var rows = document.querySelector('#schedules tbody');
    rows.replaceChildren();
    body.schedules.forEach(function (schedule) {
      var row = document.createElement('tr');
      row.dataset.id = schedule.id;
      cell(row, schedule.project);
      cell(row, schedule.size);
      cell(row, schedule.users ? schedule.users.map(function (person) { return person.user; }).join(', ') : 'group ' + schedule.groupObjectId, 'people');
      cell(row, when(schedule));
      cell(row, schedule.nextSession ? moment(schedule.nextSession.start) : 'none left');
      var last = schedule.lastSession;
      cell(row, last ? moment(last.start) + ': ' + last.launched + ' started' + (last.failures.length ? ', ' + last.failures.length + ' refused' : '') + (last.ended ? ', ended' : '') : '—');
      var actions = cell(row, '');
      var what = 'the ' + schedule.project + ' schedule for ' + (schedule.users ? schedule.users.length + (schedule.users.length === 1 ? ' person' : ' people') : 'a group');
      actions.appendChild(actionButton('Delete', what, function () {
        if (!window.confirm('Delete ' + what + '? Servers already started are left as they are.')) return Promise.resolve();
        return api('schedules/' + schedule.id, { method: 'DELETE' }).then(function () { say('Deleted ' + what + '.'); });
      }));
      rows.appendChild(row);
    });
  }

  function scheduleBody() {
    var body = { project: $('schedule-project').value, size: $('schedule-size').value };
    var group = $('schedule-group').value.trim();
    if (group) body.groupObjectId = group;
    else body.users = $('schedule-users').value.split('\n').map(function (line) { return line.trim(); }).filter(Boolean).map(function (line) {
      var parts = line.split(/[\s,]+/);
      return parts[1] ? { user: parts[0], userObjectId: parts[1] } : { user: parts[0] };
    });
    if (document.querySelector('input[name=schedule-kind]:checked').value === 'once') {
      // datetime-local is the browser's local time: sent as an instant with its offset (UTC).
      body.start = $('schedule-start').value ? new Date($('schedule-start').value).toISOString() : '';
      body.end = $('schedule-end').value ? new Date($('schedule-end').value).toISOString() : '';
    } else {
      body.cron = $('schedule-cron').value.trim();
      body.durationMinutes = Number($('schedule-duration').value);
      body.timeZone = $('schedule-zone').value.trim();
    }
    return body;
  }

  function createSchedule(event) {
    event.preventDefault();
    var button = $('new-schedule').querySelector('button[type=submit]');
    button.disabled = true;
    api('schedules', { method: 'POST', body: JSON.stringify(scheduleBody()) }).then(function (created) {
      say('Scheduled ' + created.project + ', next session ' + (created.nextSession ? moment(created.nextSession.start) : 'none') + '.');
      $('new-schedule').reset();
      return refresh();
    }, function (error) {
      say('The schedule was not created: ' + error.message, true);
    }).then(function () { button.disabled = false; });
  }

  function renderScheduleProjects(report) {
    var select = $('schedule-project');
    var chosen = select.value;
    select.replaceChildren();
    report.projects.forEach(function (project) { select.appendChild(new Option(project.name, project.name)); });
    if (chosen) select.value = chosen;
  }

  function refresh() {
    var current = filters();
    if (!current.project && $('filter-project').dataset.wanted) current.project = $('filter-project').dataset.wanted;
    return Promise.all([api('budgets'), listServers(current), api('usage?groupBy=server'), api('schedules')]).then(function (results) {
      renderBudgets(results[0]);
      renderScheduleProjects(results[0]);
      renderSchedules(results[3]);
      $('sign-out').hidden = !authHeaders();
      var costs = {};
      results[2].groups.forEach(function (group) { costs[group.key] = group.cost; });
      renderServers(results[1], costs, results[2].currency);
      $('sign-in').hidden = true;
      $('dashboard').hidden = false;
      say('Updated at ' + new Date().toLocaleTimeString() + '.');
      schedule();
    }, function (error) {
      if (error.signIn) showSignIn(error.message);
      else { say('Could not refresh: ' + error.message, true); schedule(); }
    });
  }

  function stopTimer() {
    if (timer) clearTimeout(timer);
    timer = null;
  }

  function schedule() {
    stopTimer();
    if ($('auto-refresh').checked) timer = setTimeout(refresh, REFRESH_MS);
  }

  document.addEventListener('DOMContentLoaded', function () {
    takeFragmentCredential();
    $('filter-project').dataset.wanted = filtersFromAddress();
    $('filters').addEventListener('submit', function (event) {
      event.preventDefault();
      keepFiltersInAddress();
      refresh();
    });
    $('filter-project').addEventListener('change', function () { keepFiltersInAddress(); refresh(); });
    $('filter-state').addEventListener('change', function () { keepFiltersInAddress(); refresh(); });
    $('auto-refresh').addEventListener('change', schedule);
    $('new-schedule').addEventListener('submit', createSchedule);
    $('sign-out').addEventListener('click', function () { sessionStorage.removeItem(STORE); showSignIn('The credential was forgotten.'); });
    $('sign-in').addEventListener('submit', function (event) {
      event.preventDefault();
      var kind = $('credential-kind').value;
      var value = $('credential').value.trim();
      sessionStorage.setItem(STORE, JSON.stringify(kind === 'key' ? { key: value } : { token: value }));
      $('credential').value = '';
      refresh();
    });
    // Try without a credential too: behind the hub's admin service none is needed.
    refresh();
  });
})();
`;
