// Shared set-up of the browser suites: the static server and Debian's
// Chromium driven by playwright-core.
import { chromium } from 'playwright-core';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '../web/serve.mjs';

export const outputDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'output');

const args = [
  '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-quic',
];

/** Starts the server and a fresh headless Chromium; returns them with a stop(). */
export async function start() {
  await mkdir(outputDir, { recursive: true });
  const server = await serve();
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args,
  });
  return {
    url: server.url,
    browser,
    async stop() {
      await browser.close();
      await server.close();
    },
  };
}
