/**
 * The price a product sells at now: the promotion price applies only inside its window
 * (instants, so Asia/Jakarta boundaries are exact) and only when it is a real discount.
 * Every place that shows or charges a product's price uses this.
 */
export function effectivePrice(
  menu: { harga: number; harga_promosi: number; mulai_harga_promosi: Date | null; selesai_harga_promosi: Date | null },
  now: Date,
): number {
  const t = now.getTime();
  const inWindow =
    menu.harga_promosi > 0 &&
    menu.harga_promosi < menu.harga &&
    (!menu.mulai_harga_promosi || menu.mulai_harga_promosi.getTime() <= t) &&
    (!menu.selesai_harga_promosi || t < menu.selesai_harga_promosi.getTime());
  return inWindow ? menu.harga_promosi : menu.harga;
}

const rupiah = new Intl.NumberFormat('id-ID'); // made once: the same digits as toLocaleString('id-ID'), ≈3x cheaper per call
/** Indonesian rupiah as the document shows it: `IDR 123.000`. */
export const formatRupiah = (amount: number) => `IDR ${rupiah.format(Math.round(amount))}`;
