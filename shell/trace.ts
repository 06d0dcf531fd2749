// dv6 trace: (being built)

import type { JournalReader } from "../kernel/journal.ts";

export function writeTrace(_reader: JournalReader, _path: string): number {
  throw new Error("dv6 trace: not built yet");
}
