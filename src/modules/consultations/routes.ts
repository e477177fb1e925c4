import { addJob } from '../../jobs.js';
import { on } from '../../lib/events.js';
import { menuReedemRoutes } from './menu-reedems.routes.js';
import { messageRoutes } from './messages.routes.js';
import { threadRoutes } from './threads.routes.js';
import { closeConsultationThread, closeEndedConsultations, openConsultationThread, openPrescriptionThread } from './threads.service.js';

// A paid consultation order opens its thread (inside the payment transaction).
on('order.paid', (app, { orderId }, tx) => openConsultationThread(app, tx, orderId));
// ... and closes it when the payment is undone (back to CHECKOUT) or the order is cancelled.
on('order.status_changed', async (app, { orderId, status }, tx) => {
  if (status === 'CHECKOUT' || status === 'CANCEL') await closeConsultationThread(app, tx, orderId);
});
// A prescription request opens a prescriptions thread that any doctor may take.
on('prescription.requested', (app, { requestId }, tx) => openPrescriptionThread(app, tx, requestId));

// every minute: consultations past their window are closed (is_closed 1, closed_at = the window's end)
addJob({ name: 'consultations.close-ended', everyMs: 60_000, run: async (app, stopping) => void (await closeEndedConsultations(app, stopping)) });

export const consultationRoutes = [...threadRoutes, ...messageRoutes, ...menuReedemRoutes];
