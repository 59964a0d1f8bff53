// The user journey of the README's "Getting an API key", in a real browser (Debian Chromium driven by
// playwright-core) against the built key manager and catalog, real Keycloak login page included.
// A screenshot of every step goes to test-output/browser/; RS_UPDATE_DOC_IMAGES=1 also refreshes the ones
// the README shows (docs/img/).
import { errorMessage } from '@rs/service-kit';
import { eventually, stackEndpoints } from '@rs/testing';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { type Browser, launchBrowser } from '../support/browser';
import { appUrl, ROOT, type RunningApps, startApps } from '../support/platform-apps';
import { SwaggerUi } from '../support/swagger-ui';

const OUTPUT = path.join(ROOT, 'test-output', 'browser');
/** Screenshots the README shows, by step name → file under docs/img/. */
const DOC_IMAGES: Record<string, string> = {
  '01-portal': 'getting-an-api-key-1-portal.png',
  '04-keycloak-login': 'getting-an-api-key-2-keycloak-login.png',
  '07-create-api-key-response': 'getting-an-api-key-3-create-api-key.png',
  '09-catalog-api-key': 'getting-an-api-key-4-catalog-authorize.png',
  '10-catalog-200': 'getting-an-api-key-5-catalog-call.png',
  '12-catalog-refused': 'getting-an-api-key-6-revoked.png',
};
const USER = { username: 'alice', password: 'alice-password' };
const runId = randomUUID().slice(0, 8);

describe('Getting an API key, in a browser', () => {
  let apps: RunningApps | undefined;
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
        },
        catalog: { MONGO_URL: stackEndpoints.mongoUrl('rs_browser_catalog') },
      },
      path.join(OUTPUT, 'logs'),
    );
    browser = await launchBrowser(OUTPUT);
  }, 180000);

  afterAll(async () => {
    await browser?.close();
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

  it('should take a user from the portal to an API key that works in the catalog until it is revoked', async () => {
    const { context, page } = browser as Browser;
    const keys = new SwaggerUi(page);
    let catalog: SwaggerUi | undefined;
    let apiKey = '';
    const keyName = `notebook-${runId}`;

    await step('01-portal', async () => {
      await page.goto(`${appUrl('key-manager')}/`);
      await page.locator('#session-out').waitFor();
      const services = await page.locator('a.service-link').allTextContents();
      expect(services[0]).toBe('API Key Manager');
      expect(services).toEqual(expect.arrayContaining(['STAC catalog']));
      await expect(page.locator('#guide').textContent()).resolves.toContain('How to get an API key');
    });

    await step('02-key-manager', async () => {
      await page.locator('a.service-link', { hasText: 'API Key Manager' }).click();
      await page.locator('.swagger-ui .opblock').first().waitFor();
      expect(page.url()).toBe(`${appUrl('key-manager')}/docs`);
      const summaries = await page.locator('.opblock-summary-description').allTextContents();
      expect(summaries).toEqual(
        expect.arrayContaining([
          'Show My Information',
          'Create Api Key',
          'List My Api Keys',
          'Revoke Api Key',
          'Renew Api Key',
        ]),
      );
    });

    await step('03-authorize-dialog', async () => {
      await keys.openAuthorize();
      await expect(keys.dialog.locator('#client_id_authorizationCode').inputValue()).resolves.toBe('swagger-ui');
    });

    await step('05-authorized', async () => {
      await keys.logInWithKeycloak(context, USER.username, USER.password, async (login) => {
        expect(new URL(login.url()).origin).toBe(new URL(stackEndpoints.keycloakUrl).origin);
        await shoot('04-keycloak-login', login);
      });
    });

    await step('06-create-api-key', async () => {
      await keys.closeAuthorize();
      const create = await keys.tryItOut('Create Api Key');
      await keys.fill(create, 'name', keyName);
      await keys.select(create, 'never_expires', 'true');
      await keys.scrollTo(create);
    });

    await step('07-create-api-key-response', async () => {
      const create = keys.operation('Create Api Key');
      const result = await keys.execute(create);
      expect(result.status).toBe(200);
      apiKey = JSON.parse(result.body) as string;
      expect(apiKey).toMatch(/^rsk_[A-Za-z0-9_-]+$/);
      await keys.scrollTo(create.locator('button.execute'));
    });

    await step('08-list-my-api-keys', async () => {
      const list = await keys.tryItOut('List My Api Keys');
      const result = await keys.execute(list);
      expect(result.status).toBe(200);
      const listed = JSON.parse(result.body) as Array<{ name: string; is_active: boolean; never_expire: boolean }>;
      expect(listed).toEqual(
        expect.arrayContaining([expect.objectContaining({ name: keyName, is_active: true, never_expire: true })]),
      );
      expect(result.body).not.toContain(apiKey);
      await keys.scrollTo(list.locator('button.execute'));
    });

    await step(
      '09-catalog-api-key',
      async () => {
        catalog = new SwaggerUi(await context.newPage());
        await catalog.open(`${appUrl('catalog')}/docs`);
        await catalog.openAuthorize();
        await catalog.enterApiKey(apiKey);
      },
      () => (catalog as SwaggerUi).page,
    );

    await step(
      '10-catalog-200',
      async () => {
        const ui = catalog as SwaggerUi;
        await ui.closeAuthorize();
        const collections = await ui.tryItOut('List collections');
        const result = await ui.execute(collections);
        expect(result.status).toBe(200);
        expect(result.body).toContain('alice:s1-l1');
        await ui.scrollTo(collections.locator('button.execute'));
      },
      () => (catalog as SwaggerUi).page,
    );

    await step('11-revoke-api-key', async () => {
      await keys.page.bringToFront();
      const revoke = await keys.tryItOut('Revoke Api Key');
      await keys.fill(revoke, 'api-key', apiKey);
      const result = await keys.execute(revoke);
      expect(result.status).toBe(200);
      expect(JSON.parse(result.body)).toMatchObject({ name: keyName, is_active: false });
      await keys.scrollTo(revoke.locator('button.execute'));
    });

    await step(
      '12-catalog-refused',
      async () => {
        const ui = catalog as SwaggerUi;
        await ui.page.bringToFront();
        const collections = ui.operation('List collections');
        // Revocation reaches every guard through Kafka within about a second.
        const result = await eventually(
          async () => {
            const answer = await ui.execute(collections);
            if (answer.status === 200) throw new Error('the revoked key is still accepted');
            return answer;
          },
          15000,
          500,
        );
        expect(result.status).toBe(403);
        expect(result.body).toContain('KEY_REVOKED');
        await ui.scrollTo(collections.locator('button.execute'));
      },
      () => (catalog as SwaggerUi).page,
    );

    await step('13-portal-logged-in', async () => {
      await page.goto(`${appUrl('key-manager')}/`);
      await page.locator('#session-in').waitFor();
      await expect(page.locator('#session-user').textContent()).resolves.toBe(USER.username);
    });

    await step('14-portal-logged-out', async () => {
      await page.locator('#logout').click();
      await page.waitForURL(`${appUrl('key-manager')}/`);
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
      await page.waitForURL(`${appUrl('key-manager')}/`);
      await page.locator('#session-in').waitFor();
      await expect(page.locator('#session-user').textContent()).resolves.toBe('bob');
    });
  }, 300000);

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
