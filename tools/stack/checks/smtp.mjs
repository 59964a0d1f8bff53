// Smoke check of the loopback SMTP server: a message sent with nodemailer is read back from the mailbox API.
// Needs nodemailer. Usage: node tools/stack/checks/smtp.mjs
import { randomUUID } from 'node:crypto';
import nodemailer from 'nodemailer';

const smtpPort = Number(process.env.SMTP_SINK_PORT || 1025);
const mailbox = `http://127.0.0.1:${process.env.SMTP_SINK_HTTP_PORT || 8025}/messages`;
const to = `stack-check-${randomUUID()}@example.com`;
const subject = `stack check ${randomUUID()}`;

const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtpPort, secure: false, ignoreTLS: true });
try {
  await transport.sendMail({ from: 'stack@example.com', to, subject, text: 'hello from tools/stack' });
} finally {
  transport.close();
}
const query = `?to=${encodeURIComponent(to)}`;
const received = await (await fetch(mailbox + query)).json();
if (received.length !== 1 || received[0].subject !== subject || !received[0].text.includes('hello from tools/stack'))
  throw new Error(`smtp check failed: mailbox holds ${JSON.stringify(received)}`);
await fetch(mailbox + query, { method: 'DELETE' });
console.log('smtp: message sent with nodemailer and read back from the mailbox');
console.log('SMTP OK');
