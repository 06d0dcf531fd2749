// The journal: every step the machine takes, recorded as it happens, so that a run can be
// replayed and checked step by step (rr's trace, TigerBeetle's seed + log).
//
// File layout: the magic "DV6J", a format byte, then frames. A frame is a little-endian u32
// length, a u32 CRC-32 of the payload, and the payload: raw-deflated records. The first frame
// holds the header (JSON). The writer cuts frames only between records, so a journal cut short
// by a killed host, or damaged, still replays up to its last intact frame.
//
// A record is self-delimiting: a kind byte, then its fields (varints, values). Strings are
// interned within a frame: the first use in a frame defines one, later uses give its index. Replay re-encodes each step
// of the re-run and compares the bytes with the recorded ones.

import { crc32, deflateRaw, inflateRaw } from "./deflate.ts";
import type { Val } from "./uapi/abi.ts";
import { EV, type Event } from "./event.ts";
import { panic } from "./printf.ts";
import { ValDecoder, ValEncoder } from "./codec.ts";

// The kinds of step event, which a journal's records carry (for readers such as dv6 log).
export { EV };
import type { Machine, MachineEnd, StepLog } from "./machine.ts";

/** Format 3: per-CPU time, the host's records land at a move count. (Formats 1 and 2 came
 * from a machine whose time was one clock: no build of this one replays them.) */
export const FORMAT = 3;
const MAGIC = [0x44, 0x56, 0x36, 0x4a]; // "DV6J"
const FRAME_BYTES = 1 << 16; // records per frame, in uncompressed bytes (about)

// Record kinds beyond the step events (EV.*, 1..15). Part of the format: append only.
const R_INPUT = 16; // host input delivered before the next step: moves, cycles, bytes
const R_END = 17; // the run ended: halt, stop, panic or deadlock
const R_TICK = 18; // a tick of the host's clock delivered before the next step: moves, cycles
const R_KILL = 19; // the host killed a process before the next step: moves, cycles, pid, name
const END_KINDS = ["halt", "stop", "panic", "deadlock"] as const;
// The kinds of record a replay looks for between steps: what the host delivered; the end.
const isHostKind = (k: number) => k === R_INPUT || k === R_TICK || k === R_KILL;
const isEnd = (k: number) => k === R_END;

// A step record's first byte packs the event kind (low 5 bits, below R_INPUT: the decoder
// tells a step from the other records by this byte) and the interrupt taken (high 3 bits);
// the CPU's index is the second byte. RecordEncoder.step asserts that each fits: a field that
// does not would be written as another value, silently, and read back as something else.
const STEP_KIND_MAX = R_INPUT - 1;
const INTR_MAX = 7;
const CPU_MAX = 0xff;

/** What the journal needs to rebuild the machine. Nothing host-specific goes in it. */
export interface JournalHeader {
  format: number;
  build: string;
  ncpu: number;
  nproc: number;
  sched: string;
  seed: number;
  initArgv: string[];
  /** Files added to the boot image, base64. */
  image: Record<string, string>;
  /** Boot options that change kernel behaviour (later issues add to these). */
  options: Record<string, string | number | boolean>;
}

/** A decoded record, for `dv6 log` and divergence reports. */
export type JournalRecord =
  | { type: "step"; cpu: number; pid: number; intr: number; ev: DecodedEvent }
  | { type: "input"; moves: number; cycles: number; bytes: Uint8Array }
  | { type: "tick"; moves: number; cycles: number }
  | { type: "kill"; moves: number; cycles: number; pid: number; name: string }
  | { type: "end"; end: MachineEnd };

export type DecodedEvent =
  | { k: typeof EV.ACQUIRE | typeof EV.RELEASE; lock: string }
  | { k: typeof EV.SWTCH; to: number; why: string }
  | { k: typeof EV.SYSCALL | typeof EV.EXIT | typeof EV.ATOMIC; n: number; a: Val[]; r: Val }
  | { k: typeof EV.USER | typeof EV.WFI };

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Encodes records into a growing buffer. */
class RecordEncoder extends ValEncoder {
  constructor() {
    super(FRAME_BYTES * 2);
  }

