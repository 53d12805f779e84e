/**
 * Writes examples/quickstart/data/customers.csv: a synthetic customer-churn table with a known signal
 * (short tenure, month-to-month contracts, high charges and many support calls raise churn) and a few
 * missing values. Deterministic: the same file every run.
 *   node --import tsx tools/make-quickstart-data.ts
 */
import { writeFileSync } from 'node:fs';
import seedrandom from 'seedrandom';

const ROWS = 1200;
const random = seedrandom.alea('polymodal-quickstart');
const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];
const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());

const contracts = ['month-to-month', 'one-year', 'two-year'] as const;
const regions = ['north', 'south', 'east', 'west'] as const;
const lines = ['customer_id,tenure_months,monthly_charges,contract,region,support_calls,churned'];
for (let i = 0; i < ROWS; i++) {
  const contract = pick(contracts);
  const region = pick(regions);
  const tenure = Math.max(1, Math.round(contract === 'month-to-month' ? 6 + 14 * random() ** 1.5 * 4 : 12 + 60 * random()));
  const charges = Math.round((30 + 90 * random() + 5 * gaussian()) * 100) / 100;
  const calls = Math.floor(-Math.log(1 - random()) * (contract === 'month-to-month' ? 2 : 1));
  const logit = -1.2 + (contract === 'month-to-month' ? 1.6 : contract === 'one-year' ? 0 : -1.3)
    - 0.035 * tenure + 0.022 * (charges - 75) + 0.45 * calls + (region === 'south' ? 0.4 : 0) + 0.3 * gaussian();
  const churned = random() < 1 / (1 + Math.exp(-logit)) ? 'yes' : 'no';
  const missing = random() < 0.03;
  lines.push([`C${String(i + 1).padStart(5, '0')}`, tenure, missing ? '' : charges, contract, region, calls, churned].join(','));
}
writeFileSync(new URL('../examples/quickstart/data/customers.csv', import.meta.url), lines.join('\n') + '\n');
console.log(`wrote ${ROWS} rows`);
