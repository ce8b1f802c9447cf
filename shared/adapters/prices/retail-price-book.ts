/**
 * Hourly prices of VM sizes from the Azure Retail Prices API (public, no credential), cached a day
 * per (region, VM size); PRICE_OVERRIDES (negotiated rates) win over it. A failed look-up is
 * remembered briefly so a price outage never slows every request, and reports no price (the
 * usage then counts hours without cost) rather than failing the caller.
 */
import type { HourlyPrice } from '../../domain/usage';
import { priceKey } from '../../domain/usage';
import { linuxPayAsYouGo, retailPriceFilter, type RetailPriceItem } from '../../domain/retail-prices';
import type { Clock, PriceBook } from '../../domain/ports';
import type { AppLogEvents } from '../../logging/log-events';

export interface RetailPriceBookOptions {
  /** PRICES_ENDPOINT, e.g. https://prices.azure.com/api/retail/prices. */
  endpoint: string;
  currency: string;
  /** PRICE_OVERRIDES: by `region/vmsize` or `vmsize` (lower case) → price per hour. */
  overrides: Map<string, number>;
  clock: Clock;
  fetch?: typeof fetch;
  log?: (event: 'prices.lookup-failed', fields: AppLogEvents['prices.lookup-failed']) => void;
}

const DAY_MS = 86_400_000;
const FAILURE_MEMORY_MS = 300_000;
/** The API pages by 100 items; a size has a handful of meters, so a few pages always suffice. */
const MAX_PAGES = 5;

export class RetailPriceBook implements PriceBook {
  private readonly cache = new Map<string, { price: HourlyPrice | null; until: number; pending?: Promise<HourlyPrice | null> }>();

  constructor(private readonly options: RetailPriceBookOptions) {}

  get currency(): string {
    return this.options.currency;
  }

  async hourly(region: string, vmSize: string): Promise<HourlyPrice | null> {
    const override = this.options.overrides.get(priceKey(region, vmSize)) ?? this.options.overrides.get(vmSize.toLowerCase());
    if (override !== undefined) return { pricePerHour: override, currency: this.options.currency };
    const key = priceKey(region, vmSize);
    const now = this.options.clock.now().getTime();
    const cached = this.cache.get(key);
    if (cached?.pending) return cached.pending;
    if (cached && cached.until > now) return cached.price;
    const pending = this.lookUp(region, vmSize).then(
      (price) => {
        this.cache.set(key, { price, until: now + DAY_MS });
        return price;
      },
      (error: unknown) => {
        this.options.log?.('prices.lookup-failed', { region, vmSize, message: error instanceof Error ? error.message : String(error) });
        this.cache.set(key, { price: cached?.price ?? null, until: now + FAILURE_MEMORY_MS });
        return cached?.price ?? null;
      },
    );
    this.cache.set(key, { price: cached?.price ?? null, until: 0, pending });
    return pending;
  }

  private async lookUp(region: string, vmSize: string): Promise<HourlyPrice | null> {
    const fetcher = this.options.fetch ?? fetch;
    // Spaces as %20, as the API's documentation writes its queries.
    const separator = this.options.endpoint.includes('?') ? '&' : '?';
    const query = `currencyCode=${encodeURIComponent(`'${this.options.currency}'`)}&$filter=${encodeURIComponent(retailPriceFilter(region, vmSize))}`;
    const items: RetailPriceItem[] = [];
    let next: string | null = `${this.options.endpoint}${separator}${query}`;
    for (let page = 0; next && page < MAX_PAGES; page++) {
      const response = await fetcher(next, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(10_000) });
      if (!response.ok) throw new Error(`The retail prices API answered ${response.status}`);
      const body = (await response.json()) as { Items?: RetailPriceItem[]; NextPageLink?: string | null };
      items.push(...(body.Items ?? []));
      next = body.NextPageLink ?? null;
    }
    const found = linuxPayAsYouGo(items, vmSize);
    return found && { pricePerHour: found.pricePerHour, currency: found.currency };
  }
}
