import type { RouteDef } from '../http/route.js';
import { identityRoutes } from './identity/routes.js';
import { consultationRoutes } from './consultations/routes.js';
import { notificationRoutes } from './notifications/routes.js';
import { patientsModuleRoutes } from './patients/routes.js';
import { shippingRoutes } from './shipping/routes.js';

/** Every route of the API. Each module contributes its own list (one line each). */
export function allRoutes(): RouteDef[] {
  return [
    ...identityRoutes,
    ...patientsModuleRoutes,
    ...shippingRoutes,
    ...consultationRoutes,
    ...notificationRoutes,
  ];
}
