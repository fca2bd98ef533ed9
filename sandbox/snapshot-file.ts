// Writing a sandbox's snapshot file: atomically (a temp file beside it, then a rename) and in chunks,
// so a large shop is never built as one string. Both sandboxes lay their tables out one record per line.
import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';

export type Out = (text: string) => void;

/** Writes what `fill` emits to `file` atomically; on an error the temp file is removed and `file` is untouched. */
export function writeFileAtomically(file: string, fill: (out: Out) => void): void {
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    let chunk: string[] = [];
    let size = 0;
    fill((text) => {
      chunk.push(text);
      size += text.length;
      if (size > 1 << 20) {
        writeSync(fd, chunk.join(''));
        chunk = [];
        size = 0;
      }
    });
    writeSync(fd, chunk.join(''));
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, file);
}

/** `"name":[` then one JSON record per line, then `]` (with a comma unless it is the last table). */
export function writeTable(out: Out, name: string, rows: readonly unknown[], last: boolean): void {
  out(`${JSON.stringify(name)}:[\n`);
  rows.forEach((r, i) => out(`${JSON.stringify(r)}${i < rows.length - 1 ? ',' : ''}\n`));
  out(last ? ']\n' : '],\n');
}
