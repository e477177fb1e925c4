import { conflict, notFound } from '../../http/errors.js';
import type { Tx } from '../../db/client.js';

/** A stock line: by stock row, by store product, or by (store, product). */
export type StockItem = ({ idstock: number } | { idbrandstoremenus: number } | { idbrandstore: number; idmenu: number }) & { qty: number };

export interface StockChange {
  idstock: number;
  idbrandstoremenus: number;
  idmenu: number;
  qty: number;
  quantity_after: number;
}

interface StockOptions {
  id_orders?: number | null;
  id_users?: number | null;
  note?: string;
}

/** Far below the 32-bit column limit, so additions can never overflow it. */
const MAX_STOCK = 1_000_000_000;

type Resolved = { idstock: number; idbrandstoremenus: number; idmenu: number; nama: string; qty: number };

/** Finds the stock rows of the items in one query; merges repeated lines. */
async function resolve(tx: Tx, items: StockItem[], forSale = false): Promise<Resolved[]> {
  for (const it of items) {
    if (!Number.isInteger(it.qty) || it.qty <= 0) throw conflict(`Invalid quantity ${it.qty}`);
  }
  const or = items.map((it) =>
    'idstock' in it ? { id: it.idstock } : 'idbrandstoremenus' in it ? { idbrandstoremenus: it.idbrandstoremenus } : { brandstoreMenu: { idbrandstore: it.idbrandstore, idmenu: it.idmenu } },
  );
  const rows = await tx.stock.findMany({
    where: { OR: or },
    include: {
      brandstoreMenu: {
        select: { id: true, idmenu: true, idbrandstore: true, menu: { select: { nama_menus: true, deleted_at: true } }, brandstore: { select: { deleted_at: true } } },
      },
    },
  });
  const merged = new Map<number, Resolved>();
  for (const it of items) {
    const row = rows.find((r) =>
      'idstock' in it ? r.id === it.idstock : 'idbrandstoremenus' in it ? r.idbrandstoremenus === it.idbrandstoremenus : r.brandstoreMenu.idbrandstore === it.idbrandstore && r.brandstoreMenu.idmenu === it.idmenu,
    );
    if (!row) {
      const what = 'idstock' in it ? `stock ${it.idstock}` : 'idbrandstoremenus' in it ? `store product ${it.idbrandstoremenus}` : `product ${it.idmenu} in store ${it.idbrandstore}`;
      throw conflict(`No stock is kept for ${what}`);
    }
    // A product or store deleted since it was put in the cart is no longer sold.
    if (forSale && (row.brandstoreMenu.menu.deleted_at || row.brandstoreMenu.brandstore.deleted_at)) {
      throw conflict(`${row.brandstoreMenu.menu.nama_menus} is no longer available`);
    }
    const prev = merged.get(row.id);
    if (prev) prev.qty += it.qty;
    else merged.set(row.id, { idstock: row.id, idbrandstoremenus: row.idbrandstoremenus, idmenu: row.brandstoreMenu.idmenu, nama: row.brandstoreMenu.menu.nama_menus, qty: it.qty });
  }
  // A fixed lock order (by id) so two multi-line orders never deadlock on each other.
  return [...merged.values()].sort((a, b) => a.idstock - b.idstock);
}

/**
 * Adds `sign * qty` to each stock row in one statement, only where the result stays >= 0.
 * Rows are locked first in id order. Returns the new levels of the rows that changed.
 */
async function applyDelta(tx: Tx, lines: Resolved[], sign: 1 | -1) {
  const ids = lines.map((l) => l.idstock);
  const deltas = lines.map((l) => sign * l.qty);
  await tx.$queryRaw`SELECT id FROM stocks WHERE id = ANY(${ids}::int[]) ORDER BY id FOR UPDATE`;
  const updated = await tx.$queryRaw<{ id: number; quantitytotal: number }[]>`
    UPDATE stocks s SET quantitytotal = s.quantitytotal + v.delta, datetimeupdateat = now()
    FROM (SELECT unnest(${ids}::int[]) AS id, unnest(${deltas}::int[]) AS delta) v
    WHERE s.id = v.id AND s.quantitytotal + v.delta >= 0
    RETURNING s.id, s.quantitytotal`;
  return new Map(updated.map((u) => [Number(u.id), Number(u.quantitytotal)]));
}

