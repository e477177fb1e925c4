import { departmentRoutes, roleRoutes, userDepartmentRoutes } from './roles.routes.js';
import { userRoutes } from './users.routes.js';

export const identityRoutes = [...userRoutes, ...roleRoutes, ...departmentRoutes, ...userDepartmentRoutes];
