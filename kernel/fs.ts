// The file system: an in-memory tree of inodes with xv6's shape (directories of fixed-order
// entries, files, devices), standing in for xv6's kernel/fs.c over a disk. Its operations
// run under one spinlock ("fs"), so each is atomic with respect to the other CPUs.

import { DIRSIZ } from "./uapi/param.ts";
import { Spinlock } from "./spinlock.ts";
import { T_DEVICE, T_DIR, T_FILE } from "./uapi/stat.ts";

/** Extra files for the boot image: path → contents. Directories are made as needed. */
export type FsImage = Readonly<Record<string, string | Uint8Array>>;

const encoder = new TextEncoder();

export class Inode {
  nlink = 1;
  size = 0;
  data = new Uint8Array(0);
  /** A directory's entries in slot order; an unlinked entry leaves a hole (null). */
  readonly entries: ({ name: string; ip: Inode } | null)[] = [];
  /** For an executable in /bin: the name of the program in the kernel's program table. */
  program: string | null = null;
  major = 0;
  minor = 0;
  /** Last modification, in clock ticks (0: the boot image). The file system does not know
   * the clock: the system calls that create, write or truncate a file set it. */
  mtime = 0;

  constructor(readonly inum: number, readonly type: number) {}

  lookup(name: string): Inode | null {
    for (const e of this.entries) if (e !== null && e.name === name) return e.ip;
    return null;
  }

  /** Add an entry in the first free slot, as xv6's dirlink does. */
  link(name: string, ip: Inode): void {
    const free = this.entries.indexOf(null);
    const e = { name: name.slice(0, DIRSIZ), ip };
    if (free >= 0) this.entries[free] = e;
    else this.entries.push(e);
    this.size = this.entries.length * 16; // xv6's struct dirent is 16 bytes
  }

  unlinkEntry(name: string): void {
    const i = this.entries.findIndex((e) => e !== null && e.name === name);
    if (i >= 0) this.entries[i] = null;
  }

  isEmptyDir(): boolean {
    return this.entries.every((e) => e === null || e.name === "." || e.name === "..");
  }

  read(off: number, n: number): Uint8Array {
    const data = this.type === T_DIR ? this.dirents() : this.data;
    if (off >= this.size) return new Uint8Array(0);
    return data.slice(off, Math.min(this.size, off + n));
  }

  // A directory's contents as xv6 lays them out: 16-byte struct dirents (ushort inum, then
  // the name in DIRSIZ bytes, NUL-padded); a free slot has inum 0.
  private dirents(): Uint8Array {
    const out = new Uint8Array(this.entries.length * 16);
    this.entries.forEach((e, i) => {
      if (e === null) return;
      out[i * 16] = e.ip.inum & 0xff;
      out[i * 16 + 1] = e.ip.inum >> 8;
      out.set(encoder.encode(e.name).subarray(0, DIRSIZ), i * 16 + 2);
    });
    return out;
  }

  write(off: number, src: Uint8Array): number {
    const end = off + src.length;
    if (end > this.data.length) {
      const grown = new Uint8Array(Math.max(end, this.data.length * 2));
      grown.set(this.data.subarray(0, this.size));
      this.data = grown;
    }
    this.data.set(src, off);
    if (end > this.size) this.size = end;
    return src.length;
  }

  truncate(): void {
    this.data = new Uint8Array(0);
    this.size = 0;
  }
}

export class FileSystem {
  readonly lock = new Spinlock("fs");
  readonly root: Inode;
  private ninodes = 0;

  constructor(programs: readonly string[], image: FsImage) {
    this.root = this.ialloc(T_DIR);
    this.root.link(".", this.root);
    this.root.link("..", this.root);
    this.root.nlink = 2;
    const bin = this.mkdirAt(this.root, "bin");
    for (const name of [...programs].sort()) {
      const ip = this.ialloc(T_FILE);
      ip.program = name;
      ip.write(0, encoder.encode(`\x7fELF dv6 program: ${name}\n`));
      bin.link(name, ip);
    }
    for (const [path, contents] of Object.entries(image)) {
      const parts = path.split("/").filter((s) => s !== "");
      let dir = this.root;
      for (const part of parts.slice(0, -1)) dir = dir.lookup(part) ?? this.mkdirAt(dir, part);
      const ip = this.ialloc(T_FILE);
      ip.write(0, typeof contents === "string" ? encoder.encode(contents) : contents);
      dir.link(parts[parts.length - 1], ip);
    }
  }

  private ialloc(type: number): Inode {
    return new Inode(++this.ninodes, type);
  }

  private mkdirAt(dp: Inode, name: string): Inode {
    const ip = this.ialloc(T_DIR);
    ip.link(".", ip);
    ip.link("..", dp);
    ip.nlink = 2;
    dp.nlink++;
    dp.link(name, ip);
    return ip;
  }

  /** Look up a path, relative to cwd unless it starts with '/'. */
  namei(path: string, cwd: Inode): Inode | null {
    const r = this.walk(path, cwd, false);
    return r === null ? null : r.ip;
  }

  /** The directory that would hold `path`, and the last element's name. */
  nameiparent(path: string, cwd: Inode): { dp: Inode; name: string } | null {
    const r = this.walk(path, cwd, true);
    return r === null || r.name === "" ? null : { dp: r.ip, name: r.name };
  }

  private walk(path: string, cwd: Inode, parent: boolean): { ip: Inode; name: string } | null {
    let ip = path.startsWith("/") ? this.root : cwd;
    const parts = path.split("/").filter((s) => s !== "");
    for (let i = 0; i < parts.length; i++) {
      if (ip.type !== T_DIR) return null;
      const name = parts[i].slice(0, DIRSIZ);
      if (parent && i === parts.length - 1) return { ip, name };
      const next = ip.lookup(name);
      if (next === null) return null;
      ip = next;
    }
    return parent ? null : { ip, name: "" };
  }

  /** xv6's create(): an existing file is returned for T_FILE; otherwise a new inode. */
  create(path: string, type: number, major: number, minor: number, cwd: Inode): Inode | null {
    const parent = this.nameiparent(path, cwd);
    if (parent === null) return null;
    const { dp, name } = parent;
    const old = dp.lookup(name);
    if (old !== null) {
      return type === T_FILE && (old.type === T_FILE || old.type === T_DEVICE) ? old : null;
    }
    if (type === T_DIR) return this.mkdirAt(dp, name);
    const ip = this.ialloc(type);
    ip.major = major;
    ip.minor = minor;
    dp.link(name, ip);
    return ip;
  }

  unlink(path: string, cwd: Inode): number {
    const parent = this.nameiparent(path, cwd);
    if (parent === null) return -1;
    const { dp, name } = parent;
    // Cannot unlink "." or "..".
    if (name === "." || name === "..") return -1;
    const ip = dp.lookup(name);
    if (ip === null) return -1;
    if (ip.type === T_DIR && !ip.isEmptyDir()) return -1;
    dp.unlinkEntry(name);
    if (ip.type === T_DIR) dp.nlink--;
    ip.nlink--;
    return 0;
  }

  link(oldPath: string, newPath: string, cwd: Inode): number {
    const ip = this.namei(oldPath, cwd);
    if (ip === null || ip.type === T_DIR) return -1;
    const parent = this.nameiparent(newPath, cwd);
    if (parent === null || parent.dp.lookup(parent.name) !== null) return -1;
    parent.dp.link(parent.name, ip);
    ip.nlink++;
    return 0;
  }
}
