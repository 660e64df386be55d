import FindMyWay from 'find-my-way';

type Method = FindMyWay.HTTPMethod;

/**
 * A shadow of the server's routes, used only to tell "no such endpoint" (404) from
 * "endpoint exists, wrong method" (405), as the spec distinguishes them. Fastify reports
 * both as not found. OPTIONS is left out: the CORS plugin answers it for every path.
 */
export class RouteTable {
  private readonly router = FindMyWay({ ignoreTrailingSlash: true });
  private readonly methods = new Set<Method>();

  add(method: string | readonly string[], url: string): void {
    for (const m of Array.isArray(method) ? method : [method]) {
      const upper = String(m).toUpperCase() as Method;
      if (upper === 'OPTIONS' || this.router.hasRoute(upper, url)) continue;
      this.router.on(upper, url, () => undefined);
      this.methods.add(upper);
    }
  }

  /** Methods registered for this concrete URL (query string ignored). */
  allowedMethods(url: string): Method[] {
    const path = url.split('?', 1)[0] ?? url;
    return [...this.methods].filter((method) => this.router.find(method, path) !== null);
  }
}
