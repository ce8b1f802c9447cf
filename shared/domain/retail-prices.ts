/**
 * The Azure Retail Prices API's answer, read pure: which meter is the pay-as-you-go Linux price of
 * a VM size. https://learn.microsoft.com/rest/api/cost-management/retail-prices/azure-retail-prices
 */

/** The fields of one `Items[]` entry this product reads. */
export interface RetailPriceItem {
  currencyCode?: string;
  retailPrice?: number;
  unitOfMeasure?: string;
  armRegionName?: string;
  armSkuName?: string;
  productName?: string;
  skuName?: string;
  meterName?: string;
  type?: string;
}

/** The `$filter` of one (region, VM size) query: every consumption meter of the size there. */
export function retailPriceFilter(region: string, vmSize: string): string {
  const quoted = (value: string) => `'${value.replace(/'/g, "''")}'`;
  return `serviceName eq 'Virtual Machines' and armRegionName eq ${quoted(region.toLowerCase())} and armSkuName eq ${quoted(vmSize)} and priceType eq 'Consumption'`;
}

/**
 * The pay-as-you-go Linux hourly price of the size: consumption meters by the hour, neither Windows
 * (the productName says so) nor Spot nor Low Priority; the lowest when several remain.
 */
export function linuxPayAsYouGo(items: RetailPriceItem[], vmSize: string): { pricePerHour: number; currency: string } | null {
  let best: { pricePerHour: number; currency: string } | null = null;
  for (const item of items) {
    if (item.type !== 'Consumption' || item.unitOfMeasure !== '1 Hour') continue;
    if ((item.armSkuName ?? '').toLowerCase() !== vmSize.toLowerCase()) continue;
    if (/windows/i.test(item.productName ?? '')) continue;
    if (/spot|low priority/i.test(`${item.skuName ?? ''} ${item.meterName ?? ''}`)) continue;
    if (typeof item.retailPrice !== 'number' || !(item.retailPrice >= 0)) continue;
    if (!best || item.retailPrice < best.pricePerHour) best = { pricePerHour: item.retailPrice, currency: item.currencyCode ?? 'USD' };
  }
  return best;
}
