import type { RouteDef } from '../../http/route.js';
import { menuModuleRoutes } from './menus.routes.js';
import { promotionModuleRoutes } from './promotions.routes.js';
import { storeModuleRoutes } from './stores.routes.js';

/** Catalogue and content: categories, products, pictures, stores, store stock, promotions, pages. */
export const catalogueRoutes: RouteDef[] = [...menuModuleRoutes, ...storeModuleRoutes, ...promotionModuleRoutes];
