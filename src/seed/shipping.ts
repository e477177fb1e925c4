import type { AppContext } from '../app-context.js';
import { deliverySettings } from '../modules/shipping/shipping.service.js';

/** Same-day segments of the demo: whole kilometres started × price_in_km (docs/compat.md). */
const SEGMENTS = [
  { distance_fr: 0, distance_to: 5, segment: 'Range dari 0 s.d 5 KM', price_in_km: 6800 },
  { distance_fr: 5, distance_to: 10, segment: 'Range dari 5 s.d 10 KM', price_in_km: 6000 },
  { distance_fr: 10, distance_to: 25, segment: 'Range dari 10 s.d 25 KM', price_in_km: 5000 },
];

export async function seedShipping(app: AppContext) {
  await deliverySettings(app);
  if ((await app.db.delivery.count()) > 0) return;
  await app.db.delivery.createMany({ data: SEGMENTS });
}
