// ls (xv6's user/ls.c): for each argument (or "."), one line for a file or a device, or one line
// per entry of a directory (its 16-byte struct dirents, read with read(), `.` and `..`
// included, in directory order): the name blank-padded to DIRSIZ, the type (1 directory, 2 file,
// 3 device), the inode number and the size.

import type { Program } from "../../kernel/uapi/abi.ts";
import { DIRSIZ } from "../../kernel/uapi/param.ts";
import { O_RDONLY } from "../../kernel/uapi/fcntl.ts";
import { T_DEVICE, T_DIR, T_FILE } from "../../kernel/uapi/stat.ts";
import { type Call, fprintf, printf, readdirent, stat, strlen } from "../lib/ulib.ts";
import type { Sys } from "../lib/usys.ts";

/** The last path element, blank-padded to DIRSIZ (a name of DIRSIZ bytes or more as is). */
function fmtname(path: string): string {
  const name = path.slice(path.lastIndexOf("/") + 1);
  const len = strlen(name);
  return len >= DIRSIZ ? name : name + " ".repeat(DIRSIZ - len);
}

function* ls(sys: Sys, path: string): Call<void> {
  const fd = yield* sys.open(path, O_RDONLY);
  if (fd < 0) {
    yield* fprintf(sys, 2, "ls: cannot open %s\n", path);
    return;
  }
  const st = yield* sys.fstat(fd);
  if (st === -1) {
    yield* fprintf(sys, 2, "ls: cannot stat %s\n", path);
    yield* sys.close(fd);
    return;
  }

  switch (st.type) {
    case T_DEVICE:
    case T_FILE:
      yield* printf(sys, 1, "%s %d %d %l\n", fmtname(path), st.type, st.ino, st.size);
      break;

    case T_DIR: {
      // char buf[512]: the path, '/', a name and its NUL must fit.
      if (strlen(path) + 1 + DIRSIZ + 1 > 512) {
        yield* printf(sys, 1, "ls: path too long\n");
        break;
      }
      for (let de; (de = yield* readdirent(sys, fd)) !== null;) {
        if (de.inum === 0) continue;
        const buf = path + "/" + de.name;
        const est = yield* stat(sys, buf);
        if (est === -1) {
          yield* printf(sys, 1, "ls: cannot stat %s\n", buf);
          continue;
        }
        yield* printf(sys, 1, "%s %d %d %d\n", fmtname(buf), est.type, est.ino, est.size);
      }
      break;
    }
  }
  yield* sys.close(fd);
}

export default function* main(sys: Sys, argv: string[]): Program {
  if (argv.length < 2) {
    yield* ls(sys, ".");
    return yield* sys.exit(0);
  }
  for (let i = 1; i < argv.length; i++) yield* ls(sys, argv[i]);
  return yield* sys.exit(0);
}
