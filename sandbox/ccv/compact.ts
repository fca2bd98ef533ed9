/**
 * Gives number arrays (combination value ids) exact-size backing stores before records go into the tables: arrays
 * built with spread or push keep slack capacity, ~130 bytes per combination, ~45 MiB in a 100k-product shop.
 * (Strings are left alone: interning or flattening every string of a big shop costs seconds at load; the
 * generator builds its big strings flat instead, see sandbox/data.)
 */
export function compactRecords(root: unknown): void {
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const x = v[i];
        if (Array.isArray(x) && typeof x[0] === 'number') v[i] = x.slice();
        else if (typeof x === 'object' && x !== null) walk(x);
      }
      return;
    }
    const o = v as Record<string, unknown>;
    for (const k in o) {
      const x = o[k];
      if (typeof x !== 'object' || x === null) continue;
      if (Array.isArray(x) && typeof x[0] === 'number') o[k] = x.slice();
      else walk(x);
    }
  };
  if (typeof root === 'object' && root !== null) walk(root);
}
