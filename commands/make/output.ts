// make's messages (GNU make's output.c): `make: TEXT` on stdout, errors on stderr, `Entering
// directory` said once (under -q, before the first thing make prints), and fatal errors
// (`FILE:LINE: *** MESSAGE.  Stop.`), which end make with status 2 by throwing Die.

import { Die, type Floc, type Make } from "./makeint.ts";
import type { Call } from "../lib/ulib.ts";

/** `Entering directory`, once, if make says where it works. */
export function* enter(mk: Make): Call<void> {
  if (mk.entered || !mk.printDir) return;
  mk.entered = true;
  yield* mk.sys.write(1, `${mk.prog}: Entering directory '${mk.cwd}'\n`);
}

export function* message(mk: Make, text: string): Call<void> {
  if (mk.deferEnter) yield* enter(mk);
  yield* mk.sys.write(1, `${mk.prog}: ${text}\n`);
}

export function* error(mk: Make, text: string): Call<void> {
  if (mk.deferEnter) yield* enter(mk);
  yield* mk.sys.write(2, `${mk.prog}: ${text}\n`);
}

/** A fatal error: `FILE:LINE: *** MESSAGE.  Stop.` and make ends with status 2. */
export function* fatal(mk: Make, floc: Floc | null, text: string): Call<never> {
  const at = floc === null ? `${mk.prog}: ` : `${floc.file}:${floc.line}: `;
  if (mk.deferEnter) yield* enter(mk);
  yield* mk.sys.write(2, `${at}*** ${text}.  Stop.\n`);
  throw new Die(2);
}

/** Before an error while an `include`d makefile that could not be read is remade: why it
 * could not be read (GNU's show_goal_error, in remake.c). */
export function* goalError(mk: Make): Call<void> {
  const g = mk.goalError;
  if (g === null || g.text === null) return;
  yield* mk.sys.write(2, g.text);
  g.text = null;
}
