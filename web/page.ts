/// <reference lib="dom" />
// The page: the options form, the console (xterm.js), the machine drawn beside it (the panels
// `dv6 debug` prints, and the timeline strip), the journal's download, and a journal opened as
// the debugger (a file, dropped or picked, or ?journal=URL). The machine runs in a worker
// (worker.ts); the page only shows what it sends and types what is typed.

import "@xterm/xterm/css/xterm.css";
import { Terminal } from "@xterm/xterm";
import { optionsFromQuery, type WebOptions } from "./options.ts";
import type { FromWorker, Lanes, Panels, ToWorker } from "./protocol.ts";
import { DEMOS } from "./demos.ts";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const statusLine = $<HTMLParagraphElement>("status");
const download = $<HTMLButtonElement>("download");
const panelsOn = $<HTMLInputElement>("panels-on");
const encoder = new TextEncoder();

/** What a test (or the console of the browser's tools) can ask the page. */
interface PageHook {
  /** Resolves when the machine has booted, or the journal opened (or neither could). */
  booted: Promise<void>;
  /** The console's text, row by row, trailing blanks trimmed. */
  screen(): string;
  /** The journal so far, base64. */
  journal(): Promise<string>;
  /** The machine's steps and the time it spent running them. */
  speed(): { steps: number; busyMs: number };
  /** When the machine ended, how ("halt", "panic", "deadlock", "stop"). */
  end: string | null;
  /** A panel's text as the page shows it (cpus, ps, locks, sems, pipes, uart, lanes). */
  panel(name: string): string;
  /** The step the panels show. */
  shownStep: number;
  /** In an opened journal: runs a debug command; resolves with what it printed. */
  debug(line: string): Promise<string[]>;
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
  // (in a journal, the console only shows: Esc goes to the scrubber)
  if (e.type === "keydown") (mode === "journal" ? $("scrub") : download).focus();
  return false;
});

function screen(): string {
  const b = term.buffer.active;
  const rows: string[] = [];
  for (let i = 0; i < b.length; i++) {
    rows.push((b.getLine(i)?.translateToString(true) ?? "").trimEnd());
  }
  return rows.join("\n").replace(/\n+$/, "");
}

// --- the machine drawn -------------------------------------------------------------------

let shownStep = 0;

function showSnapshot(step: number, panels: Panels, lanes: Lanes, mark: boolean): void {
  shownStep = step;
  for (const [name, lines] of Object.entries(panels)) {
    $(`panel-${name}`).textContent = lines.length === 0 ? "(none)" : lines.join("\n");
  }
  drawLanes(lanes, mark ? step : null);
}

// The strip: a lane per CPU, a character per column, each letter in its colour too (the
// colour only repeats the letter: the text alone says it all).
function drawLanes(l: Lanes, markStep: number | null): void {
  const pre = $<HTMLPreElement>("lanes");
  pre.replaceChildren();
  const width = String(l.lanes.length - 1).length;
  l.lanes.forEach((lane, cpu) => {
    pre.append(`cpu${String(cpu).padEnd(width)} |`);
    for (let i = 0; i < lane.length;) {
      let j = i;
      while (j < lane.length && lane[j] === lane[i]) j++;
      const span = document.createElement("span");
      span.className = /[A-Za-z]/.test(lane[i])
        ? `p${"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".indexOf(lane[i]) % 8}`
        : "idle";
      span.textContent = lane.slice(i, j);
      pre.append(span);
      i = j;
    }
    pre.append("|\n");
  });
  const cols = l.lanes[0]?.length ?? 0;
  if (markStep !== null && cols > 0) {
    const at = Math.min(cols - 1, Math.max(0, Math.floor((markStep - 1) / l.stepsPerColumn)));
    pre.append(`${" ".repeat(width + 5 + at)}^ step ${markStep}\n`);
  }
  pre.append(
    `one column per ${l.stepsPerColumn.toLocaleString("en-US")} steps` +
      (l.firstStep > 0 ? `, from step ${l.firstStep.toLocaleString("en-US")}` : "") +
      "; - scheduler, . idle\n" + l.legend.join(", "),
  );
  // A live strip grows at its right: keep the newest in view.
  if (markStep === null) pre.scrollLeft = pre.scrollWidth;
}