  step(cpu: number, pid: number, intr: number, ev: Event): void {
    const k = ev.k;
    if (!(Number.isInteger(k) && k >= 1 && k <= STEP_KIND_MAX)) {
      panic(`journal: event kind ${k} does not fit in 5 bits below ${R_INPUT}`);
    }
    if (!(Number.isInteger(intr) && intr >= 0 && intr <= INTR_MAX)) {
      panic(`journal: interrupt ${intr} does not fit in 3 bits`);
    }
    if (!(Number.isInteger(cpu) && cpu >= 0 && cpu <= CPU_MAX)) {
      panic(`journal: cpu ${cpu} does not fit in a byte`);
    }
    const start = this.pos, known = this.strings.length;
    try {
      this.byte(k | (intr << 5));
      this.byte(cpu);
      this.uint(pid);
      this.event(ev);
    } catch (e) {
      this.unwind(start, known); // no half record stays behind the panic
      throw e;
    }
  }

  // Forget a record cut short by a field that did not fit: its bytes, and the strings it
  // defined (the decoder would not know them).
  private unwind(pos: number, known: number): void {
    this.pos = pos;
    for (const s of this.strings.splice(known)) this.index.delete(s);
  }

  private event(ev: Event): void {
    switch (ev.k) {
      case EV.ACQUIRE:
      case EV.RELEASE:
        this.str(ev.lk!.label);
        break;
      case EV.SWTCH:
        this.uint(ev.to === null ? 0 : ev.to.pid);
        this.str(ev.why);
        break;
      case EV.SYSCALL:
      case EV.EXIT:
      case EV.ATOMIC:
        this.uint(ev.n < 0 ? 0 : ev.n);
        this.val(ev.a);
        this.val(ev.r);
        break;
    }
  }

  input(moves: number, cycles: number, bytes: Uint8Array): void {
    this.byte(R_INPUT);
    this.uint(moves);
    this.uint(cycles);
    this.raw(bytes);
  }

  tick(moves: number, cycles: number): void {
    this.byte(R_TICK);
    this.uint(moves);
    this.uint(cycles);
  }

  // The name goes as bytes, not as an interned string: a replay reads this record without
  // encoding it (as input), and a string it defined would be missing from the replay's table.
  kill(moves: number, cycles: number, pid: number, name: string): void {
    this.byte(R_KILL);
    this.uint(moves);
    this.uint(cycles);
    this.uint(pid);
    this.raw(encoder.encode(name));
  }

  end(end: MachineEnd): void {
    const kind = END_KINDS.indexOf(end.kind);
    if (kind < 0) panic(`journal: end kind ${end.kind}`);
    this.byte(R_END);
    this.byte(kind);
    if (end.kind === "halt") this.int(end.status);
    else if (end.kind === "stop") return;
    else if (end.kind === "panic") {
      this.str(end.message);
      this.str(end.procdump);
    } else this.str(end.report);
  }
}

/** Decodes records; its string table follows the encoder's. (A frame read on its own:
 * `new RecordDecoder(frame)`, then record() until done; pos is where the next one starts.) */
