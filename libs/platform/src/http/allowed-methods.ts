import type { HttpAdapterHost } from '@nestjs/core';

interface RouteLayer {
  route?: { path?: unknown; methods: Record<string, boolean> };
  match(path: string): unknown;
}

/**
 * The methods some route serves at `path` (Express' router table), for the `Allow` header of a
 * 405. Empty when no route has that path: then it is a 404.
 */
export function allowedMethods(adapterHost: HttpAdapterHost, path: string): string[] {
  const instance = adapterHost.httpAdapter?.getInstance<
    { router?: { stack?: RouteLayer[] } } | undefined
  >();
  const methods = new Set<string>();
  for (const layer of instance?.router?.stack ?? []) {
    const route = layer.route;
    // Wildcard routes are middleware mounts (they accept every method), not handlers.
    if (!route || typeof route.path !== 'string' || route.path.includes('*')) continue;
    if (!layer.match(path)) continue;
    for (const method of Object.keys(route.methods)) {
      if (method !== '_all') methods.add(method.toUpperCase());
    }
  }
  if (methods.has('GET')) methods.add('HEAD'); // Express answers HEAD from the GET handler
  return [...methods].sort();
}
