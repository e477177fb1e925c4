import type { AppContext } from '../app-context.js';
import { seedIdentity } from './identity.js';
import { seedPatients } from './patients.js';
import { seedShipping } from './shipping.js';
import { seedCatalogue } from './catalogue.js';
import { seedClinic } from './clinic.js';
import { seedCommerce } from './commerce.js';

/**
 * Demo data for the embedded mode and `npm run db:seed`. Each module's seeder is idempotent
 * (it looks its rows up by a natural key before creating them), so running it again changes nothing.
 */
const seeders: Array<(app: AppContext) => Promise<void>> = [
  seedIdentity,
  seedPatients,
  seedClinic,
  seedShipping,
  seedCatalogue,
  seedCommerce,
];

export async function seedDemoData(app: AppContext) {
  for (const seed of seeders) await seed(app);
}
