import type { RouteDef } from '../http/route.js';
import { identityRoutes } from './identity/routes.js';
import { consultationRoutes } from './consultations/routes.js';
import { notificationRoutes } from './notifications/routes.js';

/** Every route of the API. Each module contributes its own list. */
export function allRoutes(): RouteDef[] {
  return [...identityRoutes, ...consultationRoutes, ...notificationRoutes];
}
