// The machine in a Web Worker: the CLI's kernel and programs, booted from the same journal
// header as the REPL's (on the host's clock), journaled into memory. It runs in slices, and
// between two slices it takes the page's messages (keys, a journal request), so background
// jobs never freeze typing; while nothing runs it sleeps until the next tick or a key. With
// the panels on, it sends a snapshot of the machine at most every STATUS_MS, between slices.
//
// Or a journal opened as `dv6 debug` opens it: a Timeline and a Debugger (shell/), the page's
// commands run one at a time, and between them idle time readies machines (Timeline.prepare)
// so that going back is fast.

import { JournalReader, JournalWriter, type Sink } from "../kernel/journal.ts";
import type { Machine } from "../kernel/machine.ts";
import { concat, headerFor, machineFrom } from "../shell/boot.ts";
import { HostClock } from "../shell/hostclock.ts";
import { Timeline } from "../shell/timetravel.ts";
import { DebugError, Debugger, splitCommands } from "../shell/debugger.ts";

import type { FromWorker, ToWorker } from "./protocol.ts";
import { indexLanes, LiveLanes, panelsOf } from "./snapshot.ts";

/** Steps between two looks at the clock. */
const SLICE_STEPS = 2_000;
/** How long the machine computes before it lets the page's messages in. */
const SLICE_MS = 8;
/** How often the page hears how far the machine is. */
const STATUS_MS = 250;
/** A piece of typed input the console takes at once (it keeps 128 bytes, and drops what comes
 * while its buffer is full): a paste is typed a piece at a time, as the console reads. */
const TYPE_CHUNK_BYTES = 64;

/** A message to the page; `transfer` hands over buffers instead of copying them. */
const post = (m: FromWorker, transfer: ArrayBuffer[] = []) =>
  (self as unknown as Worker).postMessage(m, transfer);

/** The journal, in memory. */
class MemorySink implements Sink {
  readonly chunks: Uint8Array[] = [];
  write(bytes: Uint8Array): void {
    this.chunks.push(bytes);
  }
}

/** A message channel's round trip: a yield to the event loop that setTimeout's clamping
 * (4 ms once nested) does not slow. */
const channel = new MessageChannel();
let onYield: (() => void) | null = null;
channel.port1.onmessage = () => onYield?.();
function yieldToEvents(): Promise<void> {
  return new Promise((ok) => {
    onYield = ok;
    channel.port2.postMessage(null);
  });
}

class Session {
  private readonly sink = new MemorySink();
  private readonly writer: JournalWriter;
  private readonly m: Machine;
  private readonly decoder = new TextDecoder();
  private output = "";
  private keys: Uint8Array = new Uint8Array(0);
  private wake: (() => void) | null = null;
  private busyMs = 0;
  private readonly lanes: LiveLanes;
  /** Snapshots on (the page shows the panels). */
  panels: boolean;

  constructor(msg: Extract<ToWorker, { type: "boot" }>, private readonly hz: number) {
    const header = headerFor(msg.boot, msg.build);
    this.writer = new JournalWriter(this.sink, header);
    this.m = machineFrom(header, this.writer, (bytes) => {
      this.output += this.decoder.decode(bytes, { stream: true });
    });
    this.lanes = new LiveLanes(header.ncpu);
    this.panels = msg.panels;
    post({ type: "booted", ncpu: header.ncpu, sched: header.sched, seed: header.seed, hz });
  }

  keysTyped(bytes: Uint8Array): void {
    this.keys = concat([this.keys, bytes]);
    this.wake?.();
  }

  /** The journal so far, ending as a run the host stopped here (dv6 replay verifies it). */
  journal(): Uint8Array {
    if (this.m.end !== null) return concat(this.sink.chunks);
    this.writer.flush();
    return concat([...this.sink.chunks, this.writer.stopFrame()]);
  }

  get steps(): number {
    return this.m.steps;
  }

  // Keystrokes go in as they come (the console echoes typeahead, as a terminal does); a long
  // paste a piece at a time, each when a process reads the console.
  private type(): void {
    if (this.keys.length === 0) return;
    if (this.keys.length > TYPE_CHUNK_BYTES && !this.m.consoleReaderWaits()) return;
    this.m.input(this.keys.subarray(0, TYPE_CHUNK_BYTES));
    this.keys = this.keys.subarray(TYPE_CHUNK_BYTES);
  }

  private flushOutput(): void {
    if (this.output === "") return;
    post({ type: "output", text: this.output });
    this.output = "";
  }

  private status(idle: boolean): void {
    post({ type: "status", steps: this.m.steps, ticks: this.m.ticks, busyMs: this.busyMs, idle });
  }

  private snapshot(): void {
    const m = this.m;
    post({ type: "snapshot", step: m.steps, panels: panelsOf(m), lanes: this.lanes.get() });
  }

