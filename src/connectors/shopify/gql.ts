/**
 * The `gql` tag: records a GraphQL document's text and name, nothing more (no parsing at load time).
 * Every document Koppel sends is built with it, so one registry holds them all and a test validates
 * each against the vendored Admin schemas (documents.test.ts).
 *
 * Fragments are interpolated at the end of the template: `gql\`query X { ...F } ${F}\``; their text
 * (and that of the fragments they use) is appended once.
 */

export type DocumentKind = 'query' | 'mutation' | 'fragment';

/** A GraphQL document; `TData` / `TVariables` type the result data and the variables. */
export interface GqlDocument<TData = Record<string, unknown>, TVariables = Record<string, unknown>> {
  readonly kind: DocumentKind;
  /** Operation (or fragment) name: used in logs and metrics, never variables. */
  readonly name: string;
  /** Full text sent to Shopify: the definition followed by every fragment it uses. */
  readonly text: string;
  /** True when the operation carries `@idempotent(key:)`: a replay with the same key cannot apply twice. */
  readonly idempotent: boolean;
  /** Names of the fragments included in `text`. */
  readonly fragments: readonly string[];
  /** Phantom fields: never set, they only carry the types. */
  readonly __data?: TData;
  readonly __variables?: TVariables;
}

/** Result data type of a document. */
export type DataOf<D> = D extends GqlDocument<infer T, infer _V> ? T : never;
/** Variables type of a document. */
export type VariablesOf<D> = D extends GqlDocument<infer _T, infer V> ? V : never;

const operations = new Map<string, GqlDocument>();
const fragmentsByName = new Map<string, GqlDocument>();

const HEAD = /^\s*(?:#[^\n]*\n\s*)*(query|mutation|fragment)\s+([_A-Za-z][_0-9A-Za-z]*)/;

export function gql<TData = Record<string, unknown>, TVariables = Record<string, unknown>>(
  strings: TemplateStringsArray,
  ...parts: GqlDocument<unknown, unknown>[]
): GqlDocument<TData, TVariables> {
  let own = strings[0] ?? '';
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (!p || p.kind !== 'fragment') throw new Error(`gql: only fragments can be interpolated (at position ${i})`);
    own += strings[i + 1] ?? '';
  }
  const m = HEAD.exec(own);
  if (!m) throw new Error(`gql: a document must start with "query Name", "mutation Name" or "fragment Name": ${own.trim().slice(0, 60)}`);
  const kind = m[1] as DocumentKind;
  const name = m[2] as string;

  const used: GqlDocument<unknown, unknown>[] = [];
  const seen = new Set<string>();
  const add = (f: GqlDocument<unknown, unknown>): void => {
    if (seen.has(f.name)) return;
    seen.add(f.name);
    used.push(f);
    for (const sub of f.fragments) {
      const d = fragmentsByName.get(sub);
      if (d) add(d as GqlDocument<unknown, unknown>);
    }
  };
  for (const p of parts) add(p);
  const ownText = dedent(own);
  const text = [ownText, ...used.map((f) => ownTextOf(f))].join('\n');

  const doc: GqlDocument<TData, TVariables> = Object.freeze({
    kind,
    name,
    text,
    idempotent: /@idempotent\s*\(/.test(ownText),
    fragments: Object.freeze(used.map((f) => f.name)),
  });
  const table = kind === 'fragment' ? fragmentsByName : operations;
  if (table.has(name)) throw new Error(`gql: two documents are named ${name}; names must be unique`);
  table.set(name, doc as GqlDocument);
  ownTexts.set(doc as GqlDocument, ownText);
  return doc;
}

const ownTexts = new WeakMap<GqlDocument, string>();
function ownTextOf(d: GqlDocument<unknown, unknown>): string {
  return ownTexts.get(d as GqlDocument) ?? d.text;
}

function dedent(s: string): string {
  const lines = s.replace(/^\n+/, '').replace(/\s+$/, '').split('\n');
  const indents = lines.filter((l) => l.trim()).map((l) => /^ */.exec(l)?.[0].length ?? 0);
  const cut = indents.length ? Math.min(...indents) : 0;
  return lines.map((l) => l.slice(cut)).join('\n');
}

/** Every query and mutation registered so far (import `documents.ts` first to get them all). */
export function registeredOperations(): GqlDocument[] {
  return [...operations.values()];
}

/** Every fragment registered so far. */
export function registeredFragments(): GqlDocument[] {
  return [...fragmentsByName.values()];
}

/** Looks a registered operation up by name. */
export function operationByName(name: string): GqlDocument | undefined {
  return operations.get(name);
}
