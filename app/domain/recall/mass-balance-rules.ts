// Pure rules of a lot's mass balance (docs/decisions/106-mass-balance-and-drills.md): where every
// unit that came into a lot went. No database here; mass-balance.server.ts reads the terms.
//
//   received = shipped - returned + onHand + destroyed + adjusted + unexplained
//
// Returned units come back INTO the lot (a refund with restock `return` restocks the lot they left
// from), so they are already part of onHand: counting them as a separate destination would count
// them twice. shipped is gross (everything that left to a customer or into a production run);
// returned is the part of it that came back. unexplained > 0: units missing from the records;
// < 0: units on hand that no record brought in.

/** The raw terms of one lot, as mass-balance.server.ts reads them (all in units, >= 0 unless noted). */
export interface LotBalanceTerms {
  /** RECEIVED + PRODUCED ledger deltas. */
  received: number;
  /** Units on active (not reversed) allocations of the lot: shipped to customers. */
  shippedToCustomers: number;
  /** Units returned onto those allocations (refund with restock `return`). */
  returned: number;
  /** CONSUMED ledger units: went into a production run (the output lot is downstream, in scope). */
  consumed: number;
  /** ADJUSTED with reason `damaged`: written off / destroyed. */
  destroyed: number;
  /** Units removed by every other correction (ADJUSTED, COUNTED, RECONCILED); negative when they added units. */
  adjusted: number;
  /** Units in lot_balances now, every location. */
  onHand: number;
}

export interface MassBalance {
  received: number;
  shipped: number;
  onHand: number;
  returned: number;
  destroyed: number;
  adjusted: number;
  unexplained: number;
}

export const EMPTY_MASS_BALANCE: MassBalance = { received: 0, shipped: 0, onHand: 0, returned: 0, destroyed: 0, adjusted: 0, unexplained: 0 };

export function massBalanceOf(t: LotBalanceTerms): MassBalance {
  const shipped = t.shippedToCustomers + t.consumed;
  return {
    received: t.received,
    shipped,
    onHand: t.onHand,
    returned: t.returned,
    destroyed: t.destroyed,
    adjusted: t.adjusted,
    unexplained: t.received - shipped + t.returned - t.onHand - t.destroyed - t.adjusted,
  };
}

/** The scope's balance: the sum of its lots' (a lot made from another counts its own receipt, PRODUCED). */
export function sumMassBalances(balances: MassBalance[]): MassBalance {
  const total = { ...EMPTY_MASS_BALANCE };
  for (const b of balances) {
    for (const key of Object.keys(total) as (keyof MassBalance)[]) total[key] += b[key];
  }
  return total;
}
