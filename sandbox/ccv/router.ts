/**
 * Route table of the API. A path that matches no route shape => 404.20 (invalid resource name); a shape that
 * exists without the method => 405.10. `:id` segments are positive integers. Both `/x/1` and `/x/1/` match.
 * Each route names its rate-limit resource: the resource type it serves (the last literal path segment), so
 * `/categories/5/products` and `/products` share the `products` budget.
 */
import type { Ctx, Method, Result } from './context.js';
import { ApiError, CODES } from './errors.js';

export interface Endpoint {
  /** Query parameters this endpoint accepts (start/size/orderby/expand must be listed too when taken). */
  params?: readonly string[];
  run: (ctx: Ctx) => Result | Promise<Result>;
}

export interface Route {
  path: string;
  resource?: string;
  methods: Partial<Record<Method, Endpoint>>;
}

interface CompiledRoute extends Route {
  segments: string[];
  resource: string;
}

export interface Match {
  route: CompiledRoute;
  endpoint: Endpoint;
  params: number[];
  resource: string;
}

export class Router {
  private readonly routes: CompiledRoute[] = [];

  add(routes: readonly Route[]): this {
    for (const r of routes) {
      const segments = r.path === '' ? [] : r.path.split('/');
      const literal = segments.filter((s) => !s.startsWith(':'));
      this.routes.push({ ...r, segments, resource: r.resource ?? literal[literal.length - 1] ?? 'root' });
    }
    return this;
  }

  /** `rest` is the path after /api/rest/v1, e.g. `/products/5/` or ``. */
  match(method: string, rest: string): Match {
    const parts = rest.split('/').filter((p, i, all) => !(p === '' && (i === 0 || i === all.length - 1)));
    if (parts.some((p) => p === '')) throw new ApiError(404, CODES.invalidResource, `Invalid resource name: '${rest}'`);
    let shape: CompiledRoute | undefined;
    for (const r of this.routes) {
      if (r.segments.length !== parts.length) continue;
      const params: number[] = [];
      let ok = true;
      for (let i = 0; i < parts.length; i++) {
        const seg = r.segments[i] as string;
        const part = parts[i] as string;
        if (seg.startsWith(':')) {
          if (!/^[1-9]\d{0,14}$/.test(part)) {
            ok = false;
            break;
          }
          params.push(Number(part));
        } else if (seg !== part) {
          ok = false;
          break;
        }
      }
      if (!ok) continue;
      shape = r;
      const endpoint = r.methods[method as Method];
      if (endpoint) return { route: r, endpoint, params, resource: r.resource };
    }
    if (shape) {
      const allowed = Object.keys(shape.methods).join(', ');
      throw new ApiError(405, CODES.methodNotAllowed, `Method ${method} is not allowed on '${shape.path || '/'}'; allowed: ${allowed}`);
    }
    const name = parts[0] ?? '';
    throw new ApiError(404, CODES.invalidResource, `Invalid resource name: '${parts.join('/') || name}'`);
  }

  list(): { path: string; resource: string; methods: string[] }[] {
    return this.routes.map((r) => ({ path: r.path, resource: r.resource, methods: Object.keys(r.methods) }));
  }
}
