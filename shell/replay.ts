// Replaying a journal: rebuild the machine from its header, re-run it with the recorded inputs
// at their steps, and compare every step with its record.

import {
  Divergence,
  type HostRecord,
  type JournalReader,
  JournalVerifier,
} from "../kernel/journal.ts";
import type { Event, Machine, MachineEnd } from "../kernel/machine.ts";
import { PassLog } from "./steplog.ts";
import type { ProgramMain } from "../kernel/uapi/abi.ts";
import type { Sys } from "../commands/lib/usys.ts";
import { machineFrom } from "./boot.ts";
import { describe } from "./log.ts";

export interface ReplayResult {
  /** Steps that matched their records. */
  steps: number;
  /** How the re-run ended, when it reached the recorded end. */
  end: MachineEnd | null;
  /** The first step that differed from its record, both sides as `dv6 log` shows them. */
  divergence: { step: number; message: string; recorded: string; replayed: string } | null;
  /** The journal stopped before an end record: why (damaged, cut short). */
  truncated: string | null;
}

/** Called after each verified step with the machine as that step left it (the step counts
 * from 1: `m.steps`), and what the step did. */
export type StepWatcher = (m: Machine, cpu: number, pid: number, intr: number, ev: Event) => void;

/** Called with each record of the host's (input, a tick, a kill) as the replay delivers it,
 * before the step it lands before. */
export type HostWatcher = (r: HostRecord, m: Machine) => void;

/** The journal's log for a replay whose steps `watch` also sees. */
class Watched extends PassLog {
  constructor(
    v: JournalVerifier,
    private readonly watch: StepWatcher,
    private readonly m: () => Machine,
  ) {
    super(v);
  }
  override step(cpu: number, pid: number, intr: number, ev: Event): void {
    super.step(cpu, pid, intr, ev);
    this.watch(this.m(), cpu, pid, intr, ev);
  }
}

export function replayJournal(
  reader: JournalReader,
  output: (bytes: Uint8Array, echo: boolean) => void,
  programs?: Readonly<Record<string, ProgramMain<Sys>>>,
  watch?: StepWatcher,
  hostWatch?: HostWatcher,
): ReplayResult {
  const v = new JournalVerifier(reader);
  v.onHost = hostWatch ?? null;
  let machine: Machine | null = null;
  const log = watch === undefined ? v : new Watched(v, watch, () => machine!);
  const m = machine = machineFrom(reader.header, log, output, programs);
  const truncated = () => reader.broken ?? "it ends without an end record (cut short)";
  try {
    while (m.end === null) {
      if (m.run() !== null) break;
      // Nothing can run and no input is due: the recording ended here too, or was cut short.
      if (!v.stuck(m)) {
        return { steps: v.steps, end: null, divergence: null, truncated: truncated() };
      }
    }
  } catch (e) {
    if (!(e instanceof Divergence)) throw e;
    if (v.exhausted) return { steps: v.steps, end: null, divergence: null, truncated: truncated() };
    const recorded = typeof e.recorded === "string" ? e.recorded : describe(e.recorded);
    const divergence = {
      step: e.step,
      message: e.message,
      recorded,
      replayed: describe(e.replayed),
    };
    return { steps: v.steps, end: null, divergence, truncated: null };
  }
  if (v.ended === null) {
    return { steps: v.steps, end: null, divergence: null, truncated: truncated() };
  }
  return { steps: v.steps, end: m.end, divergence: null, truncated: null };
}
