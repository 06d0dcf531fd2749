// A headless Chromium (Debian's, /usr/bin/chromium) driven by puppeteer-core, for the page's
// tests and its benchmark, and the page's site built and served on 127.0.0.1.

import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { buildWeb } from "../../web/build.ts";
import { serveSite } from "../../web/serve.ts";

export const CHROMIUM = Deno.env.get("DV6_CHROMIUM") ?? "/usr/bin/chromium";

/** Is there a Chromium to drive? Without it the browser tests skip, saying how to get it. */
export function haveChromium(): boolean {
  try {
    return Deno.statSync(CHROMIUM).isFile;
  } catch {
    return false;
  }
}

export const NO_CHROMIUM =
  `no ${CHROMIUM}: browser tests skipped (install it: apt-get install chromium)`;

/** A built site, served on a free port of 127.0.0.1. */
export interface Site {
  url: string;
  dir: string;
  close(): Promise<void>;
}

export async function serveBuiltSite(): Promise<Site> {
  const dir = await Deno.makeTempDir({ prefix: "dv6-web-test-" });
  await buildWeb(dir);
  const server = serveSite(dir, "127.0.0.1", 0);
  return {
    url: `http://127.0.0.1:${(server.addr as Deno.NetAddr).port}/`,
    dir,
    close: async () => {
      await server.shutdown();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

export async function launch(): Promise<Browser> {
  const profile = await Deno.makeTempDir({ prefix: "dv6-chromium-" });
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    userDataDir: profile,
    // As root, Chromium needs --no-sandbox; the rest keep it off a network it cannot reach.
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  browser.on("disconnected", () => Deno.remove(profile, { recursive: true }).catch(() => {}));
  return browser;
}

/** The page's console text (window.dv6.screen()). */
export function screen(page: Page): Promise<string> {
  return page.evaluate(() => (globalThis as unknown as { dv6: { screen(): string } }).dv6.screen());
}

/** Reads `read` every 20 ms until its value passes `test`, and returns it; after `ms` it gives
 * up, saying what `what` was waited for and the last value read. */
export async function poll<T>(
  read: () => Promise<T>,
  test: (value: T) => boolean,
  what: string,
  ms = 10_000,
): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (test(value)) return value;
    if (Date.now() > until) throw new Error(`${what} never came; last read:\n${value}`);
    await new Promise((ok) => setTimeout(ok, 20));
  }
}

/** Waits until the console's text passes `test` (polled; gives up after `ms` with the text). */
export function waitForScreen(
  page: Page,
  test: (text: string) => boolean,
  ms = 10_000,
): Promise<string> {
  return poll(() => screen(page), test, "the console's text", ms);
}

/** Opens the page (with a query string) and waits for the shell's first prompt. */
export async function openAtPrompt(browser: Browser, url: string): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(url, { waitUntil: "load" });
  await waitForScreen(page, (t) => t.endsWith("$"));
  return page;
}

/** A property of the element `selector` picks (an input's value, a box's checked). */
export function prop(page: Page, selector: string, name: string): Promise<unknown> {
  return page.$eval(selector, (e, n) => (e as unknown as Record<string, unknown>)[n], name);
}

/** The id of the element that has the keyboard's focus. */
export function focusedId(page: Page): Promise<string | undefined> {
  return page.evaluate(() =>
    (globalThis as unknown as { document: { activeElement: { id: string } | null } }).document
      .activeElement?.id
  );
}
