/**
 * The browser tests' harness (docs/testing.md, "Browser tests"): the SDK bundle that
 * `npm run build:sdk` makes, built into a temporary directory; a tiny page that loads it,
 * served from 127.0.0.1 (a secure context, as WebCrypto wants) by a plain Node HTTP
 * server; and Debian's Chromium driven headless by playwright-core, with a fresh profile.
 *
 * Chromium is found by scripts/ensure-chromium.sh --find, the script `npm test` runs
 * first (pretest) to find or install it. When there is none the test fails with that
 * script's one sentence naming the command: never a skip. The harness serves nothing of
 * the product and adds no route to it; the page reaches the Egide server over CORS.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type * as EgideSdk from '../../src/client';
import { projectRoot } from '../../src/common/config/environment';
import { makeTempDir } from '../support/test-app';

/** What the test page puts on `window`: the SDK bundle's module namespace. */
export interface SdkWindow {
  egide: typeof EgideSdk;
}

/** The flags every launch uses: headless, no sandbox (root in CI), nothing that phones home. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const TEST_PAGE = `<!doctype html>
<html lang="en">
<meta charset="utf-8">
<title>Egide SDK in a browser</title>
<link rel="icon" href="data:,">
<script type="module">
  import * as egide from '/egide-sdk.js';
  window.egide = egide;
  document.title = 'Egide SDK loaded';
</script>
</html>
`;

/** The Chromium executable, or an error carrying ensure-chromium.sh's one sentence. */
export function chromiumExecutable(): string {
  try {
    return execFileSync(join(projectRoot(), 'scripts', 'ensure-chromium.sh'), ['--find'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new Error(stderr !== undefined && stderr !== '' ? stderr : `scripts/ensure-chromium.sh --find failed: ${String(error)}`, { cause: error });
  }
}

export interface SdkPageServer {
  /** http://127.0.0.1:<port>, the page's origin (what CORS_ORIGINS must list). */
  readonly origin: string;
  close(): Promise<void>;
}

/**
 * Builds the SDK bundle exactly as `npm run build:sdk` does (same script, so its
 * browser-clean checks run too) into `directory`, and serves it with the test page.
 */
export async function serveSdkPage(directory: string): Promise<SdkPageServer> {
  const bundle = join(directory, 'egide-sdk.js');
  execFileSync(process.execPath, [join(projectRoot(), 'scripts', 'build-sdk.mjs'), '--outfile', bundle], { stdio: ['ignore', 'ignore', 'pipe'] });
  const files: Record<string, { type: string; body: Buffer | string }> = {
    '/': { type: 'text/html; charset=utf-8', body: TEST_PAGE },
    '/egide-sdk.js': { type: 'text/javascript; charset=utf-8', body: readFileSync(bundle) },
    '/egide-sdk.js.map': { type: 'application/json', body: readFileSync(`${bundle}.map`) },
  };
  const server = createServer((request, response) => {
    const file = request.method === 'GET' ? files[new URL(request.url ?? '/', 'http://127.0.0.1').pathname] : undefined;
    if (file === undefined) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    response.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-store' }).end(file.body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error === undefined ? resolve() : reject(error)));
      }),
  };
}

export interface SdkBrowser {
  readonly page: Page;
  /** Uncaught errors and console errors the page reported, for failure messages. */
  readonly pageErrors: string[];
  close(): Promise<void>;
}

/** Launches Chromium on a fresh profile and opens the test page at `origin`, the SDK loaded. */
export async function openSdkPage(origin: string): Promise<SdkBrowser> {
  const executablePath = chromiumExecutable();
  const profile = makeTempDir('egide-chromium-profile-');
  let context: BrowserContext | undefined;
  try {
    context = await chromium.launchPersistentContext(profile, { executablePath, headless: true, args: CHROMIUM_ARGS });
    const page = context.pages()[0] ?? (await context.newPage());
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => 'egide' in globalThis, undefined, { timeout: 30_000 });
    const opened = context;
    return {
      page,
      pageErrors,
      close: async () => {
        await opened.close();
        rmSync(profile, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await context?.close();
    rmSync(profile, { recursive: true, force: true });
    throw error;
  }
}
