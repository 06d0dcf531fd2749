// dv6 debug: (being built)

import type { JournalReader } from "../kernel/journal.ts";

export function debugJournal(_reader: JournalReader, _commands?: string): Promise<number> {
  throw new Error("dv6 debug: not built yet");
}
