import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import PDFDocument from 'pdfkit';
import type { AppContext } from '../../app-context.js';
import { formatDateTime } from '../../lib/dates.js';
import { formatRupiah } from '../catalogue/pricing.js';

/**
 * DejaVu Sans, embedded (subset) in every invoice: pdfkit's built-in Helvetica has Latin-1 glyphs
 * only, and names, addresses and products come in any script (Vietnamese, Cyrillic, Greek…).
 * Read once, on the first invoice.
 */
let bodyFont: Buffer | undefined;
const invoiceFont = () => (bodyFont ??= readFileSync(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf')));

/**
 * The order's invoice as a PDF: clinic, order code, dates, lines, discount, shipping, points,
 * total, what was refunded and payment status. `compress: false` keeps the text streams readable (tests read them).
 */
export function renderInvoice(app: AppContext, o: any): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4', margin: 50, compress: false, info: { Title: `Invoice ${o.order_code ?? ''}` } });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);

    doc.font(invoiceFont());
    doc.fontSize(18).text(app.config.CLINIC_NAME);
    if (app.config.CLINIC_ADDRESS) doc.fontSize(9).text(app.config.CLINIC_ADDRESS);
    doc.moveDown().fontSize(14).text('INVOICE');
    doc.fontSize(10);
    doc.text(`Order code: ${o.order_code ?? ''}`);
    doc.text(`Order date: ${formatDateTime(o.order_date) ?? ''}`);
    doc.text(`Checkout: ${formatDateTime(o.checkout_datetime) ?? '-'}`);
    doc.text(`Customer: ${o.nama_pemesan} (${o.notelp_pemesan})`);
    doc.text(`Patient: ${o.patient?.nama_lengkap_pasien ?? ''}`);
    if (o.order_type === 'E') doc.text(`Ship to: ${o.nama_penerima}, ${o.alamat_kirim}`);
    doc.moveDown();
    for (const i of o.items ?? []) {
      if (i.is_canceled) continue;
      doc.text(`${i.nama_menus || i.menu?.nama_menus}  ${i.qty} x ${formatRupiah(i.price)} = ${formatRupiah(i.price_total)}`);
    }
    for (const e of o.extras ?? []) {
      const who = e.doctor?.user?.users_fullname ? ` - ${e.doctor.user.users_fullname}` : '';
      doc.text(`${e.item}${who}  ${e.qty} x ${formatRupiah(e.extra_prices)} = ${formatRupiah(e.extra_prices * e.qty)}`);
    }
    doc.moveDown();
    doc.text(`Subtotal: ${formatRupiah(o.total_price)}`);
    doc.text(`Discount: ${formatRupiah(o.total_discount)}${o.promotion ? ` (${o.promotion.display_codes})` : ''}`);
    if (o.total_pajak) doc.text(`Tax: ${formatRupiah(o.total_pajak)}`);
    doc.text(`Shipping: ${formatRupiah(o.courier_price)}${o.courier ? ` (${o.courier} ${o.courier_service})` : ''}`);
    doc.text(`Points used: ${formatRupiah(o.poin_used)}`);
    doc.fontSize(12).text(`Total: ${formatRupiah(o.grand_totals)}`);
    // what Midtrans says it gave back of the payment (in full when a refund cancelled the order)
    if (o.refunded_amount > 0) doc.fontSize(10).text(`Refunded: ${formatRupiah(o.refunded_amount)}`);
    doc.fontSize(10).text(`Payment status: ${o.is_paid ? `PAID ${formatDateTime(o.paid_date)} ${o.pay_channel}` : 'UNPAID'}`);
    doc.text(`Order status: ${o.status}`);
    doc.end();
  });
}
