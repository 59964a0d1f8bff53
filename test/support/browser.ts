// Headless Debian Chromium driven by playwright-core (no browser download: tools/ensure-chromium.mjs
// installs the distribution's package). The flags keep Chromium off the network it cannot reach here.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

export const CHROMIUM = process.env['CHROMIUM_PATH'] || '/usr/bin/chromium';

const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Saves `<dir>/<name>.png` of the page (or of the given page) and returns its path. */
  screenshot(name: string, target?: Page): Promise<string>;
  close(): Promise<void>;
}

/** A fresh profile (new user-data-dir) each time: no cookies or stored tokens from an earlier run. */
export async function launchBrowser(screenshotDir: string): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: run \`node tools/ensure-chromium.mjs\` (installs Debian's chromium)`);
  fs.mkdirSync(screenshotDir, { recursive: true });
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'rs-browser-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 1280, height: 860 },
  });
  context.setDefaultTimeout(20000);
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    async screenshot(name, target = page) {
      const file = path.join(screenshotDir, `${name}.png`);
      await target.screenshot({ path: file });
      return file;
    },
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}