export class RecordDecoder extends ValDecoder {
  record(): JournalRecord {
    const b = this.byte();
    if (b === R_INPUT) {
      return { type: "input", moves: this.uint(), cycles: this.uint(), bytes: this.raw() };
    }
    if (b === R_TICK) return { type: "tick", moves: this.uint(), cycles: this.uint() };
    if (b === R_KILL) {
      const moves = this.uint(), cycles = this.uint(), pid = this.uint();
      return { type: "kill", moves, cycles, pid, name: decoder.decode(this.raw()) };
    }
    if (b === R_END) {
      const kind = END_KINDS[this.byte()];
      if (kind === "halt") return { type: "end", end: { kind, status: this.int() } };
      if (kind === "stop") return { type: "end", end: { kind } };
      if (kind === "panic") {
        return { type: "end", end: { kind, message: this.str(), procdump: this.str() } };
      }
      if (kind === "deadlock") return { type: "end", end: { kind, report: this.str() } };
      throw new RangeError(`bad end kind`);
    }
    const k = b & 0x1f, intr = b >> 5;
    const cpu = this.byte(), pid = this.uint();
    let ev: DecodedEvent;
    switch (k) {
      case EV.ACQUIRE:
      case EV.RELEASE:
        ev = { k, lock: this.str() };
        break;
      case EV.SWTCH:
        ev = { k, to: this.uint(), why: this.str() };
        break;
      case EV.SYSCALL:
      case EV.EXIT:
      case EV.ATOMIC: {
        const n = this.uint();
        const a = this.val();
        ev = { k, n, a: Array.isArray(a) ? a : [], r: this.val() };
        break;
      }
      case EV.USER:
      case EV.WFI:
        ev = { k };
        break;
      default:
        throw new RangeError(`bad record kind ${k}`);
    }
    return { type: "step", cpu, pid, intr, ev };
  }
}

/** A place to put journal bytes (a file, a buffer). */
export interface Sink {
  write(bytes: Uint8Array): void;
}

/** A frame: its length, the CRC-32 of its payload, and the payload raw-deflated. */
export function frame(payload: Uint8Array): Uint8Array {
  const z = deflateRaw(payload, 1);
  const out = new Uint8Array(8 + z.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, z.length, true);
  dv.setUint32(4, crc32(z), true);
  out.set(z, 8);
  return out;
}

/** Records a run: each step is encoded as it happens and flushed in frames. */
export class JournalWriter implements StepLog {
  private readonly enc = new RecordEncoder();

  constructor(private readonly sink: Sink, header: JournalHeader) {
    sink.write(new Uint8Array([...MAGIC, FORMAT]));
    sink.write(frame(encoder.encode(JSON.stringify(header))));
  }

  beforeStep(): void {
    // Recording takes input from the host, as it comes.
  }

  step(cpu: number, pid: number, intr: number, ev: Event): void {
    this.enc.step(cpu, pid, intr, ev);
    if (this.enc.pos >= FRAME_BYTES) this.flush();
  }

  input(moves: number, cycles: number, bytes: Uint8Array): void {
    this.enc.input(moves, cycles, bytes);
  }

  tick(moves: number, cycles: number): void {
    this.enc.tick(moves, cycles);
  }

  kill(moves: number, cycles: number, pid: number, name: string): void {
    this.enc.kill(moves, cycles, pid, name);
  }

  end(end: MachineEnd): void {
    this.enc.end(end);
    this.flush();
  }

  /** The frame a copy of the journal so far needs to end as a run the host stopped here. */
  stopFrame(): Uint8Array {
    return frame(Uint8Array.of(R_END, END_KINDS.indexOf("stop")));
  }

  /** Writes what is buffered as a frame (the REPL calls it when the machine idles). */
  flush(): void {
    if (this.enc.pos === 0) return;
    this.sink.write(frame(this.enc.buf.slice(0, this.enc.pos)));
    this.enc.pos = 0;
    this.enc.forgetStrings();
  }
}

/** Why a journal could not be read past some point. */
export class JournalError extends Error {}

/** A journal file split into its header and frames; frames are inflated as they are read. */
export class JournalReader {
  readonly header: JournalHeader;
  private off: number;
  /** Set when the file ends in a damaged or partial frame: where and why. */
  broken: string | null = null;