async function record(tx: Tx, lines: Resolved[], after: Map<number, number>, sign: 1 | -1, reason: string, opts: StockOptions): Promise<StockChange[]> {
  await tx.stockMovement.createMany({
    data: lines.map((l) => ({
      idstock: l.idstock,
      delta: sign * l.qty,
      quantity_after: after.get(l.idstock)!,
      reason,
      id_orders: opts.id_orders ?? null,
      id_users: opts.id_users ?? null,
      note: opts.note ?? '',
    })),
  });
  return lines.map((l) => ({ idstock: l.idstock, idbrandstoremenus: l.idbrandstoremenus, idmenu: l.idmenu, qty: l.qty, quantity_after: after.get(l.idstock)! }));
}

/**
 * Takes stock for an order inside the caller's transaction. All lines or none: when one line lacks
 * stock this throws 409 naming the product, and the caller's transaction must roll back (let the
 * error propagate). Never makes stock negative, whatever runs concurrently.
 */
export async function reserveStock(tx: Tx, items: StockItem[], opts: StockOptions = {}): Promise<StockChange[]> {
  if (!items.length) return [];
  const lines = await resolve(tx, items, true);
  const after = await applyDelta(tx, lines, -1);
  const short = lines.find((l) => !after.has(l.idstock));
  if (short) throw conflict(`Not enough stock for ${short.nama}`);
  return record(tx, lines, after, -1, 'CHECKOUT', opts);
}

/** Gives reserved stock back (uncheckout, cancel, expiry) inside the caller's transaction. */
export async function releaseStock(tx: Tx, items: StockItem[], opts: StockOptions = {}): Promise<StockChange[]> {
  if (!items.length) return [];
  const lines = await resolve(tx, items);
  const after = await applyDelta(tx, lines, 1);
  return record(tx, lines, after, 1, 'RELEASE', opts);
}

/**
 * Admin stock change of one store product: `quantitytotal` sets the level, `delta` adds to it
 * (refused with 409 when it would go below zero). Recorded as an ADJUST movement.
 */
export async function adjustStock(tx: Tx, idbrandstoremenus: number, change: { quantitytotal?: number; delta?: number }, id_users: number | null, note = '') {
  // The row lock serialises admin changes with checkouts; the level is then computed and written.
  // Found and locked in one statement: a store product deleted meanwhile (its stock row cascaded
  // away while this waited for the lock) is 404, not a row read before the lock and gone after it.
  const [stock] = await tx.$queryRaw<{ id: number; quantitytotal: number }[]>`SELECT id, quantitytotal FROM stocks WHERE idbrandstoremenus = ${idbrandstoremenus} FOR UPDATE`;
  if (!stock) throw notFound(`Store product ${idbrandstoremenus} has no stock row`);
  const old = Number(stock.quantitytotal);
  const level = change.quantitytotal ?? old + (change.delta ?? 0);
  if (level < 0) throw conflict(`Stock cannot go below zero (now ${old})`);
  if (level > MAX_STOCK) throw conflict(`Stock cannot exceed ${MAX_STOCK}`);
  await tx.$executeRaw`UPDATE stocks SET quantitytotal = ${level}, datetimeupdateat = now() WHERE id = ${stock.id}`;
  const row = { quantitytotal: level, delta: level - old };
  await tx.stockMovement.create({
    data: { idstock: stock.id, delta: Number(row.delta), quantity_after: Number(row.quantitytotal), reason: 'ADJUST', id_users, note },
  });
}