  async run(): Promise<void> {
    const m = this.m;
    const clock = new HostClock(this.hz);
    let nextStatusAt = 0;
    for (;;) {
      const start = performance.now();
      clock.tick(m, start);
      // A slice: steps until the machine rests or the slice's time is up.
      do {
        this.type();
        m.run(SLICE_STEPS);
        if (this.panels) this.lanes.sample(m);
      } while (m.end === null && m.stall === "steps" && performance.now() - start < SLICE_MS);
      // The snapshot's cost counts as the machine's time: steps / busyMs is what the page gets.
      const snapshotDue = performance.now() >= nextStatusAt;
      if (snapshotDue && this.panels) this.snapshot();
      const now = performance.now();
      this.busyMs += now - start;
      this.flushOutput();
      if (m.end !== null) break;
      const idle = m.stall !== "steps" && this.keys.length === 0;
      if (snapshotDue) {
        this.status(idle);
        nextStatusAt = now + STATUS_MS;
      }
      if (!idle) {
        await yieldToEvents();
        continue;
      }
      // Nothing runs before the next tick or a key.
      this.writer.flush();
      await new Promise<void>((ok) => {
        const timer = setTimeout(() => this.wake?.(), clock.untilNext(now));
        this.wake = () => {
          clearTimeout(timer);
          this.wake = null;
          ok();
        };
      });
    }
    this.status(true);
    if (this.panels) this.snapshot();
    const end = m.end;
    // The kernel printed its panic; a deadlock's report is the host's, as dv6 prints it.
    const report = end.kind === "deadlock" ? end.report.trimEnd() : "";
    post({ type: "end", kind: end.kind, report });
  }
}

/** A journal opened as the debugger. */
class Debugging {
  private readonly tl: Timeline;
  private readonly d: Debugger;
  private lines: string[] = [];
  private readonly queue: Extract<ToWorker, { type: "debug" }>[] = [];
  private busy = false;

  constructor(msg: Extract<ToWorker, { type: "open" }>) {
    const tl = this.tl = new Timeline(new JournalReader(msg.bytes));
    this.d = new Debugger(tl, (line) => this.lines.push(line));
    // A long move lets the page's messages in (they wait their turn).
    this.d.pause = yieldToEvents;
    const h = tl.header;
    const broken = tl.index.broken === null
      ? ""
      : ` (the journal breaks after step ${tl.total}: ${tl.index.broken})`;
    post({
      type: "opened",
      name: msg.name,
      error: null,
      total: tl.total,
      ncpu: h.ncpu,
      sched: h.sched,
      seed: h.seed,
      where: this.d.where() + broken,
    });
    this.snapshot(indexLanes(tl.index, h.ncpu));
    void this.idle();
  }

  private snapshot(lanes = this.lanes): void {
    this.lanes = lanes;
    post({ type: "snapshot", step: this.tl.step, panels: panelsOf(this.tl.machine), lanes });
  }
  private lanes!: ReturnType<typeof indexLanes>;

  command(msg: Extract<ToWorker, { type: "debug" }>): void {
    this.queue.push(msg);
    if (!this.busy) void this.runQueue();
  }

  private async runQueue(): Promise<void> {
    this.busy = true;
    for (let msg = this.queue.shift(); msg !== undefined; msg = this.queue.shift()) {
      this.lines = [];
      let error: string | null = null;
      for (const line of splitCommands(msg.line)) {
        try {
          await this.d.run(line);
        } catch (e) {
          if (!(e instanceof DebugError)) throw e;
          error = `${line}: ${e.message}`;
          break;
        }
      }
      const tl = this.tl;
      post({
        type: "debugged",
        id: msg.id,
        lines: this.lines,
        error,
        step: tl.step,
        console: tl.console(),
      });
      this.snapshot();
    }
    this.busy = false;
    void this.idle();
  }

  // Between commands: machines readied behind the current step and over the journal, in
  // slices, as dv6 debug's interactive mode does.
  private async idle(): Promise<void> {
    while (!this.busy && this.tl.prepare(PREPARE_STEPS)) await yieldToEvents();
  }
}

/** Steps of idle preparation between two looks at the page's messages. */
const PREPARE_STEPS = 20_000;

let session: Session | null = null;
let debugging: Debugging | null = null;

self.addEventListener("message", (e: MessageEvent<ToWorker>) => {
  const msg = e.data;
  if (msg.type === "boot" && session === null && debugging === null) {
    session = new Session(msg, msg.hz);
    void session.run();
  } else if (msg.type === "open" && session === null && debugging === null) {
    try {
      debugging = new Debugging(msg);
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      post({
        type: "opened",
        name: msg.name,
        error,
        total: 0,
        ncpu: 0,
        sched: "",
        seed: 0,
        where: "",
      });
    }
  } else if (msg.type === "debug") debugging?.command(msg);
  else if (msg.type === "panels" && session !== null) session.panels = msg.on;
  else if (msg.type === "keys") session?.keysTyped(msg.bytes);
  else if (msg.type === "journal" && session !== null) {
    const bytes = session.journal();
    post({ type: "journal", id: msg.id, bytes, steps: session.steps }, [
      bytes.buffer as ArrayBuffer,
    ]);
  }
});