  constructor(private readonly bytes: Uint8Array) {
    if (bytes.length < 5 || MAGIC.some((b, i) => bytes[i] !== b)) {
      throw new JournalError("not a dv6 journal (bad magic)");
    }
    if (bytes[4] !== FORMAT) {
      throw new JournalError(`journal format ${bytes[4]}, this dv6 reads format ${FORMAT}`);
    }
    this.off = 5;
    const h = this.nextFrame();
    if (h === null) throw new JournalError(`journal header unreadable: ${this.broken}`);
    try {
      this.header = JSON.parse(decoder.decode(h)) as JournalHeader;
    } catch {
      throw new JournalError("journal header is not valid JSON");
    }
  }

  /** The next frame's records, or null at the end (see `broken`). */
  nextFrame(): Uint8Array | null {
    const b = this.bytes;
    if (this.off === b.length) return null;
    const at = this.off;
    if (at + 8 > b.length) {
      this.broken = `partial frame header at byte ${at}`;
      return null;
    }
    const dv = new DataView(b.buffer, b.byteOffset);
    const len = dv.getUint32(at, true), sum = dv.getUint32(at + 4, true);
    if (at + 8 + len > b.length) {
      this.broken = `frame at byte ${at} is cut short (${b.length - at - 8} of ${len} bytes)`;
      return null;
    }
    const z = b.subarray(at + 8, at + 8 + len);
    if (crc32(z) !== sum) {
      this.broken = `frame at byte ${at} is damaged (checksum mismatch)`;
      return null;
    }
    this.off = at + 8 + len;
    try {
      return inflateRaw(z);
    } catch {
      this.broken = `frame at byte ${at} does not inflate`;
      return null;
    }
  }

  /** Every intact record, in order. A damaged tail sets `broken`. */
  *records(): Generator<JournalRecord> {
    for (let f = this.nextFrame(); f !== null; f = this.nextFrame()) {
      try {
        yield* frameRecords(f);
      } catch (e) {
        this.broken = `bad record in frame: ${(e as Error).message}`;
        return;
      }
    }
  }
}

/** The records of one frame (as nextFrame() returns it), in order; throws at a bad record.
 * A frame can be read on its own: it has its own string table. */
export function* frameRecords(frame: Uint8Array): Generator<JournalRecord> {
  const d = new RecordDecoder(frame);
  while (!d.done) yield d.record();
}

/** A replayed step that differs from its record. `recorded` is the record, or why there is
 * none to compare with (the journal ended, or its record cannot be read). */
export class Divergence extends Error {
  constructor(
    /** The step's number, counting from 1 (as `dv6 log` and `dv6 debug` count). */
    readonly step: number,
    readonly recorded: JournalRecord | string,
    readonly replayed: JournalRecord,
  ) {
    super(`replay diverged at step ${step}`);
  }
}

/** A record of what the host delivered between two steps. */
export type HostRecord = Extract<JournalRecord, { type: "input" | "tick" | "kill" }>;

/** Where a verifier reads frames: a journal file (JournalReader), or frames already read. */
export interface FrameSource {
  nextFrame(): Uint8Array | null;
  readonly broken: string | null;
}

/** Replays a journal: delivers its inputs at their steps and checks every step against it. */
export class JournalVerifier implements StepLog {
  private readonly enc = new RecordEncoder();
  private readonly dec: RecordDecoder;
  private frame: Uint8Array = new Uint8Array(0);
  private off = 0;
  steps = 0;
  /** The recorded end, once reached and matched. */
  ended: MachineEnd | null = null;
  /** Sees each record of the host's (input, a tick, a kill) as it is delivered (a view of
   * the replay: dv6 trace). */
  onHost: ((r: HostRecord, m: Machine) => void) | null = null;

  constructor(private readonly reader: FrameSource) {
    this.dec = new RecordDecoder(this.frame, this.enc.strings);
  }

  /** Starts verifying mid-journal: `steps` steps were taken (unverified: an earlier re-run
   * verified them), and what follows them starts at `off` in `frame` (the source goes on
   * after that frame). The frame's strings up to there are learned first. */
  seek(frame: Uint8Array, off: number, steps: number): void {
    const d = new RecordDecoder(frame);
    while (d.pos < off) d.record();
    this.enc.learnStrings(d.strings);
    this.frame = frame;
    this.off = off;
    this.steps = steps;
  }

