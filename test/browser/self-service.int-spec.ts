// The self-service key page (/keys) in a real browser (Debian Chromium driven by playwright-core), on the frontend
// origin of `npm start` with the built key manager and the real Keycloak login page: a user creates a scoped key with
// a rate limit with the keyboard, copies it, reads its usage charts, narrows its scopes, rotates, revokes, renews it
// and reads its history; an
// administrator finds the user's keys, revokes one with a reason and reads its history. No CSP violation allowed.
// A screenshot of every step goes to test-output/browser-self-service/; RS_UPDATE_DOC_IMAGES=1 also refreshes the
// ones the README shows (docs/img/).
import { errorMessage } from '@rs/service-kit';
import { dropDatabases, stackEndpoints } from '@rs/testing';
import { MongoClient } from 'mongodb';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { type Browser, launchBrowser } from '../support/browser';
import { frontendUrl, ROOT, type RunningApps, startApps, startFrontend } from '../support/platform-apps';

const OUTPUT = path.join(ROOT, 'test-output', 'browser-self-service');
/** Screenshots the README shows, by step name → file under docs/img/. */
const DOC_IMAGES: Record<string, string> = {
  '04-key-created': 'self-service-1-key-created.png',
  '05-usage-charts': 'self-service-2-usage-charts.png',
  '09-history': 'self-service-3-history.png',
  '11-admin': 'self-service-4-admin.png',
};
const DATABASE = 'rs_browser_selfservice';
const KEY_PAGE = `${frontendUrl}/keys`;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const runId = randomUUID().slice(0, 8);
const SCOPES = ['rs_auxip_adgs_read', 'rs_cadip_ins_read'];
const RATE_LIMIT = 600;

/** Requests per status class of a seeded bucket. */
interface Counts {
  count_2xx: number;
  count_3xx: number;
  count_4xx: number;
  count_5xx: number;
}

/** Usage buckets as the key worker writes them (contract: @rs/key-store usage-bucket.schema.ts). */
function bucket(keyId: string, userId: string, field: 'hour' | 'day', start: Date, counts: Counts) {
  const count = counts.count_2xx + counts.count_3xx + counts.count_4xx + counts.count_5xx;
  return {
    _id: `${keyId}|cadip|GET|/cadip/:station/session|${start.toISOString()}`,
    key_id: keyId,
    user_id: userId,
    service: 'cadip',
    method: 'GET',
    route: '/cadip/:station/session',
    [field]: start,
    count,
    ...counts,
    latency_sum_ms: count * 12,
    latency_max_ms: count ? 40 : 0,
    latest_query_date: start,
    applied: {},
    updated_at: new Date(),
  };
}

