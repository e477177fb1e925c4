import type { RouteDef } from '../http/route.js';
import { identityRoutes } from './identity/routes.js';
import { patientsModuleRoutes } from './patients/routes.js';
import { shippingRoutes } from './shipping/routes.js';
import { reportRoutes } from './reports/routes.js';

/** Every route of the API. Each module contributes its own list (one line each). */
export function allRoutes(): RouteDef[] {
  return [
    ...identityRoutes,
    ...patientsModuleRoutes,
    ...shippingRoutes,
    ...reportRoutes,
  ];
}
