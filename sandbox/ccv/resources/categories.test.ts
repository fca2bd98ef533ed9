import { describe, expect, it } from 'vitest';
import { testSandbox } from '../testing.js';

interface Node { id: number; children: Node[] }
const parentsIn = (nodes: Node[], parent: number | null = null, out = new Map<number, number | null>()) => {
  for (const n of nodes) {
    out.set(n.id, parent);
    parentsIn(n.children, n.id, out);
  }
  return out;
};

describe('categories', () => {
  it('a category moved to the root, then under another category, moves in categorytree and in children', async () => {
    const sb = testSandbox({ products: 10 });
    const child = [...sb.core.state.categories.rows.values()].find((c) => c.parent_id !== null)!;
    const oldParent = child.parent_id!;
    const other = [...sb.core.state.categories.rows.values()].find((c) => c.parent_id === null && c.id !== oldParent && c.id !== child.id)!;

    expect((await sb.api('PATCH', `categories/${child.id}`, { parentcategory_id: null })).status).toBe(204);
    let tree = parentsIn((await sb.api<{ root_categories: Node[] }>('GET', 'categorytree')).json.root_categories);
    expect(tree.get(child.id)).toBeNull();
    const kids = await sb.api<{ items: { id: number }[] }>('GET', `categories/${oldParent}/categories`);
    expect(kids.json.items.map((c) => c.id)).not.toContain(child.id);

    expect((await sb.api('PATCH', `categories/${child.id}`, { parentcategory_id: other.id })).status).toBe(204);
    tree = parentsIn((await sb.api<{ root_categories: Node[] }>('GET', 'categorytree')).json.root_categories);
    expect(tree.get(child.id)).toBe(other.id);
    expect([...tree.values()].filter((p) => p === null).length).toBe([...sb.core.state.categories.rows.values()].filter((c) => c.parent_id === null).length);
  });

  it('refuses a move that would make a category its own ancestor, naming the field', async () => {
    const sb = testSandbox({ products: 10 });
    const child = [...sb.core.state.categories.rows.values()].find((c) => c.parent_id !== null)!;
    const r = await sb.api<{ developermessage: string }>('PATCH', `categories/${child.parent_id}`, { parentcategory_id: child.id });
    expect(r.status).toBe(400);
    expect(r.json.developermessage).toContain('parentcategory_id');
  });
});