function panelText(name: string): string {
  const el = document.getElementById(name === "lanes" ? "lanes" : `panel-${name}`);
  return el?.textContent ?? "";
}

// --- a live machine ----------------------------------------------------------------------

let worker: Worker | null = null;
const send = (m: ToWorker) => worker?.postMessage(m);

function newWorker(): Worker {
  worker?.terminate();
  worker = new Worker("worker.js", { type: "module" });
  return worker;
}

function start(o: WebOptions, build: string): PageHook {
  const w = newWorker();
  term.onData((data) => {
    if (mode === "live") send({ type: "keys", bytes: encoder.encode(data) });
  });

  let steps = 0, busyMs = 0, ended: string | null = null;
  let bootedOk: () => void = () => {};
  const booted = new Promise<void>((ok) => bootedOk = ok);
  const journals = new Map<number, (bytes: Uint8Array) => void>();
  let nextId = 1;
  let summary = "";
  w.onmessage = (e: MessageEvent<FromWorker>) => {
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
      case "snapshot":
        showSnapshot(m.step, m.panels, m.lanes, false);
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
    if (mode !== "live") return;
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
  send({ type: "boot", boot: o.boot, hz: o.hz, build, panels: panelsOn.checked });
  term.focus();
  return {
    booted,
    screen,
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
    panel: panelText,
    get shownStep() {
      return shownStep;
    },
    debug: () => Promise.reject(new Error("no journal is open")),
  };
}

// --- a journal opened as the debugger ----------------------------------------------------

let mode: "live" | "journal" = "live";

function openJournal(bytes: Uint8Array, name: string): PageHook {
  mode = "journal";
  const w = newWorker();
  download.disabled = true;
  $("debugger").hidden = false;
  panelsOn.disabled = true;
  term.reset();
  say(`opening ${name}`);
  const scrub = $<HTMLInputElement>("scrub");
  const where = $<HTMLParagraphElement>("where");
  const out = $<HTMLPreElement>("debug-out");
  let openedOk: () => void = () => {};
  const opened = new Promise<void>((ok) => openedOk = ok);
  const answers = new Map<number, (lines: string[]) => void>();
  let nextId = 1;
  w.onmessage = (e: MessageEvent<FromWorker>) => {
    const m = e.data;
    switch (m.type) {
      case "opened":
        if (m.error !== null) {
          say(`cannot open ${m.name}: ${m.error}`);
          $("debugger").hidden = true;
        } else {
          scrub.max = String(m.total);
          scrub.value = "0";
          scrub.disabled = false;
          $("journal-name").textContent = m.name;
          say(
            `journal ${m.name}: ${m.total} steps, ${m.ncpu} cpus, ${m.sched}` +
              `${m.sched === "random" ? ` seed ${m.seed}` : ""}`,
          );
          where.textContent = m.where;
        }
        openedOk();
        break;
      case "snapshot":
        showSnapshot(m.step, m.panels, m.lanes, true);
        break;
      case "debugged": {
        const shown = [...m.lines];
        if (m.error !== null) shown.push(m.error);
        out.textContent = shown.join("\n");
        scrub.value = String(m.step);
        where.textContent = m.lines.findLast((l) => l.startsWith("step ")) ?? where.textContent;
        term.reset();
        term.write(m.console);
        answers.get(m.id)?.(shown);
        answers.delete(m.id);
        break;
      }
    }
  };
  const debug = (line: string) =>
    new Promise<string[]>((ok) => {
      const id = nextId++;
      answers.set(id, ok);
      send({ type: "debug", id, line });
    });
  // The scrubber: while a goto runs, only the latest position waits its turn.
  let moving = false, pending: number | null = null;
  const scrubTo = async (step: number) => {
    if (moving) {
      pending = step;
      return;
    }
    moving = true;
    await debug(`goto ${step}`);
    moving = false;
    if (pending !== null) {
      const next = pending;
      pending = null;
      await scrubTo(next);
    }
  };
  scrub.oninput = () => void scrubTo(Number(scrub.value));
  $("step-back").onclick = () => void debug("back");
  $("step-on").onclick = () => void debug("step");
  $<HTMLFormElement>("command-form").onsubmit = (e) => {
    e.preventDefault();
    const input = $<HTMLInputElement>("command");
    if (input.value.trim() !== "") void debug(input.value);
    input.select(); // Enter again repeats it; typing replaces it
  };
  send({ type: "open", bytes, name });
  return {
    booted: opened,
    screen,
    journal: () => Promise.resolve(""),
    speed: () => ({ steps: 0, busyMs: 0 }),
    end: null,
    panel: panelText,
    get shownStep() {
      return shownStep;
    },
    debug,
  };
}

function expose(hook: PageHook): void {
  (globalThis as unknown as { dv6: PageHook }).dv6 = hook;
}

async function openFile(file: File): Promise<void> {
  expose(openJournal(new Uint8Array(await file.arrayBuffer()), file.name));
}

// --- the demos ---------------------------------------------------------------------------

/** Types the demo's script, a command at a time, each at the shell's prompt. */
async function runDemo(name: string, hook: PageHook): Promise<void> {
  const demo = DEMOS.find((d) => d.name === name);
  if (demo === undefined) return say(`no demo '${name}'`);
  $("demo-note").textContent = `${demo.title}: ${demo.note}`;
  await hook.booted;
  for (const line of demo.script) {
    while (!screen().endsWith("$")) {
      if (hook.end !== null) return;
      await new Promise((ok) => setTimeout(ok, 50));
    }
    const from = screen().length;
    send({ type: "keys", bytes: encoder.encode(`${line}\n`) });
    // Wait for the echo: the next prompt is this command's.
    while (screen().indexOf(line, from) < 0) await new Promise((ok) => setTimeout(ok, 20));
  }
}

for (const d of DEMOS) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = d.title;
  b.dataset.demo = d.name;
  // A fresh machine booted with the demo's options, then its script.
  b.onclick = () => location.search = `?${d.query}${d.query === "" ? "" : "&"}demo=${d.name}`;
  $("demo-buttons").append(b);
}

