import type { RouteDef } from '../../http/route.js';
import { appointmentRoutes } from './appointments.routes.js';
import { clinicCatalogRoutes } from './catalog.routes.js';
import './sections.js';

/** Services, doctors, practice hours, slots, holidays and appointments (issue #4, the booking half). */
export const clinicRoutes: RouteDef[] = [...clinicCatalogRoutes, ...appointmentRoutes];
