import type { RouteDef } from '../http/route.js';
import { identityRoutes } from './identity/routes.js';
import { reportRoutes } from './reports/routes.js';

/** Every route of the API. Each module contributes its own list. */
export function allRoutes(): RouteDef[] {
  return [...identityRoutes, ...reportRoutes];
}
