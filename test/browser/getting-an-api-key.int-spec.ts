// The user journey of the README's "Getting an API key", in a real browser (Debian Chromium driven by
// playwright-core) on the RS-Server frontend alone: the built apps behind the frontend proxy of `npm start`, real
// Keycloak login page included. One Authorize dialog: Keycloak login, then the API key pasted once, used by Auxip,
// Cadip and the catalog until it is revoked.
// A screenshot of every step goes to test-output/browser/; RS_UPDATE_DOC_IMAGES=1 also refreshes the ones
// the README shows (docs/img/).
import { errorMessage } from '@rs/service-kit';
import { eventually, stackEndpoints } from '@rs/testing';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { type Browser, launchBrowser } from '../support/browser';
import { appUrl, frontendUrl, ROOT, type RunningApps, startApps, startFrontend } from '../support/platform-apps';
import { type ExecuteResult, SwaggerUi } from '../support/swagger-ui';

const OUTPUT = path.join(ROOT, 'test-output', 'browser');
/** Screenshots the README shows, by step name → file under docs/img/. */
const DOC_IMAGES: Record<string, string> = {
  '01-portal': 'getting-an-api-key-1-portal.png',
  '04-keycloak-login': 'getting-an-api-key-2-keycloak-login.png',
  '07-create-api-key-response': 'getting-an-api-key-3-create-api-key.png',
  '09-api-key-authorized': 'getting-an-api-key-4-authorize.png',
  '10-services-200': 'getting-an-api-key-5-service-calls.png',
  '12-services-refused': 'getting-an-api-key-6-revoked.png',
};
const USER = { username: 'alice', password: 'alice-password' };
const runId = randomUUID().slice(0, 8);
const FRONTEND_DOCS = `${frontendUrl}/frontend/docs`;

