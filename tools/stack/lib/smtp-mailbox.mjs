// The stack's SMTP server (run by lib/smtp.mjs): accepts every message on loopback, delivers nothing, and keeps the
// last messages in memory for tests to read over HTTP:
//   GET /health                      200 {"ok":true,"messages":n}
//   GET /messages[?to=<address>]     the messages (envelope recipient <address>), oldest first
//   DELETE /messages[?to=<address>]  forget them
// Usage: node smtp-mailbox.mjs <smtp port> <http port>
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

const [smtpPort, httpPort] = process.argv.slice(2).map(Number);
const HOST = '127.0.0.1';
const MAX_MESSAGES = 1000;
const messages = [];

const smtp = new SMTPServer({
  // Plain SMTP on loopback: no certificate to trust, and the platform's refusal of plain SMTP to other hosts is
  // exercised by its own tests. Any user and password are accepted, so a configured SMTP_USER works too.
  disabledCommands: ['STARTTLS'],
  authOptional: true,
  allowInsecureAuth: true,
  onAuth: (auth, _session, callback) => callback(null, { user: auth.username }),
  size: 10 * 1024 * 1024,
  logger: false,
  onData(stream, session, callback) {
    simpleParser(stream).then(
      (parsed) => {
        messages.push({
          id: randomUUID(),
          received_at: new Date().toISOString(),
          envelope: {
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((rcpt) => rcpt.address.toLowerCase()),
          },
          from: parsed.from?.text ?? '',
          to: parsed.to ? [parsed.to].flat().map((to) => to.text) : [],
          subject: parsed.subject ?? '',
          date: parsed.date?.toISOString() ?? null,
          text: parsed.text ?? '',
          html: typeof parsed.html === 'string' ? parsed.html : '',
          headers: Object.fromEntries([...parsed.headers.keys()].map((name) => [name, parsed.headers.get(name)])),
        });
        if (messages.length > MAX_MESSAGES) messages.splice(0, messages.length - MAX_MESSAGES);
        console.log(`message for ${session.envelope.rcptTo.map((rcpt) => rcpt.address).join(', ')}`);
        callback();
      },
      (error) => callback(error),
    );
  },
});
smtp.on('error', (error) => console.error(`smtp: ${error.message}`));

const forRecipient = (url) => {
  const to = url.searchParams.get('to')?.toLowerCase();
  return (message) => !to || message.envelope.to.includes(to);
};

const api = http.createServer((request, response) => {
  const url = new URL(request.url ?? '/', `http://${HOST}`);
  const reply = (status, body) => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  };
  if (url.pathname === '/health' && request.method === 'GET')
    return reply(200, { ok: true, messages: messages.length });
  if (url.pathname !== '/messages') return reply(404, { error: 'not found' });
  const matches = forRecipient(url);
  if (request.method === 'GET') return reply(200, messages.filter(matches));
  if (request.method === 'DELETE') {
    const kept = messages.filter((message) => !matches(message));
    const deleted = messages.length - kept.length;
    messages.splice(0, messages.length, ...kept);
    return reply(200, { deleted });
  }
  return reply(405, { error: 'method not allowed' });
});

// Health answers only once both listeners are up.
smtp.listen(smtpPort, HOST, () => {
  api.listen(httpPort, HOST, () => console.log(`smtp on ${HOST}:${smtpPort}, mailbox on http://${HOST}:${httpPort}`));
});

const stop = () => {
  api.close();
  smtp.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
