/// <reference lib="dom" />
// The page: the options form, the console (xterm.js) and the journal's download. The machine
// runs in a worker (worker.ts); the page only shows what it writes and types what is typed.

import "@xterm/xterm/css/xterm.css";
import { Terminal } from "@xterm/xterm";
import { optionsFromQuery, type WebOptions } from "./options.ts";
import type { FromWorker, ToWorker } from "./protocol.ts";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const statusLine = $<HTMLParagraphElement>("status");
const download = $<HTMLButtonElement>("download");
const encoder = new TextEncoder();

/** What a test (or the console of the browser's tools) can ask the page. */
interface PageHook {
  /** Resolves when the machine has booted (or the options were refused). */
  booted: Promise<void>;
  /** The console's text, row by row, trailing blanks trimmed. */
  screen(): string;
  /** The journal so far, base64. */
  journal(): Promise<string>;
  /** The machine's steps and the time it spent running them. */
  speed(): { steps: number; busyMs: number };
  /** When the machine ended, how ("halt", "panic", "deadlock", "stop"). */
  end: string | null;
}

/** The form shows the options in force (a link's, or the defaults). */
function fillForm(search: string): void {
  const q = new URLSearchParams(search);
  const form = $<HTMLFormElement>("options");
  for (const el of Array.from(form.elements) as HTMLInputElement[]) {
    if (!el.name) continue;
    const v = q.get(el.name);
    if (el.type === "checkbox") el.checked = v !== null && !["0", "false", "off", "no"].includes(v);
    else if (v !== null) el.value = v;
  }
}

function say(text: string): void {
  statusLine.textContent = text;
}

function start(o: WebOptions, build: string): PageHook {
  const term = new Terminal({
    convertEol: true, // the machine writes \n; the screen needs \r\n
    rows: 30,
    cols: 100,
    scrollback: 5000,
    fontFamily: "ui-monospace, Menlo, Consolas, monospace",
  });
  term.open($("console"));
  // Esc leaves the console for the controls (Tab is the machine's there): keyboard-only use.
  term.attachCustomKeyEventHandler((e) => {
    if (e.key !== "Escape") return true;
    if (e.type === "keydown") download.focus();
    return false;
  });
  const worker = new Worker("worker.js", { type: "module" });
  const send = (m: ToWorker) => worker.postMessage(m);
  term.onData((data) => send({ type: "keys", bytes: encoder.encode(data) }));

  let steps = 0, busyMs = 0, ended: string | null = null;
  let bootedOk: () => void = () => {};
  const booted = new Promise<void>((ok) => bootedOk = ok);
  const journals = new Map<number, (bytes: Uint8Array) => void>();
  let nextId = 1;
  let summary = "";
  worker.onmessage = (e: MessageEvent<FromWorker>) => {
    const m = e.data;
    switch (m.type) {
      case "booted":
        summary = `${m.ncpu} cpus, ${m.sched}${m.sched === "random" ? ` seed ${m.seed}` : ""}, ` +
          `${m.hz} ticks/s`;
        say(`running: ${summary}`);
        bootedOk();
        break;
      case "output":
        term.write(m.text);
        break;
      case "status":
        steps = m.steps;
        busyMs = m.busyMs;
        if (ended === null) {
          say(`running: ${summary}; ${m.steps} steps, ${m.ticks} ticks${m.idle ? ", idle" : ""}`);
        }
        break;
      case "end": {
        ended = m.kind;
        const what = m.kind === "panic"
          ? "kernel panic"
          : m.kind === "deadlock"
          ? "deadlock"
          : m.kind === "halt"
          ? "the machine halted"
          : "the machine stopped";
        if (m.report !== "") term.write(`\n${m.report}\n`);
        term.write(
          `\ndv6: ${what}; the journal replays it: Download journal, then dv6 replay FILE\n`,
        );
        say(`stopped: ${what}; download the journal to replay it`);
        break;
      }
      case "journal":
        journals.get(m.id)?.(m.bytes);
        journals.delete(m.id);
        break;
    }
  };
  const journal = () =>
    new Promise<Uint8Array>((ok) => {
      const id = nextId++;
      journals.set(id, ok);
      send({ type: "journal", id });
    });
  download.addEventListener("click", async () => {
    const bytes = await journal();
    const url = URL.createObjectURL(new Blob([bytes as BlobPart]));
    const a = document.createElement("a");
    const stamp = new Date().toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
    a.href = url;
    a.download = `dv6-web-${stamp}.log`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  });
  download.disabled = false;
  send({ type: "boot", boot: o.boot, hz: o.hz, build });
  term.focus();
  return {
    booted,
    screen: () => {
      const b = term.buffer.active;
      const rows: string[] = [];
      for (let i = 0; i < b.length; i++) {
        rows.push((b.getLine(i)?.translateToString(true) ?? "").trimEnd());
      }
      return rows.join("\n").replace(/\n+$/, "");
    },
    journal: async () => {
      const bytes = await journal();
      let s = "";
      for (const b of bytes) s += String.fromCharCode(b);
      return btoa(s);
    },
    speed: () => ({ steps, busyMs }),
    get end() {
      return ended;
    },
  };
}

const build = document.querySelector<HTMLMetaElement>('meta[name="dv6-build"]')?.content ?? "";
fillForm(location.search);
let hook: PageHook;
try {
  hook = start(optionsFromQuery(location.search), build);
} catch (e) {
  // A bad option in the link: one line, and the form to set it right.
  say(`cannot boot: ${e instanceof Error ? e.message : String(e)}`);
  hook = {
    booted: Promise.resolve(),
    screen: () => "",
    journal: () => Promise.resolve(""),
    speed: () => ({ steps: 0, busyMs: 0 }),
    end: "refused",
  };
}
(globalThis as unknown as { dv6: PageHook }).dv6 = hook;
