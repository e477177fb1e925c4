import type { RouteDef } from '../http/route.js';
import { identityRoutes } from './identity/routes.js';
import { consultationRoutes } from './consultations/routes.js';
import { notificationRoutes } from './notifications/routes.js';
import { patientsModuleRoutes } from './patients/routes.js';
import { shippingRoutes } from './shipping/routes.js';
import { catalogueRoutes } from './catalogue/routes.js';
import { recoveryRoutes } from './recovery/routes.js';
import { logRoutes } from './audit/routes.js';
import { exportRoutes } from './audit/export.js';
import './recovery/outbox.service.js'; // registers the outbox delivery job
import { clinicRoutes } from './clinic/routes.js';
import { reportRoutes } from './reports/routes.js';
import { commerceRoutes } from './commerce/routes.js';

/** Every route of the API. Each module contributes its own list (one line each). */
export function allRoutes(): RouteDef[] {
  return [
    ...identityRoutes,
    ...patientsModuleRoutes,
    ...shippingRoutes,
    ...catalogueRoutes,
    ...recoveryRoutes,
    ...logRoutes,
    ...exportRoutes,
    ...clinicRoutes,
    ...consultationRoutes,
    ...notificationRoutes,
    ...reportRoutes,
    ...commerceRoutes,
  ];
}
