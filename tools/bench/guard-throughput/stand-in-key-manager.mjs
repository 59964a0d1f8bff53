// A stand-in for the key manager's check endpoint: answers every check as the real one does for a valid
// key, so the bench measures the guard's cached path. Prints its URL, serves until stdin closes.
// BENCH_KEY_LIMITS=1: the key has both per-key limits, too high to be reached, so the guard counts every request.
import { createServer } from 'node:http';

const limited = process.env.BENCH_KEY_LIMITS === '1';
const body = JSON.stringify({
  user_id: 'bench-user',
  user_login: 'bench',
  iam_roles: ['rs_cadip_ins_read'],
  config: limited ? { max_requests_per_day: String(Number.MAX_SAFE_INTEGER) } : {},
  ...(limited && { rate_limit_per_minute: Number.MAX_SAFE_INTEGER }),
  key_id: process.env.BENCH_KEY_ID ?? 'bench-key',
  allowed_referers: [],
  expiration_date: null,
  never_expire: true,
});
const server = createServer((_request, response) => {
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(body);
});
server.listen(0, '127.0.0.1', () => console.log(`http://127.0.0.1:${server.address().port}`));
process.stdin.resume();
process.stdin.on('end', () => server.close(() => process.exit(0)));
