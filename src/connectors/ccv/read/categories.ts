/** CCV categories → canonical Categories, from one `categorytree` call. */
import { recordKey, type Category } from '../../../core/index.js';
import type { CcvClient } from '../client.js';

interface TreeNode { id: number; name: string; description?: string | null; position?: number | null; children?: TreeNode[] }

export async function readCcvCategories(client: CcvClient, signal?: AbortSignal): Promise<Category[]> {
  const tree = await client.get<{ root_categories: TreeNode[] }>('categorytree', { signal });
  const out: Category[] = [];
  const walk = (nodes: TreeNode[], parent: Category | null) => {
    for (const n of nodes) {
      const c: Category = {
        key: recordKey('ccv', n.id),
        name: n.name.trim(),
        parentKey: parent?.key ?? null,
        path: [...(parent?.path ?? []), n.name.trim()],
        descriptionHtml: n.description ? n.description : null,
        position: n.position ?? null,
      };
      out.push(c);
      walk(n.children ?? [], c);
    }
  };
  walk(tree.root_categories ?? [], null);
  return out;
}
