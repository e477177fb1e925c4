import { on } from '../../lib/events.js';
import { menuReedemRoutes } from './menu-reedems.routes.js';
import { messageRoutes } from './messages.routes.js';
import { threadRoutes } from './threads.routes.js';
import { closeConsultationThread, openConsultationThread, openPrescriptionThread } from './threads.service.js';

// A paid consultation order opens its thread (inside the payment transaction).
on('order.paid', (app, { orderId }, tx) => openConsultationThread(app, tx, orderId));
// ... and closes it when the payment is undone (back to CHECKOUT) or the order is cancelled.
on('order.status_changed', async (app, { orderId, status }, tx) => {
  if (status === 'CHECKOUT' || status === 'CANCEL') await closeConsultationThread(app, tx, orderId);
});
// A prescription request opens a prescriptions thread that any doctor may take.
on('prescription.requested', (app, { requestId }, tx) => openPrescriptionThread(app, tx, requestId));

export const consultationRoutes = [...threadRoutes, ...messageRoutes, ...menuReedemRoutes];
