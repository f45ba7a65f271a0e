/** The one stylesheet, served from /assets so the CSP needs no 'unsafe-inline'. */
export const STYLESHEET = `
:root { color-scheme: light dark; --fg:#1d2430; --muted:#5b6574; --bg:#fff; --line:#d9dee5; --accent:#f38020; --bad:#c62828; --good:#2e7d32; }
@media (prefers-color-scheme: dark) { :root { --fg:#e6e9ee; --muted:#9aa4b2; --bg:#14171c; --line:#2c323b; } }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1100px; padding: 1.5rem; font: 15px/1.5 system-ui, sans-serif; color: var(--fg); background: var(--bg); }
header { display: flex; align-items: baseline; gap: 1rem; border-bottom: 2px solid var(--accent); margin-bottom: 1rem; }
header h1 { margin: 0; font-size: 1.4rem; } header nav a { margin-right: .8rem; }
a { color: inherit; overflow-wrap: anywhere; } h2 { margin-top: 2rem; font-size: 1.15rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; color: var(--muted); font-size: .85rem; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.muted { color: var(--muted); } .bad { color: var(--bad); } .good { color: var(--good); }
.notice { padding: .6rem .8rem; border-left: 4px solid var(--accent); background: color-mix(in srgb, var(--accent) 10%, transparent); }
.notice.error { border-color: var(--bad); }
pre { white-space: pre-wrap; word-break: break-all; max-height: 12rem; overflow: auto; background: color-mix(in srgb, var(--fg) 6%, transparent); padding: .5rem; margin: 0; }
form.inline { display: inline; } button { cursor: pointer; }
textarea { width: 100%; min-height: 4rem; font-family: ui-monospace, monospace; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(340px, 100%), 1fr)); gap: 1rem; }
.wide { overflow-x: auto; max-width: 100%; }
ul.entries, ul.fns { list-style: none; padding: 0; margin: .5rem 0 1rem; }
ul.entries li, ul.fns li { padding: .4rem 0; border-bottom: 1px solid var(--line); overflow-wrap: anywhere; }
.kind { display: inline-block; font-size: .75rem; font-weight: 600; padding: 0 .35rem; border: 1px solid var(--accent); border-radius: 3px; }
.stage { font-size: .8rem; color: var(--muted); font-family: ui-monospace, monospace; }
.url a { font-family: ui-monospace, monospace; font-size: .9rem; } .behind { color: var(--muted); font-size: .9rem; }
svg.chart .bar { fill: var(--accent); }
@media (max-width: 600px) { body { padding: .75rem; } header { flex-wrap: wrap; gap: .25rem 1rem; } table { display: block; overflow-x: auto; } }
.card { border: 1px solid var(--line); border-radius: 6px; padding: .75rem; }
svg.chart .axis { stroke: var(--muted); stroke-width: 1; }
svg.chart .series { fill: none; stroke: var(--accent); stroke-width: 1.5; }
svg.chart .point { fill: var(--accent); } svg.chart .failure { stroke: var(--bad); stroke-width: 2; }
svg.chart .tick { fill: var(--muted); font-size: 10px; }
svg.bar .track { fill: color-mix(in srgb, var(--fg) 10%, transparent); } svg.bar .used { fill: var(--good); }
svg.bar.warn .used { fill: var(--accent); } svg.bar.bad .used { fill: var(--bad); } svg.bar .projected { stroke: var(--fg); stroke-width: 2; }
td.warn { color: var(--accent); } .small { font-size: .85em; } section.usage .charts figure { flex: 1 1 min(420px, 100%); }
.charts { display: flex; flex-wrap: wrap; gap: 1rem; } .charts figure { margin: 0; min-width: 0; max-width: 100%; }
svg.chart { max-width: 100%; height: auto; } .charts figcaption { color: var(--muted); font-size: 0.85em; }
`;