// --- the page opens ----------------------------------------------------------------------

const build = document.querySelector<HTMLMetaElement>('meta[name="dv6-build"]')?.content ?? "";
fillForm(location.search);
const query = new URLSearchParams(location.search);
const journalUrl = query.get("journal");
panelsOn.onchange = () => {
  $("panels").hidden = !panelsOn.checked;
  send({ type: "panels", on: panelsOn.checked });
};
$<HTMLInputElement>("open-file").onchange = (e) => {
  const f = (e.target as HTMLInputElement).files?.[0];
  if (f !== undefined) void openFile(f);
};
document.addEventListener("dragover", (e) => e.preventDefault());
document.addEventListener("drop", (e) => {
  e.preventDefault();
  const f = e.dataTransfer?.files[0];
  if (f !== undefined) void openFile(f);
});
/** The hook while nothing runs: a refused boot, or a journal still coming. */
function noMachine(end: string | null, booted: Promise<void>): PageHook {
  return {
    booted,
    screen,
    journal: () => Promise.resolve(""),
    speed: () => ({ steps: 0, busyMs: 0 }),
    end,
    panel: panelText,
    shownStep: 0,
    debug: () => Promise.reject(new Error("no journal is open")),
  };
}

if (journalUrl !== null) {
  say(`fetching ${journalUrl}`);
  const opening = fetch(journalUrl).then(async (r) => {
    if (!r.ok) throw new Error(`${r.status} ${r.statusText}`);
    const hook = openJournal(new Uint8Array(await r.arrayBuffer()), journalUrl);
    expose(hook);
    await hook.booted;
  }).catch((e) => {
    say(`cannot fetch ${journalUrl}: ${e instanceof Error ? e.message : String(e)}`);
  });
  expose(noMachine(null, opening));
} else {
  try {
    const hook = start(optionsFromQuery(location.search), build);
    expose(hook);
    const demo = query.get("demo");
    if (demo !== null) void runDemo(demo, hook);
  } catch (e) {
    // A bad option in the link: one line, and the form to set it right.
    say(`cannot boot: ${e instanceof Error ? e.message : String(e)}`);
    expose(noMachine("refused", Promise.resolve()));
  }
}
