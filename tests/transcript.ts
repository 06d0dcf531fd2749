// Transcripts as `dv6 run` prints them, made in-process: the journal header of the options, a
// machine booted from it with init running sh, the lines typed by typeScript (shell/session.ts),
// then what runExec (shell/exec.ts) adds: a newline after the last prompt, a deadlock's report.
// Shared by the test files (not a test file itself).

import assert from "node:assert/strict";
import type { Machine, MachineEnd } from "../kernel/machine.ts";
import { JournalWriter } from "../kernel/journal.ts";
import { type BootOptions, headerFor, machineFrom } from "../shell/host.ts";
import { typeScript } from "../shell/session.ts";
import { Bytes } from "./harness.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export interface Transcript {
  /** What `dv6 run` prints on stdout. */
  out: Uint8Array;
  end: MachineEnd;
  m: Machine;
  /** The run's journal. */
  journal: Uint8Array;
}

/** Types `lines` into a machine booted with `o` (init running sh), as `dv6 run` does. */
export function transcript(lines: readonly string[], o: BootOptions = {}): Transcript {
  const out = new Bytes();
  const journal = new Bytes();
  const header = headerFor({ ...o, initArgv: ["init", "sh"] }, "test");
  const m = machineFrom(header, new JournalWriter({ write: journal.write }, header), out.write);
  const end = typeScript(m, lines);
  let bytes = out.bytes;
  if (bytes.length > 0 && bytes[bytes.length - 1] !== 0x0a) bytes = concat(bytes, "\n");
  if (end.kind === "deadlock") bytes = concat(bytes, end.report.trimEnd() + "\n");
  return { out: bytes, end, m, journal: journal.bytes };
}

function concat(a: Uint8Array, s: string): Uint8Array {
  const b = encoder.encode(s);
  const all = new Uint8Array(a.length + b.length);
  all.set(a);
  all.set(b, a.length);
  return all;
}

/** Bytes as text with control characters shown as ^X, for messages. */
export function visible(b: Uint8Array): string {
  return decoder.decode(b).replace(/[^\n\t\x20-\x7e\x80-\uffff]/g, (c) => {
    const n = c.charCodeAt(0);
    return n === 0x7f ? "^?" : "^" + String.fromCharCode(n + 64);
  });
}

export function assertSameBytes(actual: Uint8Array, expected: Uint8Array, what: string): void {
  if (actual.length === expected.length && actual.every((b, i) => b === expected[i])) return;
  assert.equal(visible(actual), visible(expected), what);
  assert.fail(`${what}: the bytes differ (but not as text)`);
}

/** The exit status `dv6 run` gives this end. */
export { exitStatus } from "../shell/status.ts";
