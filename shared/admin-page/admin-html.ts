/**
 * The admin page's document: static, no secret and no data in it. Its script (admin-script.ts)
 * calls the API with the credential the person gave, so every datum and action is behind the same
 * callers as the API (Admin role, or the hub key).
 */
export const ADMIN_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>aml-jupyterhub admin</title>
<link rel="stylesheet" href="admin/admin.css">
<script src="admin/admin.js" defer></script>
</head>
<body>
<header>
  <h1>aml-jupyterhub admin</h1>
  <p id="status" role="status" aria-live="polite">Loading…</p>
</header>
<main>
  <form id="sign-in" hidden>
    <h2>Sign in</h2>
    <p>This page calls the control plane's API as an admin. Give the hub API key, or an Entra ID access token with the Admin role. It is kept in this browser tab only (session storage) and sent only to this API.</p>
    <p><label for="credential-kind">Credential</label>
      <select id="credential-kind"><option value="key">Hub API key</option><option value="token">Access token (Admin role)</option></select></p>
    <p><label for="credential">Value</label> <input id="credential" type="password" autocomplete="off" required></p>
    <p><button type="submit">Sign in</button></p>
  </form>
  <section id="dashboard" hidden aria-labelledby="servers-heading">
    <h2 id="servers-heading">Servers</h2>
    <form id="filters" role="search">
      <label for="filter-project">Project</label>
      <select id="filter-project" name="project"><option value="">All projects</option></select>
      <label for="filter-user">User</label>
      <input id="filter-user" name="user" type="search" autocomplete="off">
      <label for="filter-state">State</label>
      <select id="filter-state" name="state">
        <option value="">All states</option>
        <option>Requested</option><option>Creating</option><option>Starting</option><option>Running</option>
        <option>Stopping</option><option>Stopped</option><option>Failed</option><option>Deleting</option><option>Deleted</option>
      </select>
      <button type="submit">Apply</button>
      <label><input id="auto-refresh" type="checkbox" checked> Refresh every 15 seconds</label>
      <button id="sign-out" type="button">Forget the credential</button>
    </form>
    <table id="servers">
      <caption id="servers-caption">Servers</caption>
      <thead><tr>
        <th scope="col">User</th><th scope="col">Project</th><th scope="col">Size</th><th scope="col">State</th>
        <th scope="col" class="number">Running for</th><th scope="col" class="number">Last through the hub</th><th scope="col" class="number">Cost this month</th>
        <th scope="col">Stop reason</th><th scope="col">Actions</th>
      </tr></thead>
      <tbody></tbody>
    </table>
    <p class="note">People work on their instance directly, not through the hub, and Azure does not report that work:
      <q>last through the hub</q> is not a measure of use. Each instance's own Azure ML idle shutdown, which does see it,
      stops a server left idle for its size's IDLE_STOP_MINUTES.</p>
    <h2 id="budgets-heading">Budgets this month</h2>
    <table id="budgets" aria-labelledby="budgets-heading">
      <thead><tr>
        <th scope="col">Project</th><th scope="col" class="number">Budget</th><th scope="col" class="number">Spent so far</th><th scope="col" class="number">Used</th><th scope="col">Status</th>
      </tr></thead>
      <tbody></tbody>
    </table>
    <h2 id="schedules-heading">Class schedules</h2>
    <p>Before each session the servers of its people are started, so they are running at its start; at its end, a server no one is working on stops, and one in use stops once its person has left it idle for a few minutes (stop reason <q>schedule</q>).</p>
    <table id="schedules" aria-labelledby="schedules-heading">
      <thead><tr>
        <th scope="col">Project</th><th scope="col">Size</th><th scope="col">People</th><th scope="col">When</th>
        <th scope="col">Next session</th><th scope="col">Last session</th><th scope="col">Actions</th>
      </tr></thead>
      <tbody></tbody>
    </table>
    <form id="new-schedule" aria-labelledby="new-schedule-heading">
      <h3 id="new-schedule-heading">New schedule</h3>
      <p><label for="schedule-project">Project</label> <select id="schedule-project" required></select>
        <label for="schedule-size">Size</label> <select id="schedule-size"><option>Small</option><option>Medium</option><option>Large</option><option>GPU</option></select></p>
      <p><label for="schedule-users">People, one a line: hub user name, then (optional) Entra object id</label><br>
        <textarea id="schedule-users" rows="3" cols="60" placeholder="alice a11ce000-0000-4000-8000-000000000001"></textarea></p>
      <p><label for="schedule-group">or an Entra group's object id</label> <input id="schedule-group" size="38" autocomplete="off"></p>
      <fieldset><legend>When</legend>
        <p><label><input type="radio" name="schedule-kind" value="once" checked> Once</label>
          <label for="schedule-start">from</label> <input id="schedule-start" type="datetime-local">
          <label for="schedule-end">to</label> <input id="schedule-end" type="datetime-local"></p>
        <p><label><input type="radio" name="schedule-kind" value="recurring"> Recurring</label>
          <label for="schedule-cron">cron</label> <input id="schedule-cron" size="14" placeholder="0 9 * * 1">
          <label for="schedule-duration">minutes</label> <input id="schedule-duration" type="number" min="1" max="1440" size="5">
          <label for="schedule-zone">time zone</label> <input id="schedule-zone" size="18" placeholder="Europe/Paris"></p>
      </fieldset>
      <p><button type="submit">Create schedule</button></p>
    </form>
  </section>
</main>
</body>
</html>
`;

export const ADMIN_CSS = `body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #1b1b1b; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
h2 { font-size: 1.2rem; margin-top: 1.5rem; }
#status { color: #444; }
#status.error { color: #a00; font-weight: bold; }
form#filters { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; margin-bottom: 1rem; }
table { border-collapse: collapse; width: 100%; }
caption { text-align: left; font-weight: bold; padding: .25rem 0; }
th, td { border-bottom: 1px solid #ccc; padding: .35rem .5rem; text-align: left; }
td.number, th.number { text-align: right; font-variant-numeric: tabular-nums; }
tr.state-Running td.state { color: #0a5d00; font-weight: bold; }
tr.state-Failed td.state { color: #a00; font-weight: bold; }
.status-warning { color: #8a5a00; font-weight: bold; }
.status-exceeded { color: #a00; font-weight: bold; }
button { cursor: pointer; }
p.note { color: #444; font-size: .9rem; max-width: 60rem; }
form#new-schedule { margin-top: 1rem; border: 1px solid #ccc; padding: .5rem 1rem; max-width: 60rem; }
fieldset { border: 1px solid #ddd; }
td.people { max-width: 20rem; }
button:focus-visible, input:focus-visible, select:focus-visible { outline: 3px solid #005fcc; outline-offset: 1px; }
`;