describe('Getting an API key, in a browser', () => {
  let apps: RunningApps | undefined;
  let frontend: RunningApps | undefined;
  let browser: Browser | undefined;

  beforeAll(async () => {
    fs.rmSync(OUTPUT, { recursive: true, force: true });
    // Databases of their own: the journey neither sees nor leaves keys in the ones `npm start` uses, and its
    // failed-check counter (per client address, in Redis) is not shared with other suites calling from 127.0.0.1.
    apps = await startApps(
      {
        'key-manager': {
          MONGO_URL: stackEndpoints.mongoUrl('rs_browser_keys'),
          REDIS_URL: `${stackEndpoints.redisUrl.replace(/\/\d*$/, '')}/6`,
          FRONTEND_URL: frontendUrl,
        },
        auxip: {},
        cadip: {},
        catalog: { MONGO_URL: stackEndpoints.mongoUrl('rs_browser_catalog') },
      },
      path.join(OUTPUT, 'logs'),
    );
    frontend = await startFrontend(path.join(OUTPUT, 'logs'));
    browser = await launchBrowser(OUTPUT);
  }, 180000);

  afterAll(async () => {
    await browser?.close();
    await frontend?.stop();
    await apps?.stop();
  });

  /** Screenshot `<name>.png` of the page; also into docs/img/ when it is a README image and asked for. */
  async function shoot(name: string, target?: Page): Promise<void> {
    const file = await (browser as Browser).screenshot(name, target);
    if (process.env['RS_UPDATE_DOC_IMAGES'] === '1' && DOC_IMAGES[name])
      fs.copyFileSync(file, path.join(ROOT, 'docs', 'img', DOC_IMAGES[name]));
  }

  /** Runs one step of the journey, then screenshots it; a failing step leaves `<name>-FAILED.png`. */
  async function step(name: string, action: () => Promise<void>, target?: () => Page): Promise<void> {
    try {
      await action();
    } catch (error) {
      await (browser as Browser).screenshot(`${name}-FAILED`, target?.()).catch(() => undefined);
      throw new Error(`step ${name}: ${errorMessage(error)}`, { cause: error });
    }
    await shoot(name, target?.());
  }

  it('should take a user from the portal to an API key that works in every service until it is revoked', async () => {
    const { context, page } = browser as Browser;
    const ui = new SwaggerUi(page);
    let apiKey = '';
    const keyName = `notebook-${runId}`;

    /** The Auxip, Cadip and catalog operations the journey calls, ready to execute. */
    const serviceCalls: Array<{ tag: string; summary: string; prepare?: (operation: Locator) => Promise<void> }> = [
      { tag: 'ADGS stations', summary: 'Search auxiliary files' },
      {
        tag: 'CADIP stations',
        summary: 'Search sessions',
        prepare: async (operation) => {
          await ui.select(operation, 'station', 'INS');
          await ui.fill(operation, 'id', '');
          await ui.fill(operation, 'platform', 'S1A');
        },
      },
      { tag: 'Catalog', summary: 'List collections' },
    ];
    const callServices = async (): Promise<ExecuteResult[]> => {
      const results: ExecuteResult[] = [];
      for (const call of serviceCalls) results.push(await ui.execute(ui.operation(call.summary)));
      return results;
    };

    await step('01-portal', async () => {
      await page.goto(`${frontendUrl}/`);
      await page.locator('#session-out').waitFor();
      const services = await page.locator('a.service-link').allTextContents();
      expect(services.slice(0, 2)).toEqual(['RS-Server frontend', 'API Key Manager']);
      expect(services).toEqual(expect.arrayContaining(['STAC catalog']));
      await expect(page.locator('#guide').textContent()).resolves.toContain('How to get an API key');
    });

    await step('02-frontend', async () => {
      await page.locator('a.service-link', { hasText: 'RS-Server frontend' }).click();
      await page.locator('.swagger-ui .opblock').first().waitFor();
      expect(page.url()).toBe(FRONTEND_DOCS);
      const sections = (await page.locator('.opblock-tag').allTextContents()).map((text) => text.trim());
      for (const [index, tag] of [
        'API Key Manager',
        'API Key Administration',
        'API Key Check',
        'ADGS stations',
        'CADIP stations',
        'Catalog',
      ].entries())
        expect(sections[index]).toMatch(new RegExp(`^${tag}`));
      const summaries = await page.locator('.opblock-summary-description').allTextContents();
      expect(summaries).toEqual(
        expect.arrayContaining(['Show My Information', 'Create Api Key', 'Revoke Api Key', 'List collections']),
      );
    });

    await step('03-authorize-dialog', async () => {
      await ui.openAuthorize();
      await expect(ui.dialog.locator('#client_id_authorizationCode').inputValue()).resolves.toBe('swagger-ui');
      await expect(ui.dialog.locator('.auth-container', { hasText: 'apiKey' }).count()).resolves.toBe(1);
    });

    await step('05-authorized', async () => {
      await ui.logInWithKeycloak(context, USER.username, USER.password, async (login) => {
        expect(new URL(login.url()).origin).toBe(new URL(stackEndpoints.keycloakUrl).origin);
        await shoot('04-keycloak-login', login);
      });
    });

    await step('06-create-api-key', async () => {
      await ui.closeAuthorize();
      const create = await ui.tryItOut('Create Api Key');
      await ui.fill(create, 'name', keyName);
      await ui.select(create, 'never_expires', 'true');
      await ui.scrollTo(create);
    });

    await step('07-create-api-key-response', async () => {
      const create = ui.operation('Create Api Key');
      const result = await ui.execute(create);
      expect(result.status).toBe(200);
      apiKey = JSON.parse(result.body) as string;
      expect(apiKey).toMatch(/^rsk_[A-Za-z0-9_-]+$/);
      await ui.scrollTo(create.locator('button.execute'));
    });

    await step('08-list-my-api-keys', async () => {
      const list = await ui.tryItOut('List My Api Keys');
      const result = await ui.execute(list);
      expect(result.status).toBe(200);
      const listed = JSON.parse(result.body) as Array<{ name: string; is_active: boolean; never_expire: boolean }>;
      expect(listed).toEqual(
        expect.arrayContaining([expect.objectContaining({ name: keyName, is_active: true, never_expire: true })]),
      );
      expect(result.body).not.toContain(apiKey);
      await ui.scrollTo(list.locator('button.execute'));
    });

    await step('09-api-key-authorized', async () => {
      // The same dialog, once: the key then goes with every Auxip, Cadip and catalog operation.
      await ui.openAuthorize();
      await ui.enterApiKey(apiKey);
    });

    await step('10-services-200', async () => {
      await ui.closeAuthorize();
      for (const call of serviceCalls) {
        const operation = await ui.tryItOut(call.summary);
        // The lock of a guarded operation offers the API key and shows it is in use.
        await expect(operation.locator('.authorization__btn').getAttribute('aria-label')).resolves.toBe(
          'authorization button locked',
        );
        await call.prepare?.(operation);
      }
      const results = await callServices();
      expect(results.map((result) => result.status)).toEqual([200, 200, 200]);
      expect(results[2]?.body).toContain('alice:s1-l1');
      // The service saw the key, not the Keycloak login (a revoked key must be what refuses the calls below).
      await expect(ui.operation('List collections').locator('.curl-command').textContent()).resolves.not.toMatch(
        /Authorization: Bearer/,
      );
      await ui.scrollTo(ui.operation('List collections').locator('button.execute'));
    });

    await step('11-revoke-api-key', async () => {
      const revoke = await ui.tryItOut('Revoke Api Key');
      await ui.fill(revoke, 'api-key', apiKey);
      const result = await ui.execute(revoke);
      expect(result.status).toBe(200);
      expect(JSON.parse(result.body)).toMatchObject({ name: keyName, is_active: false });
      await ui.scrollTo(revoke.locator('button.execute'));
    });

    await step('12-services-refused', async () => {
      // Revocation reaches every guard through Kafka within about a second.
      const results = await eventually(
        async () => {
          const answers = await callServices();
          if (answers.some((answer) => answer.status === 200)) throw new Error('the revoked key is still accepted');
          return answers;
        },
        15000,
        500,
      );
      expect(results.map((result) => result.status)).toEqual([403, 403, 403]);
      for (const result of results) expect(result.body).toContain('KEY_REVOKED');
      await ui.scrollTo(ui.operation('List collections').locator('button.execute'));
    });

    await step('13-portal-logged-in', async () => {
      await page.goto(`${frontendUrl}/`);
      await page.locator('#session-in').waitFor();
      await expect(page.locator('#session-user').textContent()).resolves.toBe(USER.username);
    });

    await step('14-portal-logged-out', async () => {
      await page.locator('#logout').click();
      await page.waitForURL(`${frontendUrl}/`);
      await page.locator('#session-out').waitFor();
      // Swagger UI of this origin forgot its token too: the next Authorize asks Keycloak again.
      await expect(page.evaluate(() => localStorage.getItem('authorized'))).resolves.toBeNull();
    });

    await step('15-portal-other-account', async () => {
      // Logged out, Keycloak asks for an account again: another user can log in without clearing cookies.
      await page.locator('#login').click();
      await page.locator('#username').fill('bob');
      await page.locator('#password').fill('bob-password');
      await page.locator('#kc-login').click();
      await page.waitForURL(`${frontendUrl}/`);
      await page.locator('#session-in').waitFor();
      await expect(page.locator('#session-user').textContent()).resolves.toBe('bob');
    });
  }, 300000);

  it('should serve at the frontend /frontend/openapi.json the operations and schemas of docs/openapi/frontend.json', async () => {
    const served = (await (await fetch(`${frontendUrl}/frontend/openapi.json`)).json()) as {
      paths: unknown;
      components: { schemas?: unknown };
      tags: unknown;
    };
    const committed = JSON.parse(
      fs.readFileSync(path.join(ROOT, 'docs', 'openapi', 'frontend.json'), 'utf8'),
    ) as typeof served;
    expect(served.paths).toEqual(committed.paths);
    expect(served.components.schemas).toEqual(committed.components.schemas);
    expect(served.tags).toEqual(committed.tags);
  });

  it.each(['key-manager', 'catalog'] as const)(
    'should serve at %s /docs-json the operations and schemas committed in docs/openapi',
    async (app) => {
      // docs/openapi is generated without the webpack build (tools/openapi); this proves the built app agrees.
      // Security scheme URLs depend on the environment, so paths and schemas are compared.
      const served = (await (await fetch(`${appUrl(app)}/docs-json`)).json()) as {
        paths: unknown;
        components: { schemas?: unknown };
      };
      const committed = JSON.parse(
        fs.readFileSync(path.join(ROOT, 'docs', 'openapi', `${app}.json`), 'utf8'),
      ) as typeof served;
      expect(served.paths).toEqual(committed.paths);
      expect(served.components.schemas).toEqual(committed.components.schemas);
    },
  );
});
