// The page in a real browser (Debian's Chromium, headless, driven by puppeteer-core): it boots
// to the prompt, takes keys typed into xterm.js, keeps answering while a job computes, keeps
// the clock running while idle, and its journal replays in dv6. Without Chromium these tests
// are skipped, with one line saying how to install it.

import assert from "node:assert/strict";
import type { Browser, Page } from "puppeteer-core";
import { dv6, headerOf, replay, withTemp } from "../helpers.ts";
import {
  focusedId,
  haveChromium,
  launch,
  NO_CHROMIUM,
  openAtPrompt,
  poll,
  prop,
  serveBuiltSite,
  type Site,
  waitForScreen,
} from "./browser.ts";

const ready = haveChromium();
if (!ready) console.log(NO_CHROMIUM);

interface Hook {
  dv6: { journal(): Promise<string>; end: string | null };
}

async function pageJournal(page: Page): Promise<Uint8Array> {
  const b64 = await page.evaluate(() => (globalThis as unknown as Hook).dv6.journal());
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

const statusText = (page: Page) => page.$eval("#status", (e) => e.textContent ?? "");

/** The text after the last `$ CMD` line the console shows. */
function answerTo(screen: string, cmd: string): string {
  const at = screen.lastIndexOf(`$ ${cmd}\n`);
  return at < 0 ? "" : screen.slice(at + cmd.length + 3);
}

Deno.test({
  name: "the page in a browser",
  ignore: !ready,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const site: Site = await serveBuiltSite();
    const browser: Browser = await launch();
    try {
      const page = await openAtPrompt(browser, site.url);

      await t.step("boots to the shell's prompt", async () => {
        const text = await waitForScreen(page, (s) => s.endsWith("$"));
        assert.match(text, /^init: starting sh\n\$$/);
        assert.match(await statusText(page), /^running: 3 cpus, rr, 10 ticks\/s/);
      });

      await t.step(
        "keys typed into xterm reach the console, and its answer comes back",
        async () => {
          await page.keyboard.type("echo hi\n");
          const text = await waitForScreen(page, (s) => answerTo(s, "echo hi") === "hi\n$");
          assert.ok(text.includes("$ echo hi\nhi\n$"));
          // The line discipline edits: Backspace and Ctrl-U are the console's.
          await page.keyboard.type("echo abx");
          await page.keyboard.press("Backspace");
          await page.keyboard.type("c\n");
          await waitForScreen(page, (s) => s.endsWith("abc\n$"));
        },
      );

      await t.step(
        "a job computing in the background never stops the shell answering",
        async () => {
          await page.keyboard.type("spin &\n");
          const started = await waitForScreen(page, (s) => /\$ spin &\n\[\d+\]\n\$$/.test(s));
          const pid = answerTo(started, "spin &").match(/^\[(\d+)\]/)![1];
          await page.keyboard.type("ps\n");
          const text = await waitForScreen(page, (s) => answerTo(s, "ps").endsWith("\n$"));
          assert.match(answerTo(text, "ps"), /^ +\d+ +2 run +\d+ spin /m);
          await page.keyboard.type("echo still here\n");
          await waitForScreen(page, (s) => s.endsWith("$ echo still here\nstill here\n$"));
          // The spinner goes: the journal stays short.
          await page.keyboard.type(`kill ${pid}\n`);
          await waitForScreen(page, (s) => s.endsWith(`$ kill ${pid}\n$`));
        },
      );

      await t.step("Ctrl-C stops the foreground job; Ctrl-P lists the processes", async () => {
        await page.keyboard.type("spin\n");
        await waitForScreen(page, (s) => s.endsWith("$ spin"));
        await page.keyboard.down("Control");
        await page.keyboard.press("p");
        await page.keyboard.press("c");
        await page.keyboard.up("Control");
        const text = await waitForScreen(page, (s) => s.endsWith("^C\n$"));
        assert.match(answerTo(text, "spin"), /\d+ run +spin/); // procdump's line for it
      });

      await t.step("the journal made in the page replays, step for step", async () => {
        const journal = await pageJournal(page);
        const header = headerOf(journal) as { ncpu: number; options: { clock: string } };
        assert.equal(header.ncpu, 3);
        assert.equal(header.options.clock, "host");
        const r = replay(journal);
        assert.equal(r.end?.kind, "stop");
        assert.ok(r.out.includes("$ echo hi\nhi\n"));
        assert.ok(r.out.includes("still here\n"));
      });

      await t.step(
        "keyboard only: Esc leaves the console, Enter downloads the journal",
        async () => {
          await withTemp(async (dir) => {
            const cdp = await page.createCDPSession();
            await cdp.send("Browser.setDownloadBehavior", { behavior: "allow", downloadPath: dir });
            await page.keyboard.press("Escape");
            assert.equal(await focusedId(page), "download");
            await page.keyboard.press("Enter");
            const downloaded = () =>
              Promise.resolve(
                [...Deno.readDirSync(dir)].map((e) => e.name).find((n) => n.endsWith(".log")) ??
                  "",
              );
            const file = await poll(downloaded, (f) => f !== "", "the downloaded journal");
            assert.match(file, /^dv6-web-\d{8}-\d{6}\.log$/);
            const r = await dv6(["replay", `${dir}/${file}`], { home: dir });
            assert.equal(r.code, 0, r.err);
            assert.match(r.out, /replay: \d+ steps verified/);
            assert.ok(r.out.includes("still here"));
          });
          // A look at the page, kept (not committed) as the run's artifact.
          const out = new URL("../../bench/out/", import.meta.url).pathname;
          await Deno.mkdir(out, { recursive: true });
          await page.screenshot({ path: `${out}web-console.png`, fullPage: true });
        },
      );
      await page.close();

      await t.step(
        "options from the URL: the form shows them, the journal keeps them",
        async () => {
          const p = await openAtPrompt(
            browser,
            `${site.url}?cpus=2&sched=random&seed=2&broken-sleep&hz=100`,
          );
          assert.match(await statusText(p), /^running: 2 cpus, random seed 2, 100 ticks\/s/);
          assert.equal(await prop(p, "input[name=cpus]", "value"), "2");
          assert.equal(await prop(p, "input[name=broken-sleep]", "checked"), true);
          // The host's clock ticks while the machine idles: a sleep ends without a key.
          await p.keyboard.type("sleep 20; echo woke\n");
          await waitForScreen(p, (s) => s.endsWith("woke\n$"));
          const h = headerOf(await pageJournal(p)) as {
            ncpu: number;
            sched: string;
            seed: number;
            options: Record<string, unknown>;
          };
          assert.deepEqual([h.ncpu, h.sched, h.seed], [2, "random", 2]);
          assert.deepEqual(h.options, { robustFast: "pcrange", clock: "host", brokenSleep: true });
          await p.close();
        },
      );

      await t.step("the form, by keyboard: Enter in a field boots with its options", async () => {
        const p = await openAtPrompt(browser, site.url);
        await p.focus("input[name=cpus]");
        await p.keyboard.down("Control");
        await p.keyboard.press("a");
        await p.keyboard.up("Control");
        await p.keyboard.type("1");
        await Promise.all([p.waitForNavigation(), p.keyboard.press("Enter")]);
        assert.match(
          new URL(p.url()).search,
          /^\?cpus=1&sched=rr&seed=0&robust-fast=pcrange&hz=10$/,
        );
        await waitForScreen(p, (s) => s.endsWith("$"));
        assert.match(await statusText(p), /^running: 1 cpus, rr, 10 ticks\/s/);
        await p.close();
      });

      await t.step("a bad option in the URL: one line, and nothing boots", async () => {
        const p = await browser.newPage();
        await p.goto(`${site.url}?cpus=0`);
        await poll(() => statusText(p), (s) => s !== "loading", "the status line");
        assert.equal(
          await statusText(p),
          "cannot boot: cpus takes a whole number from 1 to 64, not '0'",
        );
        await p.close();
      });

      await t.step(
        "Ctrl-D and a kernel panic: said in text, and the journal replays to it",
        async () => {
          const p = await openAtPrompt(browser, site.url);
          // ^D at the prompt is end of file for the shell, which exits; init starts another.
          await p.keyboard.down("Control");
          await p.keyboard.press("d");
          await p.keyboard.up("Control");
          await waitForScreen(p, (s) => s.endsWith("init: starting sh\n$"));
          await p.keyboard.type("kill 1\n");
          const text = await waitForScreen(p, (s) => s.includes("dv6: kernel panic;"));
          assert.equal(
            await statusText(p),
            "stopped: kernel panic; download the journal to replay it",
          );
          // (the ^D is not echoed: the console takes it as end of file)
          assert.match(
            text,
            /^init: starting sh\n\$ init: starting sh\n\$ kill 1\npanic: init exiting\n/,
          );
          const r = replay(await pageJournal(p));
          assert.equal(r.end?.kind, "panic");
          await p.close();
        },
      );
    } finally {
      await browser.close();
      await site.close();
    }
  },
});
