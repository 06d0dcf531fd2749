// The machine drawn in the page (issue 14): the panels are the text `dv6 debug`'s commands
// print, live beside the console; a journal from the CLI opened in the page is the debugger,
// and its panels at a step say what `dv6 debug` says there; a demo runs to its end. Chromium
// headless, as page_test.ts; skipped without it.

import assert from "node:assert/strict";
import type { Browser, Page } from "puppeteer-core";
import { dv6, withTemp } from "../helpers.ts";
import {
  focusedId,
  haveChromium,
  launch,
  NO_CHROMIUM,
  openAtPrompt,
  poll,
  serveBuiltSite,
  type Site,
  waitForScreen,
} from "./browser.ts";

const ready = haveChromium();
if (!ready) console.log(NO_CHROMIUM);

interface Hook {
  dv6: { panel(name: string): string; shownStep: number; booted: Promise<void> };
}

const panel = (page: Page, name: string) =>
  page.evaluate((n) => (globalThis as unknown as Hook).dv6.panel(n), name);

/** Waits until the page shows step `step` in its panels. */
async function waitForStep(page: Page, step: number): Promise<void> {
  const shown = () => page.evaluate(() => (globalThis as unknown as Hook).dv6.shownStep);
  await poll(shown, (s) => s === step, `step ${step} in the panels`);
}

/** Polls a panel until its text passes `test`. */
function waitForPanel(page: Page, name: string, test: (t: string) => boolean): Promise<string> {
  return poll(() => panel(page, name), test, `the ${name} panel's text`);
}

/** What `dv6 debug LOG -x "goto STEP; CMD"` prints for CMD (after the two where lines). */
async function cliSays(log: string, home: string, step: number | "end", cmd: string) {
  const r = await dv6(["debug", log, "-x", `goto ${step}; ${cmd}`], { home });
  assert.equal(r.code, 0, r.err);
  return r.out.trimEnd().split("\n").slice(2).join("\n");
}

