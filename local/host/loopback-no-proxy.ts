/**
 * With an HTTP proxy configured (HTTP_PROXY, ...), the durable client's axios would send its calls
 * to this host's own loopback endpoints through the proxy. Core Tools users hit this behind
 * corporate proxies; we exempt loopback addresses by adding them to NO_PROXY.
 */
const PROXY_VARIABLES = ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy'];
const LOOPBACK = ['127.0.0.1', 'localhost'];

/** Returns true when NO_PROXY had to be extended. */
export function exemptLoopbackFromProxy(env: NodeJS.ProcessEnv = process.env): boolean {
  if (!PROXY_VARIABLES.some((name) => env[name])) return false;
  let changed = false;
  for (const name of ['NO_PROXY', 'no_proxy']) {
    const entries = (env[name] ?? '').split(',').map((entry) => entry.trim()).filter(Boolean);
    const missing = LOOPBACK.filter((host) => !entries.includes(host));
    if (missing.length > 0) {
      env[name] = [...entries, ...missing].join(',');
      changed = true;
    }
  }
  return changed;
}