describe('The self-service key page, in a browser', () => {
  let apps: RunningApps | undefined;
  let frontend: RunningApps | undefined;
  let browser: Browser | undefined;
  let mongo: MongoClient | undefined;
  const policyViolations: string[] = [];

  beforeAll(async () => {
    fs.rmSync(OUTPUT, { recursive: true, force: true });
    await dropDatabases(DATABASE);
    apps = await startApps(
      {
        'key-manager': {
          MONGO_URL: stackEndpoints.mongoUrl(DATABASE),
          REDIS_URL: `${stackEndpoints.redisUrl.replace(/\/\d*$/, '')}/7`,
          FRONTEND_URL: frontendUrl,
        },
      },
      path.join(OUTPUT, 'logs'),
    );
    frontend = await startFrontend(path.join(OUTPUT, 'logs'));
    browser = await launchBrowser(OUTPUT);
    await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: frontendUrl });
    browser.page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) policyViolations.push(message.text());
    });
    mongo = await MongoClient.connect(stackEndpoints.mongoUrl(DATABASE));
  }, 180000);

  afterAll(async () => {
    await browser?.close();
    await frontend?.stop();
    await apps?.stop();
    await mongo?.close();
    await dropDatabases(DATABASE);
  });

  /** Runs one step, then screenshots it (also into docs/img/ when asked); a failing step leaves `<name>-FAILED.png`. */
  async function step(name: string, action: () => Promise<void>, target?: () => Page): Promise<void> {
    const shooter = browser as Browser;
    try {
      await action();
    } catch (error) {
      await shooter.screenshot(`${name}-FAILED`, target?.()).catch(() => undefined);
      throw new Error(`step ${name}: ${errorMessage(error)}`, { cause: error });
    }
    const file = await shooter.screenshot(name, target?.());
    if (process.env['RS_UPDATE_DOC_IMAGES'] === '1' && DOC_IMAGES[name])
      fs.copyFileSync(file, path.join(ROOT, 'docs', 'img', DOC_IMAGES[name]));
  }

  async function logIn(page: Page, username: string, screenshot?: string): Promise<void> {
    await page.locator('#login').click();
    await page.locator('#username').waitFor();
    expect(new URL(page.url()).origin).toBe(new URL(stackEndpoints.keycloakUrl).origin);
    await page.locator('#username').fill(username);
    await page.locator('#password').fill(`${username}-password`);
    if (screenshot) await (browser as Browser).screenshot(screenshot);
    await page.locator('#kc-login').click();
    await page.waitForURL(KEY_PAGE);
    await page.locator('#session-in').waitFor();
    await expect(page.locator('#session-user').textContent()).resolves.toBe(username);
  }

  it('should let a user manage their keys and an administrator any key, with the keyboard and a strict CSP', async () => {
    const { page } = browser as Browser;
    const keyName = `notebook-${runId}`;
    const otherName = `pipeline-${runId}`;
    let value = '';
    let keyId = '';
    let userId = '';
    const item = (name: string): Locator =>
      page.locator('#key-list li.key', { has: page.getByRole('heading', { name }) });
    const chart = (name: string): Locator => item(name).locator('svg[role="img"]');
    /** Waits until the chart of the key shows `total` requests (the list and each chart load asynchronously). */
    const chartTotal = (total: number) =>
      page.locator(`li[data-key-id="${keyId}"] svg[role="img"][data-total="${total}"]`).waitFor();

    await step('01-signed-out', async () => {
      await page.goto(KEY_PAGE);
      await page.locator('#signed-out').waitFor();
      await expect(page.locator('#create').isHidden()).resolves.toBe(true);
    });

    await step('02-logged-in', async () => {
      await logIn(page, 'alice', '02-keycloak-login');
      await page.locator('#create').waitFor();
      await expect(page.locator('#admin').isHidden()).resolves.toBe(true);
      const scopes = await Promise.all(
        (await page.locator('#create-scope-list input[type="checkbox"]').all()).map((box) => box.getAttribute('value')),
      );
      expect(scopes).toEqual(expect.arrayContaining([...SCOPES, 'rs_catalog_alice:s1-l1_write']));
      expect(scopes).not.toContain('rs_apikey_admin');
    });

    await step('03-create-with-the-keyboard', async () => {
      // Labels name every control; the keyboard alone fills the form and submits it.
      await page.getByLabel('Name', { exact: true }).focus();
      await page.keyboard.type(keyName);
      await page.getByLabel('Requests per minute (optional)').focus();
      await page.keyboard.type(String(RATE_LIMIT));
      for (const scope of SCOPES) {
        await page.locator('#create-form').getByLabel(scope, { exact: true }).focus();
        await page.keyboard.press('Space');
      }
      await page.getByLabel('Name', { exact: true }).focus();
      await page.keyboard.press('Enter');
      await page.locator('#secret').waitFor();
    });

    await step('04-key-created', async () => {
      value = await page.getByLabel('Key value', { exact: true }).inputValue();
      expect(value).toMatch(/^rsk_[A-Za-z0-9_-]+$/);
      await expect(page.evaluate('document.activeElement && document.activeElement.id')).resolves.toBe('secret-value');
      await page.getByRole('button', { name: 'Copy' }).click();
      await page.getByRole('button', { name: 'Copied' }).waitFor();
      await expect(page.evaluate('navigator.clipboard.readText()')).resolves.toBe(value);
      await item(keyName).waitFor();
      await expect(item(keyName).textContent()).resolves.not.toContain(value);
      // The key works, with the chosen scopes only.
      const check = await fetch(`${frontendUrl}/auth/check_key`, { headers: { 'x-api-key': value } });
      expect(check.status).toBe(200);
      const checked = (await check.json()) as {
        key_id: string;
        user_id: string;
        iam_roles: string[];
        rate_limit_per_minute: number;
      };
      expect(checked.iam_roles).toEqual(SCOPES);
      expect(checked.rate_limit_per_minute).toBe(RATE_LIMIT);
      keyId = checked.key_id;
      userId = checked.user_id;
      await expect(item(keyName).getAttribute('data-key-id')).resolves.toBe(keyId);
      await expect(item(keyName).locator('dl').textContent()).resolves.toContain(SCOPES.join(', '));
      await expect(item(keyName).locator('dl').textContent()).resolves.toContain(
        `Rate limit${RATE_LIMIT} requests per minute`,
      );
    });

    await step('05-usage-charts', async () => {
      await page.getByRole('button', { name: 'Done' }).click();
      await expect(page.locator('#secret-value').inputValue()).resolves.toBe('');
      // The usage the key worker would have aggregated: hours of the last day and days of the last month.
      const now = Date.now();
      const thisHour = Math.floor(now / HOUR) * HOUR;
      const today = Math.floor(now / DAY) * DAY;
      const hours = Array.from({ length: 24 }, (_, index) =>
        bucket(keyId, userId, 'hour', new Date(thisHour - index * HOUR), {
          count_2xx: 20 + ((index * 7) % 30),
          count_3xx: index % 5 === 0 ? 2 : 0,
          count_4xx: index % 3 === 0 ? 4 : 1,
          count_5xx: index === 5 ? 3 : 0,
        }),
      );
      const days = Array.from({ length: 30 }, (_, index) =>
        bucket(keyId, userId, 'day', new Date(today - index * DAY), {
          count_2xx: 300 + ((index * 53) % 400),
          count_3xx: 10,
          count_4xx: 15 + (index % 4) * 10,
          count_5xx: index % 9 === 0 ? 12 : 0,
        }),
      );
      const database = (mongo as MongoClient).db();
      await database.collection('api_key_usage_hourly').insertMany(hours as never[]);
      await database.collection('api_key_usage_daily').insertMany(days as never[]);
      const hourTotal = hours.reduce((sum, hour) => sum + hour.count, 0);
      const dayTotal = days.reduce((sum, day) => sum + day.count, 0);
      await database
        .collection('api_key_usage_totals')
        .insertOne({ _id: keyId, total_queries: dayTotal, latest_query_date: new Date(now - 60_000) } as never);

      await page.getByRole('button', { name: 'Refresh' }).click();
      await chartTotal(hourTotal);
      await expect(item(keyName).locator('dl').textContent()).resolves.toContain(`Requests${dayTotal} (last `);
      await expect(chart(keyName).locator('g[data-count]').count()).resolves.toBe(24);
      await expect(chart(keyName).getAttribute('aria-label')).resolves.toContain(
        `Requests per hour with ${keyName}, last 24 hours: ${hourTotal} in total`,
      );
      await item(keyName).getByText('Usage as a table').click();
      await expect(item(keyName).locator('details tbody tr').count()).resolves.toBe(24);
      await item(keyName).getByRole('button', { name: 'Last 30 days' }).click();
      await chartTotal(dayTotal);
      await expect(chart(keyName).locator('g[data-count]').count()).resolves.toBe(30);
      await expect(
        item(keyName).getByRole('button', { name: 'Last 30 days' }).getAttribute('aria-pressed'),
      ).resolves.toBe('true');
      await item(keyName).scrollIntoViewIfNeeded();
    });

    await step('06-set-scopes', async () => {
      // With the keyboard: open the key's "Scopes" form, untick one scope, save.
      const toggle = page.getByRole('button', { name: `Scopes of ${keyName}`, exact: true });
      await toggle.focus();
      await page.keyboard.press('Enter');
      await expect(toggle.getAttribute('aria-expanded')).resolves.toBe('true');
      const editor = item(keyName).locator('form.scope-editor');
      await expect(editor.getByLabel(SCOPES[0] as string, { exact: true }).isChecked()).resolves.toBe(true);
      await editor.getByLabel(SCOPES[0] as string, { exact: true }).focus();
      await page.keyboard.press('Space');
      await page.getByRole('button', { name: `Save scopes of ${keyName}` }).focus();
      await page.keyboard.press('Enter');
      await page.locator('#status', { hasText: `${keyName} is limited to ${SCOPES[1]}` }).waitFor();
      await expect(item(keyName).locator('dl').textContent()).resolves.toContain(`Scopes${SCOPES[1]}Rate limit`);
      await expect(page.evaluate('document.activeElement && document.activeElement.dataset.action')).resolves.toBe(
        'scopes',
      );
      // The check answers the narrowed roles at once.
      const check = await fetch(`${frontendUrl}/auth/check_key`, { headers: { 'x-api-key': value } });
      expect(check.status).toBe(200);
      expect(((await check.json()) as { iam_roles: string[] }).iam_roles).toEqual([SCOPES[1]]);
    });

    await step('07-rotate', async () => {
      await page.getByLabel('When rotating, the old value keeps working').selectOption('1');
      await page.getByRole('button', { name: `Rotate ${keyName}` }).click();
      await page.locator('#secret').waitFor();
      const rotated = await page.getByLabel('Key value', { exact: true }).inputValue();
      expect(rotated).toMatch(/^rsk_/);
      expect(rotated).not.toBe(value);
      await expect(page.locator('#secret-title').textContent()).resolves.toBe(`New value of ${keyName}`);
      await item(keyName).getByText('Old value').waitFor();
      await expect(page.locator('#status').textContent()).resolves.toContain('has a new value');
      value = rotated;
    });

    await step('08-revoke-and-renew', async () => {
      await page.getByRole('button', { name: 'Done' }).click();
      await page.getByRole('button', { name: `Revoke ${keyName}` }).click();
      await item(keyName)
        .locator('.state', { hasText: /^Revoked$/ })
        .waitFor();
      await expect(page.locator('#status').textContent()).resolves.toContain('is revoked');
      await page.getByRole('button', { name: `Renew ${keyName}` }).click();
      await page.locator('#status', { hasText: 'renewed and reactivated' }).waitFor();
      await item(keyName)
        .locator('.state', { hasText: /^Active$/ })
        .waitFor();
    });

    await step('09-history', async () => {
      await page.getByRole('button', { name: `History of ${keyName}` }).click();
      await page.locator('#history').waitFor();
      await expect(page.evaluate('document.activeElement && document.activeElement.id')).resolves.toBe('history-title');
      const actions = await page.locator('#history-rows tr td:nth-child(2)').allTextContents();
      expect(actions).toEqual(['renewed', 'revoked', 'rotated', 'scopes changed', 'created']);
      await expect(page.locator('#history-rows tr').first().textContent()).resolves.toContain('owner (alice)');
    });

    await step('10-second-key', async () => {
      await page.getByRole('button', { name: 'Close history' }).click();
      await page.getByLabel('Name', { exact: true }).fill(otherName);
      await page.getByLabel('Never', { exact: true }).check();
      await page.getByRole('button', { name: 'Create key' }).click();
      await page.locator('#secret').waitFor();
      await page.getByRole('button', { name: 'Done' }).click();
      await item(otherName).waitFor();
      await expect(item(otherName).locator('dl').textContent()).resolves.toContain('every role you hold');
    });

    await step('11-admin', async () => {
      await page.locator('#logout').click();
      await page.waitForURL(KEY_PAGE);
      await page.locator('#signed-out').waitFor();
      await logIn(page, 'rsadmin');
      await page.locator('#admin').waitFor();
      await page.getByLabel('User name or Keycloak id').fill('alice');
      await page.getByLabel('User name or Keycloak id').press('Enter');
      const row = page.locator('#admin-rows tr', { hasText: otherName });
      await row.waitFor();
      await expect(page.locator('#admin-rows tr', { hasText: keyName }).count()).resolves.toBe(1);
      await page.getByLabel('Reason for a revocation (kept in the audit trail)').fill('left the project');
      await page.getByRole('button', { name: `Revoke ${otherName} of alice` }).click();
      await row.locator('.state', { hasText: 'Revoked by an administrator' }).waitFor();
      await page.getByRole('button', { name: `History of ${otherName} of alice` }).click();
      await page.locator('#history').waitFor();
      const first = page.locator('#history-rows tr').first();
      await expect(first.textContent()).resolves.toContain('left the project');
      await expect(first.textContent()).resolves.toContain('administrator');
      await page.locator('#admin').scrollIntoViewIfNeeded();
    });

    await step('12-revoked-for-the-owner', async () => {
      // The owner sees the administrator's revocation and cannot renew that key.
      await page.locator('#logout').click();
      await page.waitForURL(KEY_PAGE);
      await logIn(page, 'alice');
      await item(otherName).waitFor();
      await expect(item(otherName).locator('.state').textContent()).resolves.toBe('Revoked by an administrator');
      await expect(
        item(otherName)
          .getByRole('button', { name: `Renew ${otherName}` })
          .count(),
      ).resolves.toBe(0);
    });

    expect(policyViolations).toEqual([]);
  }, 300000);
});
