// The page's figures (issue 14): the page loaded in headless Chromium until the shell's prompt
// shows in its console (target under 1 s), and the machine's speed in the page's worker against
// the CLI's in this process, the same program (`spin -w STEPS`, journaled) on both (target at
// least 0.5). The worker's speed counts the time it spent running steps (its slices, and the
// panels' snapshots between them), as the CLI's counts its run; it is measured with the
// machine drawn (the panels on, as the page opens) and not (off). Skipped without Chromium
// (apt-get install chromium).

import { num, ratio, type Row, runAlone, Table } from "./table.ts";
import { boot } from "./boot.ts";
import {
  CHROMIUM,
  haveChromium,
  launch,
  openAtPrompt,
  serveBuiltSite,
  waitForScreen,
} from "../tests/web/browser.ts";
import type { Page } from "puppeteer-core";

const FULL = { loads: 5, spinSteps: 3_000_000, spins: 3 };
const QUICK = { loads: 1, spinSteps: 100_000, spins: 1 };

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

type Speed = { steps: number; busyMs: number };
const speed = (page: Page) =>
  page.evaluate(() => (globalThis as unknown as { dv6: { speed(): Speed } }).dv6.speed());

/** The worker's figures once the machine rests: it says how far it is a few times a second
 * (idle, a tick's few steps; the spin's are millions). */
async function restingSpeed(page: Page): Promise<Speed> {
  await new Promise((ok) => setTimeout(ok, 500));
  return await speed(page);
}

export async function webFigures(quick: boolean, tmp: string, build: string, first = 1) {
  const table = new Table();
  table.section(`${first}. the page in headless Chromium (deno task web)`);
  if (!haveChromium()) {
    table.row("page load to prompt, ms", "skipped", `(no ${CHROMIUM}: apt-get install chromium)`);
    return table.rows as Row[];
  }
  const { loads, spinSteps, spins } = quick ? QUICK : FULL;
  const site = await serveBuiltSite();
  const browser = await launch();
  try {
    // A first load warms the browser (its processes, its compiler), as a person's open
    // browser is; then each load is a new page, from navigation to the prompt on the screen.
    await (await openAtPrompt(browser, site.url)).close();
    const loadMs: number[] = [];
    for (let i = 0; i < loads; i++) {
      const t0 = performance.now();
      const page = await openAtPrompt(browser, site.url);
      loadMs.push(performance.now() - t0);
      await page.close();
    }
    const page = await openAtPrompt(browser, site.url);
    const spin = `spin -w ${spinSteps}`;
    // The worker's speed over one spin, the panels on or off (the page's checkbox).
    const webRate = async (panels: boolean): Promise<number> => {
      if (
        await page.$eval("#panels-on", (e) => (e as unknown as { checked: boolean }).checked) !==
          panels
      ) {
        await page.click("#panels-on");
        await page.click("#console"); // the keys go to the console again
      }
      const before = await restingSpeed(page);
      await page.keyboard.type(`${spin}\n`);
      await waitForScreen(page, (s) => s.endsWith(`$ ${spin}\n$`), 300_000);
      const after = await restingSpeed(page);
      return (after.steps - before.steps) / ((after.busyMs - before.busyMs) / 1000);
    };
    const onRates: number[] = [], offRates: number[] = [], cliRates: number[] = [];
    for (let i = 0; i < spins; i++) {
      // Turn about, which goes first: a later run finds the worker's code warmer.
      for (const panels of i % 2 === 0 ? [true, false] : [false, true]) {
        (panels ? onRates : offRates).push(await webRate(panels));
      }
      const b = boot({ argv: ["spin", "-w", String(spinSteps)], tmp, build, journal: true });
      if (b.end?.kind !== "halt") throw new Error(`exec ${spin}: ${JSON.stringify(b.end)}`);
      cliRates.push(b.m.steps / (b.ms / 1000));
    }
    const on = median(onRates), off = median(offRates), cli = median(cliRates);
    table.row(
      "page load to prompt, ms, median",
      num(median(loadMs), 1),
      `(${loads} loads; target < 1,000)`,
    );
    table.row(`${spin} in the page's worker, panels on: steps/s`, num(on), `(median of ${spins})`);
    table.row(
      `${spin} in the page's worker, panels off: steps/s`,
      num(off),
      `(median of ${spins})`,
    );
    table.row(`${spin} by the CLI's machine: steps/s`, num(cli), `(median of ${spins})`);
    table.row("ratio panels on / off steps/s", ratio(on / off), "(the cost of drawing it)");
    table.row("ratio worker (panels on) / CLI steps/s", ratio(on / cli), "(target >= 0.5)");
    await page.close();
  } finally {
    await browser.close();
    await site.close();
  }
  return table.rows as Row[];
}

if (import.meta.main) {
  await runAlone(
    "web",
    Deno.args,
    webFigures,
    (quick) => `dv6 web bench${quick ? " --quick" : ""}`,
  );
}
