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
        <th scope="col">Running for</th><th scope="col">Idle for</th><th scope="col">Cost this month</th>
        <th scope="col">Stop reason</th><th scope="col">Actions</th>
      </tr></thead>
      <tbody></tbody>
    </table>
    <h2 id="budgets-heading">Budgets this month</h2>
    <table id="budgets" aria-labelledby="budgets-heading">
      <thead><tr>
        <th scope="col">Project</th><th scope="col">Budget</th><th scope="col">Spent so far</th><th scope="col">Used</th><th scope="col">Status</th>
      </tr></thead>
      <tbody></tbody>
    </table>
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
td.number { text-align: right; font-variant-numeric: tabular-nums; }
tr.state-Running td.state { color: #0a5d00; font-weight: bold; }
tr.state-Failed td.state { color: #a00; font-weight: bold; }
.status-warning { color: #8a5a00; font-weight: bold; }
.status-exceeded { color: #a00; font-weight: bold; }
button { cursor: pointer; }
button:focus-visible, input:focus-visible, select:focus-visible { outline: 3px solid #005fcc; outline-offset: 1px; }
`;
