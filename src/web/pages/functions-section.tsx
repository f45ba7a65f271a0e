/**
 * The dashboard's functions: each with its warming (URL pings with their latency, or direct invokes with their
 * measured cold starts per day and init durations), and what warming costs against Lambda's free tier
 * (https://aws.amazon.com/lambda/pricing/: 1,000,000 requests and 400,000 GB-s a month).
 */
import type { FunctionView } from '../views';
import { warmingCostView } from '../warming-views';
import { BarChart, LatencyChart } from './chart';
import { Head, PingCell } from './parts';

const percent = (share: number) => `${(share * 100).toFixed(share < 0.001 ? 3 : 2)} %`;
const whole = (n: number) => Math.round(n).toLocaleString('en-US');

export function FunctionsSection(props: { functions: FunctionView[] }) {
  return (
    <section>
      <h2>Functions</h2>
      <div class="cards">
        {props.functions.map((fn) => (
          <FunctionCard fn={fn} />
        ))}
      </div>
      {props.functions.length === 0 && <p class="muted">No functions known yet.</p>}
      <WarmingCostSection functions={props.functions} />
    </section>
  );
}

function FunctionCard({ fn }: { fn: FunctionView }) {
  const invoked = fn.warm.via === 'invoke';
  return (
    <div class="card" data-function={fn.name}>
      <strong>{fn.name}</strong>
      <div class="muted">
        {fn.url ? <a href={fn.url}>{fn.url}</a> : 'no URL'} · warming: {fn.warming} · {fn.warm.memorySize} MB
      </div>
      <div>
        Last {invoked ? 'warming invoke' : 'ping'}: <PingCell ping={fn.lastPing} />
      </div>
      {invoked ? <ColdStartCharts fn={fn} /> : fn.pings.length > 0 ? <LatencyChart title={`Ping latency of ${fn.name}`} series={fn.pings} /> : <p class="muted">No pings yet.</p>}
    </div>
  );
}

/** Cold starts per day and init duration over time, both measured from the REPORT lines of the warming invokes. */
function ColdStartCharts({ fn }: { fn: FunctionView }) {
  const { coldStartsPerDay, initDurations } = fn.warm;
  if (coldStartsPerDay.length === 0) return <p class="muted">No warming invokes yet.</p>;
  return (
    <div class="charts" data-cold-starts>
      <figure>
        <BarChart title={`Cold starts per day of ${fn.name}`} series={coldStartsPerDay} unit="cold starts" />
        <figcaption>Cold starts per day (Init Duration in REPORT)</figcaption>
      </figure>
      <figure>
        {initDurations.length > 0 ? <LatencyChart title={`Init duration of ${fn.name}`} series={initDurations} noun="cold starts" /> : <p class="muted">No cold start lately.</p>}
        <figcaption>Init duration of recent cold starts</figcaption>
      </figure>
    </div>
  );
}

function WarmingCostSection(props: { functions: FunctionView[] }) {
  const cost = warmingCostView(props.functions.map((f) => ({ name: f.name, warming: f.warm })));
  if (cost.functions.length === 0) return null;
  return (
    <div data-warming-cost>
      <h2>What warming costs</h2>
      <p class="muted">
        Per month at one run every 5 minutes (730 hours), against Lambda’s free tier of 1,000,000 requests and 400,000 GB-s. Billed duration: measured from
        the REPORT lines of warming invokes; for URL pings, the round trip (an estimate, an upper bound).
      </p>
      <div class="wide">
        <table>
          <Head columns={['Function', 'Instances', 'Memory', 'Billed', 'Invocations / month', 'Free requests', 'GB-s / month', 'Free GB-s']} />
          <tbody>
            {cost.functions.map((c) => (
              <tr data-cost={c.functionName}>
                <td>{c.functionName}</td>
                <td class="num">{c.instances}</td>
                <td class="num">{c.memorySize} MB</td>
                <td class="num">
                  {c.billedMs} ms{c.billedMeasured ? '' : ' (est.)'}
                </td>
                <td class="num">{whole(c.invocationsPerMonth)}</td>
                <td class="num">{percent(c.shareOfFreeRequests)}</td>
                <td class="num">{c.gbSecondsPerMonth.toFixed(1)}</td>
                <td class="num">{percent(c.shareOfFreeGbSeconds)}</td>
              </tr>
            ))}
            <tr data-cost-total>
              <th>Total</th>
              <td />
              <td />
              <td />
              <th class="num">{whole(cost.total.invocationsPerMonth)}</th>
              <th class="num">{percent(cost.total.shareOfFreeRequests)}</th>
              <th class="num">{cost.total.gbSecondsPerMonth.toFixed(1)}</th>
              <th class="num">{percent(cost.total.shareOfFreeGbSeconds)}</th>
            </tr>
          </tbody>
        </table>
      </div>
    </div>
  );
}
