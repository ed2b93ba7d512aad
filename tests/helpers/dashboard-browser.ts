// Debian's Chromium driven by playwright-core (which downloads no browser): a signed-in dashboard page whose console
// errors, uncaught exceptions, failed requests and HTTP error answers are all recorded, so a test can demand none.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';

export const CHROMIUM = process.env.EDITLEDGER_CHROMIUM ?? '/usr/bin/chromium';
export const ARTIFACTS = join(process.cwd(), 'tests', 'artifacts', 'dashboard');
export const DESKTOP = { width: 1280, height: 800 } as const;
export const PHONE = { width: 390, height: 844 } as const;

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM);
}

export async function launchChromium(): Promise<Browser> {
  await mkdir(ARTIFACTS, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'], headless: true });
}

export interface DashboardPage {
  readonly page: Page;
  readonly context: BrowserContext;
  /** Console errors, page errors, failed requests and >= 400 answers, in order. */
  readonly problems: string[];
  /** Resolves once every failed request seen so far has been classified. */
  settled(): Promise<void>;
  /** Allow problems matching `pattern` while `during` runs (a request the test expects to be refused). */
  expecting<T>(pattern: RegExp, during: () => Promise<T>): Promise<T>;
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

/** A new browser context (its own sessionStorage), the dashboard opened and signed in with `token` by keyboard. */
export async function openDashboard(
  browser: Browser,
  url: string,
  token: string,
  viewport: { width: number; height: number } = DESKTOP,
): Promise<DashboardPage> {
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  const page = await context.newPage();
  const problems: string[] = [];
  let allowed: RegExp | undefined;
  let recording = true;
  const note = (text: string) => {
    if (recording && !(allowed?.test(text) ?? false)) problems.push(text);
  };
  page.on('console', (message) => {
    if (message.type() === 'error') note(`console: ${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => note(`page error: ${error.message}`));
  const pending: Array<Promise<void>> = [];
  page.on('requestfailed', (request) => {
    const text = `failed: ${request.method()} ${request.url()} ${request.failure()?.errorText}`;
    // Chromium reports a Cache-Control: no-store response read with a stream reader as aborted even when the page
    // read it to its end (playwright issue 42742): an event stream that answered 200 is not a failed request; the
    // scenarios check what the page showed from it.
    pending.push(
      request.response().then((response) => {
        const stream = response?.status() === 200 && response.headers()['content-type'] === 'text/event-stream';
        if (!(stream && request.failure()?.errorText === 'net::ERR_ABORTED')) note(text);
      }),
    );
  });
  page.on('response', (response) => {
    if (response.status() >= 400) note(`HTTP ${response.status()}: ${response.request().method()} ${response.url()}`);
  });

  await page.goto(`${url}/`);
  await page.getByLabel('API token').focus();
  await page.keyboard.type(token);
  await page.keyboard.press('Enter');
  await page.getByTestId('principal').waitFor();
  // The live stream is up once the page says so: events from now on reach it.
  await page.locator('.live[data-connected="true"]').waitFor();
  return {
    page,
    context,
    problems,
    settled: async () => {
      await Promise.all(pending);
    },
    expecting: async (pattern, during) => {
      allowed = pattern;
      try {
        return await during();
      } finally {
        allowed = undefined;
      }
    },
    screenshot: async (name) => {
      const path = join(ARTIFACTS, `${name}.png`);
      await page.screenshot({ path, fullPage: true });
      return path;
    },
    close: async () => {
      // Closing aborts the live stream: that is not a failure of the page.
      recording = false;
      await context.close();
    },
  };
}

/** Go to a hash route and wait for its heading. */
export async function visit(dashboard: DashboardPage, route: string, heading: RegExp): Promise<void> {
  // A string, not a function: the test program has no DOM types.
  await dashboard.page.evaluate(`location.hash = ${JSON.stringify(route)}`);
  await dashboard.page.getByRole('heading', { level: 1, name: heading }).waitFor();
}
