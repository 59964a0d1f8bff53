// What a user does in Swagger UI, as playwright-core steps on its real DOM (swagger-ui-dist as served by
// @nestjs/swagger): Authorize dialog, expanding an operation, Try it out, parameters, Execute, response.
import type { BrowserContext, Locator, Page } from 'playwright-core';

export interface ExecuteResult {
  status: number;
  body: string;
}

export class SwaggerUi {
  constructor(readonly page: Page) {}

  async open(url: string): Promise<void> {
    await this.page.goto(url);
    await this.page.locator('.swagger-ui .opblock').first().waitFor();
  }

  get dialog(): Locator {
    return this.page.locator('.modal-ux');
  }

  /** Opens the Authorize dialog (the button above the operations). */
  async openAuthorize(): Promise<void> {
    await this.page.locator('.scheme-container button.authorize').click();
    await this.dialog.waitFor();
  }

  async closeAuthorize(): Promise<void> {
    await this.dialog.locator('button.close-modal').click();
    await this.dialog.waitFor({ state: 'detached' });
  }

  /**
   * In the open Authorize dialog: Keycloak's Authorize opens the real Keycloak login page in a popup;
   * `onLoginPage` runs there with the credentials typed, before the login is submitted.
   */
  async logInWithKeycloak(
    context: BrowserContext,
    username: string,
    password: string,
    onLoginPage?: (login: Page) => Promise<void>,
  ): Promise<void> {
    const section = this.dialog.locator('.auth-container', { hasText: 'OAuth2' });
    const [login] = await Promise.all([context.waitForEvent('page'), section.locator('button.authorize').click()]);
    await login.waitForLoadState();
    await login.locator('#username').fill(username);
    await login.locator('#password').fill(password);
    if (onLoginPage) await onLoginPage(login);
    await Promise.all([login.waitForEvent('close'), login.locator('#kc-login').click()]);
    await section.locator('button', { hasText: 'Logout' }).waitFor();
  }

  /** In the open Authorize dialog: the API key section (header x-api-key). */
  async enterApiKey(key: string): Promise<void> {
    const section = this.dialog.locator('.auth-container', { hasText: 'apiKey' });
    await section.locator('input').fill(key);
    await section.locator('button.authorize').click();
    await section.locator('button', { hasText: 'Logout' }).waitFor();
  }

  /** The operation block whose summary is exactly `summary` ("Create Api Key"). */
  operation(summary: string): Locator {
    return this.page.locator('.opblock', {
      has: this.page.locator('.opblock-summary-description', { hasText: new RegExp(`^${summary}$`) }),
    });
  }

  /** Expands the operation and clicks Try it out (unless already done). */
  async tryItOut(summary: string): Promise<Locator> {
    const operation = this.operation(summary);
    if (!(await operation.evaluate((element) => element.classList.contains('is-open'))))
      await operation.locator('.opblock-summary-control').click();
    const tryOut = operation.locator('button.try-out__btn');
    if ((await tryOut.textContent())?.trim() === 'Try it out') await tryOut.click();
    await operation.locator('button.execute').waitFor();
    return operation;
  }

  async fill(operation: Locator, parameter: string, value: string): Promise<void> {
    await operation.locator(`tr[data-param-name="${parameter}"] input`).fill(value);
  }

  async select(operation: Locator, parameter: string, value: string): Promise<void> {
    await operation.locator(`tr[data-param-name="${parameter}"] select`).selectOption(value);
  }

  /** Execute, then the status and body Swagger UI shows under "Server response". */
  async execute(operation: Locator): Promise<ExecuteResult> {
    const clear = operation.locator('button.btn-clear');
    if (await clear.count()) await clear.click();
    await operation.locator('button.execute').click();
    const row = operation.locator('.live-responses-table tbody tr.response').first();
    await row.waitFor();
    const status = Number((await row.locator('.response-col_status').textContent())?.trim());
    const body = (await row.locator('.response-col_description pre').first().textContent()) ?? '';
    return { status, body };
  }

  /** Scrolls the element near the top of the viewport, below Swagger UI's sticky Authorize bar (for screenshots). */
  async scrollTo(target: Locator): Promise<void> {
    await target.evaluate((element) => {
      element.scrollIntoView({ block: 'start' });
      element.ownerDocument.defaultView?.scrollBy(0, -90);
    });
  }
}
