// dv6 timeline: (being built)

import type { JournalReader } from "../kernel/journal.ts";

export interface TimelineOptions {
  from?: number;
  to?: number;
  width: number;
}

export function printTimeline(_reader: JournalReader, _o: TimelineOptions): number {
  throw new Error("dv6 timeline: not built yet");
}
