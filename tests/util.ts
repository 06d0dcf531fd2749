// Helpers shared by the test files (not a test file itself): output from test programs,
// journal records, and surgery on journal frames.

import { crc32, inflateRawSync } from "node:zlib";
import type { Program } from "../kernel/uapi/abi.ts";
import { EV } from "../kernel/event.ts";
import { SYS } from "../kernel/uapi/syscall.ts";
import { frame, JournalReader, type JournalRecord } from "../kernel/journal.ts";
import type { Call } from "../commands/lib/ulib.ts";
import type { Sys } from "../commands/lib/usys.ts";
import { type Run, run as harnessRun, type RunOptions } from "./harness.ts";

export type { Program, Sys };

/** A test program's report: one line, one write() (so lines from several processes never mix). */
export function* say(sys: Sys, ...parts: (string | number)[]): Call<void> {
  yield* sys.write(1, parts.join(" ") + "\n");
}

/**
 * What processes wrote to fd 1, one write() after another, from the journal's records: a
 * write()'s record holds its bytes whole, so a one-write report line stays a line here (as on
 * the console, which puts each write() through the UART whole).
 */
export function said(r: { journal: Uint8Array }): string {
  const dec = new TextDecoder();
  return steps(r.journal).filter((s) =>
    s.ev.k === EV.SYSCALL && s.ev.n === SYS.write && s.ev.a[0] === 1 &&
    s.ev.a[1] instanceof Uint8Array
  ).map((s) => dec.decode((s.ev as { a: Uint8Array[] }).a[1])).join("");
}

/** The lines that start with `tag ` (a test program's reports), without the tag: lines of
 * console output, or of what a run's processes wrote (said). */
export function reports(from: string | { journal: Uint8Array }, tag: string): string[] {
  return (typeof from === "string" ? from : said(from)).split("\n").filter((l) =>
    l.startsWith(tag + " ")
  ).map((l) => l.slice(tag.length + 1));
}

/** The single report tagged `tag`, split into words. */
export function report(from: string | { journal: Uint8Array }, tag: string): string[] {
  const r = reports(from, tag);
  if (r.length !== 1) {
    const text = typeof from === "string" ? from : said(from);
    throw new Error(`expected one '${tag}' report, got ${r.length} in:\n${text}`);
  }
  return r[0].split(" ");
}

/** The pids of a procdump listing, in table order, with their state and name. */
export function parseProcdump(dump: string): { pid: number; state: string; name: string }[] {
  return dump.split("\n").filter((l) => l !== "").map((l) => {
    const m = /^(\d+) (.{6}) (.*)$/.exec(l);
    if (m === null) throw new Error(`not a procdump line: '${l}'`);
    return { pid: Number(m[1]), state: m[2].trim(), name: m[3] };
  });
}

/** Every record of a journal, in order. */
export function records(journal: Uint8Array): JournalRecord[] {
  const reader = new JournalReader(journal);
  const all = [...reader.records()];
  if (reader.broken !== null) throw new Error(`journal broken: ${reader.broken}`);
  return all;
}

export type StepRecord = Extract<JournalRecord, { type: "step" }>;

/** The step records of a journal, so that index i is step i. */
export function steps(journal: Uint8Array): StepRecord[] {
  return records(journal).filter((r): r is StepRecord => r.type === "step");
}

export { EV };

/** A journal split into its 5-byte preamble and its frames (byte offset, inflated payload). */
export interface Frames {
  preamble: Uint8Array;
  frames: { at: number; payload: Uint8Array }[];
}

/** Splits a journal into frames by the documented layout: "DV6J", a format byte, then frames
 * of [u32 LE length][u32 LE crc32][raw-deflate payload]. */
export function splitFrames(journal: Uint8Array): Frames {
  const dv = new DataView(journal.buffer, journal.byteOffset, journal.byteLength);
  const frames: Frames["frames"] = [];
  let off = 5;
  while (off < journal.length) {
    const len = dv.getUint32(off, true);
    const sum = dv.getUint32(off + 4, true);
    const z = journal.subarray(off + 8, off + 8 + len);
    if (z.length !== len || crc32(z) !== sum) throw new Error(`bad frame at ${off}`);
    frames.push({ at: off, payload: new Uint8Array(inflateRawSync(z)) });
    off += 8 + len;
  }
  return { preamble: journal.slice(0, 5), frames };
}

/** Puts a journal back together from a preamble and frame payloads. */
export function joinFrames(preamble: Uint8Array, payloads: Uint8Array[]): Uint8Array {
  const parts = [preamble, ...payloads.map(frame)];
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** Where `needle` occurs in `hay`. */
export function indexesOf(hay: Uint8Array, needle: Uint8Array): number[] {
  const at: number[] = [];
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    at.push(i);
  }
  return at;
}

export const encode = (s: string): Uint8Array => new TextEncoder().encode(s);
export const decode = (b: Uint8Array): string => new TextDecoder().decode(b);

/** The journal header (the first frame's JSON). */
export function headerOf(journal: Uint8Array): Record<string, unknown> {
  return JSON.parse(decode(splitFrames(journal).frames[0].payload));
}

/** The harness's run, bounded: a kernel bug that makes a run go on forever fails the test
 * (its `end` is null) instead of hanging the suite. */
export function runFor(o: RunOptions): Run {
  return harnessRun({ maxSteps: 20_000_000, ...o });
}
