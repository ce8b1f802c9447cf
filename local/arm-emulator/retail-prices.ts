/**
 * The Azure Retail Prices API (`GET /api/retail/prices?$filter=…&currencyCode=…`, public, no
 * credential), for the emulator's seeded VM sizes: the same JSON shape (`BillingCurrency`,
 * `Items`, `NextPageLink`, `Count`), several meters per size as Azure has them (Linux, Windows,
 * Spot, Low Priority), a `$filter` of `field eq 'value'` terms joined by `and` as the control plane
 * sends it, and Azure's 400 for a filter it cannot read.
 */
import type { FastifyInstance } from 'fastify';
import type { EmulatorContext } from './context';

/** Pay-as-you-go Linux USD per hour in westeurope (public list prices, rounded), per seeded size. */
const LINUX_USD: Record<string, number> = {
  Standard_DS1_v2: 0.073,
  Standard_DS2_v2: 0.146,
  Standard_DS3_v2: 0.293,
  Standard_DS4_v2: 0.585,
  Standard_DS5_v2: 1.17,
  Standard_E4s_v3: 0.296,
  Standard_NC6s_v3: 3.823,
};

/** The Retail Prices API converts to these; another code is refused. */
const USD_RATES: Record<string, number> = { USD: 1, EUR: 0.92, GBP: 0.79 };

interface PriceItem {
  currencyCode: string;
  tierMinimumUnits: number;
  retailPrice: number;
  unitPrice: number;
  armRegionName: string;
  location: string;
  effectiveStartDate: string;
  meterId: string;
  meterName: string;
  productId: string;
  skuId: string;
  productName: string;
  skuName: string;
  serviceName: string;
  serviceId: string;
  serviceFamily: string;
  unitOfMeasure: string;
  type: string;
  isPrimaryMeterRegion: boolean;
  armSkuName: string;
}

/** Every meter of every seeded size in every seeded region, in USD. */
function catalog(ctx: EmulatorContext): PriceItem[] {
  const items: PriceItem[] = [];
  for (const [region, sizes] of Object.entries(ctx.seed.vmSizes)) {
    for (const size of sizes) {
      const linux = LINUX_USD[size.name];
      if (linux === undefined) continue;
      const short = size.name.replace(/^Standard_/, '').replace(/_/g, ' ');
      const series = `Virtual Machines ${size.family.replace(/^standard|Family$/g, '')} Series`;
      const meter = (kind: string, price: number, productSuffix: string, type = 'Consumption', unit = '1 Hour'): PriceItem => ({
        currencyCode: 'USD',
        tierMinimumUnits: 0,
        retailPrice: price,
        unitPrice: price,
        armRegionName: region,
        location: region === 'westeurope' ? 'EU West' : region,
        effectiveStartDate: '2024-01-01T00:00:00Z',
        meterId: `emulator-${region}-${size.name}-${kind}`.toLowerCase(),
        meterName: kind === '' ? short : `${short} ${kind}`,
        productId: 'DZH318Z0BQ4B',
        skuId: `DZH318Z0BQ4B/${kind || 'std'}`,
        productName: `${series}${productSuffix}`,
        skuName: kind === '' ? short : `${short} ${kind}`,
        serviceName: 'Virtual Machines',
        serviceId: 'DZH313Z7MMC8',
        serviceFamily: 'Compute',
        unitOfMeasure: unit,
        type,
        isPrimaryMeterRegion: true,
        armSkuName: size.name,
      });
      items.push(
        meter('', linux, ''),
        meter('', round(linux * 1.9), ' Windows'),
        meter('Spot', round(linux * 0.2), ''),
        meter('Low Priority', round(linux * 0.2), ''),
        meter('', round(linux * 8760 * 0.62), '', 'Reservation', '1 Year'),
      );
    }
  }
  return items;
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

/** `field eq 'value' and …` → the terms; null when the filter is something else. */
function parseFilter(filter: string): [string, string][] | null {
  const terms: [string, string][] = [];
  for (const part of filter.split(/\s+and\s+/i)) {
    const match = /^\s*(\w+)\s+eq\s+'((?:[^']|'')*)'\s*$/i.exec(part);
    if (!match?.[1] || match[2] === undefined) return null;
    terms.push([match[1], match[2].replace(/''/g, "'")]);
  }
  return terms;
}

/** The filter's field names as the API knows them; `priceType` filters on `type`. */
function fieldOf(item: PriceItem, name: string): unknown {
  const key = name.toLowerCase() === 'pricetype' ? 'type' : Object.keys(item).find((field) => field.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : (item as unknown as Record<string, unknown>)[key];
}

export function registerRetailPrices(app: FastifyInstance, ctx: EmulatorContext): void {
  app.get('/api/retail/prices', async (request, reply) => {
    ctx.stats.count('GET', 'retailPrices/list');
    const query = request.query as Record<string, string | undefined>;
    const currency = (query.currencyCode ?? 'USD').replace(/'/g, '').toUpperCase();
    const rate = USD_RATES[currency];
    const terms = query.$filter === undefined ? [] : parseFilter(query.$filter);
    if (rate === undefined || terms === null) {
      return reply.code(400).send({ Error: { Code: 'BadRequest', Message: 'Invalid OData parameters supplied' } });
    }
    const items = catalog(ctx)
      .filter((item) => terms.every(([name, value]) => fieldOf(item, name) === value))
      .map((item) => ({ ...item, currencyCode: currency, retailPrice: round(item.retailPrice * rate), unitPrice: round(item.unitPrice * rate) }));
    return reply.send({
      BillingCurrency: 'USD',
      CustomerEntityId: 'Default',
      CustomerEntityType: 'Retail',
      Items: items,
      NextPageLink: null,
      Count: items.length,
    });
  });
}
