import { z } from 'zod';
import * as r from '../../http/response.js';
import { route } from '../../http/route.js';
import { newPassword as newPasswordSchema } from '../../lib/schemas.js';
import { toWablasPhone } from '../../adapters/wablas.js';
import { completeRecovery, requestRecovery } from './recovery.service.js';

const email = z.object({ email: z.string().trim().toLowerCase().pipe(z.email().max(200)) });
const phone = z.object({ phone: z.string().trim().regex(/^\+?\d{8,15}$/, 'digits only, 8 to 15') });
const secret = z.string().regex(/^[A-Za-z0-9_-]{16,100}$/, 'invalid recovery hash');
const newPassword = z
  .object({
    new_password: newPasswordSchema,
    confirm_new_password: z.string().max(200),
  })
  .refine((b) => b.new_password === b.confirm_new_password, { message: 'passwords do not match', path: ['confirm_new_password'] });
const variant = z.object({ variant: z.enum(['reset']).optional() });

// Answers echo the address or number only (the same whether or not an account has it): never
// the recovery secret, its hash or an OTP.
/** a WhatsApp number as Wablas takes it: country code 62, digits only */
const waPhone = r.str.regex(/^\d{8,16}$/);

export const recoveryRoutes = [
  route({
    method: 'post',
    path: '/users/:email/recovery/password/email',
    access: 'public',
    tag: 'users',
    summary: 'Send a password recovery link by e-mail (same answer whether or not the address is registered)',
    params: email,
    query: variant,
    response: z.object({ recovery_password_email: z.literal(true), users_email: r.str }),
    handler: async ({ app, params, query, req }) => {
      await requestRecovery(app, 'email', params.email, query.variant, req);
      return { recovery_password_email: true, users_email: params.email };
    },
  }),
  route({
    method: 'post',
    path: '/users/:email/forgot/:hash/password/email',
    access: 'public',
    tag: 'users',
    summary: 'Set a new password with the hash from the e-mailed recovery link',
    params: email.extend({ hash: secret }),
    body: newPassword,
    response: z.object({ forgot_password_email: z.literal(true), users_email: r.str }),
    handler: async ({ app, params, body, req }) => {
      const user = await completeRecovery(app, 'email', params.email, params.hash, body.new_password, req);
      return { forgot_password_email: true, users_email: user.users_email ?? params.email };
    },
  }),
  route({
    method: 'post',
    path: '/users/:phone/recovery/password/wa',
    access: 'public',
    tag: 'users',
    summary: 'Send a password recovery link by WhatsApp (Wablas); same answer whether or not the number is registered',
    params: phone,
    query: variant,
    response: z.object({ recovery_password_wa: z.literal(true), users_phone: waPhone }),
    handler: async ({ app, params, query, req }) => {
      await requestRecovery(app, 'wa', params.phone, query.variant, req);
      return { recovery_password_wa: true, users_phone: toWablasPhone(params.phone) };
    },
  }),
  route({
    method: 'post',
    path: '/users/:phone/forgot/:hash/password/wa',
    access: 'public',
    tag: 'users',
    summary: 'Set a new password with the hash from the WhatsApp recovery link',
    params: phone.extend({ hash: secret }),
    body: newPassword,
    response: z.object({ forgot_password_wa: z.literal(true), users_phone: waPhone }),
    handler: async ({ app, params, body, req }) => {
      await completeRecovery(app, 'wa', params.phone, params.hash, body.new_password, req);
      return { forgot_password_wa: true, users_phone: toWablasPhone(params.phone) };
    },
  }),
];
