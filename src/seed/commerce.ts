import type { AppContext } from '../app-context.js';
import { creditPoints } from '../modules/commerce/points.service.js';

/**
 * Commerce demo data: welcome points for the demo customers (so apply/points can be tried).
 * Products, patients and doctors come from the catalogue and clinic seeders; carts are made in the app.
 */
export async function seedCommerce(app: AppContext) {
  for (const username of ['budi', 'dewi']) {
    const user = await app.db.user.findUnique({ where: { username } });
    if (!user) continue;
    if (await app.db.userPoint.count({ where: { id_users: user.id, usecase: 'admin-adjust' } })) continue;
    await app.db.$transaction((tx) => creditPoints(app, tx, user.id, 10_000, 'admin-adjust', null));
  }
}