Deno.test({
  name: "the machine drawn in the page",
  ignore: !ready,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const site: Site = await serveBuiltSite();
    const browser: Browser = await launch();
    try {
      await t.step("live: the process panel lists the spinner after `spin &`", async () => {
        const page = await openAtPrompt(browser, site.url);
        await page.keyboard.type("spin &\n");
        const started = await waitForScreen(page, (s) => /\$ spin &\n\[\d+\]\n\$$/.test(s));
        const pid = started.match(/\[(\d+)\]\n\$$/)![1];
        const ps = await waitForPanel(page, "ps", (t) => t.includes(" spin"));
        assert.match(ps, /^PID +PPID +STATE +CPU +WAITS FOR +IN CALL +NAME +KILLED$/m);
        assert.match(ps, new RegExp(`^${pid} +2 +(running|runnable) .* spin *$`, "m"));
        // The timeline strip: a lane per CPU, the spinner's letter in it, and said who it is.
        const lanes = await waitForPanel(page, "lanes", (t) => t.includes(`pid ${pid} (spin)`));
        assert.match(lanes, /^cpu0 \|.*\|\ncpu1 \|.*\|\ncpu2 \|.*\|$/m);
        const letter = lanes.match(new RegExp(`(\\w) pid ${pid} \\(spin\\)`))![1];
        assert.match(lanes, new RegExp(`^cpu\\d \\|[^|]*${letter}`, "m"));
        await page.close();
      });

      await withTemp(async (home) => {
        // A lost wakeup recorded by the CLI: it hangs, and its journal says where.
        const log = `${home}/lost.log`;
        const rec = await dv6([
          "-c",
          "cat /demo/long.txt",
          "--broken-sleep",
          "--sched",
          "random",
          "--seed",
          "2",
          "--journal",
          log,
        ], { home });
        assert.equal(rec.code, 4, rec.err); // a deadlock
        await Deno.copyFile(log, `${site.dir}/lost.log`);
        const page = await browser.newPage();
        await page.goto(`${site.url}?journal=lost.log`, { waitUntil: "load" });
        await page.evaluate(() => (globalThis as unknown as Hook).dv6.booted);

        await t.step(
          "a CLI journal scrubbed to step N: the panels say what dv6 debug does",
          async () => {
            const status = await page.$eval("#status", (e) => e.textContent ?? "");
            const total = Number(status.match(/: (\d+) steps/)![1]);
            const n = Math.floor(total / 2);
            // The scrubber, moved as a mouse moves it.
            await page.$eval("#scrub", (e, n) => {
              (e as unknown as { value: string }).value = String(n);
              e.dispatchEvent(new Event("input"));
            }, n);
            await waitForStep(page, n);
            assert.equal(await panel(page, "ps"), await cliSays(log, home, n, "ps"));
            assert.equal(await panel(page, "cpus"), await cliSays(log, home, n, "cpus"));
            // The console as it was at that step (xterm draws it a moment later).
            const console = await cliSays(log, home, n, "console 1000");
            await waitForScreen(page, (s) => s === console);
            // By keyboard: End takes the scrubber to the last step, where cat sleeps for good.
            await page.focus("#scrub");
            await page.keyboard.press("End");
            await waitForStep(page, total);
            assert.equal(await panel(page, "ps"), await cliSays(log, home, "end", "ps"));
            assert.equal(await panel(page, "uart"), await cliSays(log, home, "end", "uart"));
          },
        );

        await t.step(
          "the command box runs dv6 debug's commands; Esc and Tab reach it",
          async () => {
            // Esc leaves the console (which only shows, here) for the scrubber.
            await page.click("#console");
            await page.keyboard.press("Escape");
            assert.equal(await focusedId(page), "scrub");
            await page.keyboard.press("Tab");
            await page.keyboard.press("Tab");
            await page.keyboard.press("Tab");
            assert.equal(await focusedId(page), "command");
            await page.keyboard.type("why 3\n");
            const expected = await cliSays(log, home, "end", "why 3");
            const out = () => page.$eval("#debug-out", (e) => e.textContent ?? "");
            await poll(out, (o) => o === expected, "why 3's answer");
            // Back a step, by the button: the panels follow.
            const total = await page.evaluate(() => (globalThis as unknown as Hook).dv6.shownStep);
            await page.click("#step-back");
            await waitForStep(page, total - 1);
          },
        );
        await page.close();

        await t.step(
          "a journal picked or dropped in a running page opens it as the debugger",
          async () => {
            const p = await openAtPrompt(browser, site.url);
            const picker = await p.$("input#open-file");
            await picker!.uploadFile(log);
            const status = () => p.$eval("#status", (e) => e.textContent ?? "");
            await poll(status, (s) => s.startsWith("journal"), "the journal's status line");
            assert.match(await status(), /^journal lost\.log: \d+ steps, 3 cpus, random seed 2$/);
            const hidden = await p.$eval(
              "#debugger",
              (e) => (e as unknown as { hidden: boolean }).hidden,
            );
            assert.equal(hidden, false);
            // At step 0 the machine has only booted: init is all there is.
            await waitForStep(p, 0);
            assert.equal(await panel(p, "ps"), await cliSays(log, home, 0, "ps"));
            // A file that is no journal: one line says so.
            const notes = `${home}/notes.txt`;
            await Deno.writeTextFile(notes, "not a journal\n");
            await picker!.uploadFile(notes);
            await poll(status, (s) => s.startsWith("cannot"), "the status line");
            assert.equal(await status(), "cannot open notes.txt: not a dv6 journal (bad magic)");
            // Dropped on the page, as a file from the desktop.
            const bytes = [...await Deno.readFile(log)];
            await p.evaluate((bytes) => {
              const g = globalThis as unknown as {
                DataTransfer: new () => { items: { add(f: unknown): void } };
                File: new (parts: unknown[], name: string) => unknown;
                DragEvent: new (type: string, init: unknown) => unknown;
                document: { body: { dispatchEvent(e: unknown): void } };
              };
              const dt = new g.DataTransfer();
              dt.items.add(new g.File([new Uint8Array(bytes)], "dropped.log"));
              g.document.body.dispatchEvent(
                new g.DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }),
              );
            }, bytes);
            await poll(status, (s) => s.startsWith("journal dropped"), "the status line");
            assert.match(await status(), /^journal dropped\.log: \d+ steps/);
            await p.close();
          },
        );
      });

      await t.step(
        "a demo, one click away, runs to its end: SEM_UNDO gives the token back",
        async () => {
          const page = await openAtPrompt(browser, site.url);
          await Promise.all([page.waitForNavigation(), page.click("button[data-demo=sem-undo]")]);
          const text = await waitForScreen(
            page,
            (s) => s.endsWith("$ semctl 0 0 getval\n1\n$"),
            30_000,
          );
          assert.match(text, /\$ semop 0 0:-1:u --hold &\n\[\d+\]\n/);
          assert.match(text, /\$ semctl 0 0 getval\n0\n\$ pkill -n -x semop\n/);
          assert.match(
            await page.$eval("#demo-note", (e) => e.textContent ?? ""),
            /^SEM_UNDO gives a token back: .*semaphores panel/,
          );
          await page.close();
        },
      );
    } finally {
      await browser.close();
      await site.close();
    }
  },
});