  /** Is a record left? Loads the next frame when this one is used up. */
  private more(): boolean {
    while (this.off >= this.frame.length) {
      const f = this.reader.nextFrame();
      if (f === null) return false;
      this.frame = f;
      this.off = 0;
      this.enc.forgetStrings(); // each frame has its own string table (the decoder's too)
    }
    return true;
  }

  /** The journal has no record left (intact or not). */
  get exhausted(): boolean {
    return !this.more();
  }

  // The next record, if `kinds` takes its kind (a test of one byte: before every step of a
  // replay, that is all a step's record costs).
  private peek(kinds: (kind: number) => boolean): JournalRecord | null {
    if (!this.more() || !kinds(this.frame[this.off])) return null;
    this.dec.buf = this.frame;
    this.dec.pos = this.off;
    return this.dec.record();
  }

  // The next record, if it is something the host delivered (input, a tick of its clock, a
  // kill).
  private peekHost(): HostRecord | null {
    const r = this.peek(isHostKind);
    return r?.type === "input" || r?.type === "tick" || r?.type === "kill" ? r : null;
  }

  beforeStep(m: Machine): void {
    for (let r = this.peekHost(); r !== null; r = this.peekHost()) {
      if (r.moves !== m.moves) return; // due later (or missed: the next step diverges)
      this.off = this.dec.pos;
      this.onHost?.(r, m);
      if (r.type === "input") m.deliverInput(r.bytes);
      else if (r.type === "tick") m.deliverTick();
      else {
        const name = m.deliverKill(r.pid);
        if (name !== r.name) {
          const what = name ?? "no live process it can kill here";
          throw new Divergence(this.steps + 1, r, { ...r, name: what });
        }
      }
    }
    const r = this.peek(isEnd);
    if (r?.type === "end" && r.end.kind === "stop") m.stop(); // the host stopped it here
  }

  /** The re-run stopped for want of input: end it as the recording ended there (the host
   * stopped it, or nothing could run), and say whether the journal had an end to match. */
  stuck(m: Machine): boolean {
    const r = this.peek(isEnd);
    if (r?.type !== "end") return false;
    if (r.end.kind === "stop") m.stop();
    else m.deadlock(); // anything else diverges, and says so
    return true;
  }

  step(cpu: number, pid: number, intr: number, ev: Event): void {
    this.check((e) => e.step(cpu, pid, intr, ev));
    this.steps++;
  }

  input(): void {
    // A replay takes its input from the journal only.
  }

  tick(): void {
    // and its clock's ticks,
  }

  kill(): void {
    // and the kills the host injected.
  }

  end(end: MachineEnd): void {
    this.check((e) => e.end(end));
    this.ended = end;
  }

  // Encode the live record and compare it with the recorded bytes at the same place.
  private check(encode: (e: RecordEncoder) => void): void {
    const have = this.more(); // first: a new frame starts a new string table
    const enc = this.enc;
    const known = enc.strings.length;
    enc.pos = 0;
    encode(enc);
    const f = this.frame, off = this.off, n = enc.pos, live = enc.buf;
    let same = have && off + n <= f.length;
    for (let i = 0; same && i < n; i++) same = live[i] === f[off + i];
    if (same) {
      this.off = off + n;
      return;
    }
    const table = enc.strings.slice(0, known);
    const replayed = new RecordDecoder(live.slice(0, n), table.slice()).record();
    let recorded: JournalRecord | string;
    if (!have) recorded = `(end of journal${this.reader.broken ? `: ${this.reader.broken}` : ""})`;
    else {
      try {
        recorded = new RecordDecoder(f.subarray(off), table.slice()).record();
      } catch (e) {
        recorded = `(unreadable record: ${(e as Error).message})`;
      }
    }
    throw new Divergence(this.steps + 1, recorded, replayed); // steps count from 1
  }
}
