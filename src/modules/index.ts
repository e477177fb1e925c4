import type { RouteDef } from '../http/route.js';
import { identityRoutes } from './identity/routes.js';
import { recoveryRoutes } from './recovery/routes.js';
import { logRoutes } from './audit/routes.js';
import { exportRoutes } from './audit/export.js';
import './recovery/outbox.service.js'; // registers the outbox delivery job

/** Every route of the API. Each module contributes its own list. */
export function allRoutes(): RouteDef[] {
  return [...identityRoutes, ...recoveryRoutes, ...logRoutes, ...exportRoutes];
}
