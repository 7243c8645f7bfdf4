// Shared set-up of the browser suites: the static server and Debian's
// Chromium driven by playwright-core.
import { chromium } from 'playwright-core';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '../web/serve.mjs';

export const outputDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'output');

/** A 16×16 RGB gradient PNG: the image the demo tests attach to notes. */
export const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAIAAACQkWg2AAACV0lEQVR42gXBMQqAIAAAQJ/TA3qAD+gB0ShNDRLRJA3hEBJO4hAOEdIk' +
  'DeEgEU7SEE7R3GO6A0lxp0WAhc8Klxd7WZi6WLtiZsUkC7EUfCuGo+ivgjxF+xUYJOhOUYDIZ8jlaC+RqdHaoZmhSSKxIL6h4UD9hciD' +
  '2g9hkFR3WgVY+axyebWXlamrtatmVk2yEkvFt2o4qv6qyFO1X4VB0txpE2Djs8blzV42pm7WrplZM8lGLA3fmuFo+qshT9N+DQYJuVMS' +
  'IPEZcTnZS2JqsnZkZmSSRCyEb2Q4SH8R8pD2Ixgk9E5pgNRn1OV0L6mp6drRmdFJUrFQvtHhoP1FyUPbj2KQjHc6Bjj6bHT5uJejqce1' +
  'G2c2TnIUy8i3cTjG/hrJM7bfiEEi7lQEKHwmXC72UpharJ2YmZikEIvgmxgO0V+CPKL9BAaJulMVoPKZcrnaS2VqtXZqZmqSSiyKb2o4' +
  'VH8p8qj2Uxgk+k51gNpn2uV6L7Wp9drpmelJarFovunh0P2lyaPbT2OQmDs1ARqfGZebvTSmNmtnZmYmacRi+GaGw/SXIY9pP4NBYu/U' +
  'Bmh9Zl1u99Ka2q6dnZmdpBWL5ZsdDttfljy2/SwGyXmnZ4Cnz06Xn3t5mvpcu3Nm5yRPsZx8O4fj7K+TPGf7nRgk4U5DgMFnweVhL4Op' +
  'w9qFmYVJBrEEvoXhCP0VyBPaL2CQxDuNAUafRZfHvYymjmsXZxYnGcUS+RaHI/ZXJE9sv4hB8t7pG+Drs9fl716+pn7X7p3ZO8lXLC/f' +
  '3uF4++slz9t+L/4BHpizED3zKckAAAAASUVORK5CYII=',
  'base64');

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
