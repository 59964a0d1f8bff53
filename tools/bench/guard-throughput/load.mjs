// Closed-loop HTTP load: `connections` keep-alive connections each send the next request as soon as the
// previous answer is read, for `seconds`. Prints one JSON line: requests/s, status counts, latency percentiles,
// its own CPU per request.
// Usage: node load.mjs <url> <connections> <seconds> [header:value ...]
import http from 'node:http';

const [url, connectionsArg = '32', secondsArg = '10', ...headerArgs] = process.argv.slice(2);
const connections = Number(connectionsArg);
const durationMs = Number(secondsArg) * 1000;
const headers = Object.fromEntries(
  headerArgs.map((header) => [header.slice(0, header.indexOf(':')), header.slice(header.indexOf(':') + 1)]),
);
const target = new URL(url);
const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
const latencies = [];
const statuses = {};
let errors = 0;

function once() {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const request = http.get(
      { hostname: target.hostname, port: target.port, path: target.pathname + target.search, headers, agent },
      (response) => {
        response.resume();
        response.on('end', () => {
          latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
          statuses[response.statusCode] = (statuses[response.statusCode] ?? 0) + 1;
          resolve();
        });
      },
    );
    request.on('error', () => {
      errors++;
      resolve();
    });
  });
}

const start = Date.now();
await Promise.all(
  Array.from({ length: connections }, async () => {
    while (Date.now() - start < durationMs) await once();
  }),
);
const elapsed = (Date.now() - start) / 1000;
latencies.sort((a, b) => a - b);
const percentile = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? null;
agent.destroy();
const cpu = process.cpuUsage();
console.log(
  JSON.stringify({
    requests: latencies.length,
    rps: Math.round(latencies.length / elapsed),
    statuses,
    errors,
    latency_ms: { p50: percentile(50), p99: percentile(99), max: latencies.at(-1) ?? null },
    // This load generator's own CPU per request (its start-up included): it shares the machine with the server.
    client_cpu_us_per_request: Math.round((cpu.user + cpu.system) / Math.max(1, latencies.length)),
  }),
);
