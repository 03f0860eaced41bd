/** The page's stylesheet: light and dark themes follow the OS; one column on a phone; no horizontal page overflow. */
export const STATUS_PAGE_CSS = `
:root{color-scheme:light dark;--bg:#f7f7f8;--fg:#1b1d21;--muted:#5f6672;--card:#fff;--line:#dfe1e6;--ok:#1f7a3d;--warn:#9a6700;--bad:#b42318;--bad-bg:#fef3f2;--bad-line:#fecdca;--accent:#2457c5;--focus:#2457c5}
@media (prefers-color-scheme:dark){:root{--bg:#121317;--fg:#e7e9ee;--muted:#9aa2af;--card:#1b1d23;--line:#2c2f38;--ok:#4ac26b;--warn:#d4a72c;--bad:#f97066;--bad-bg:#2a1414;--bad-line:#5c2420;--accent:#7aa2ff;--focus:#7aa2ff}}
*{box-sizing:border-box}html,body{overflow-x:hidden}body{margin:0;font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;background:var(--bg);color:var(--fg)}
header{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;padding:.6rem 1.25rem;border-bottom:1px solid var(--line);position:sticky;top:0;background:var(--bg);z-index:1}
header form{flex:1 1 12rem;max-width:22rem}header .links{display:flex;gap:.75rem}
h1{font-size:1.1rem;margin:0}h2{font-size:1rem;margin:1.1rem 0 .4rem;display:flex;flex-wrap:wrap;gap:.25rem .5rem;align-items:baseline}
main{max-width:1280px;margin:0 auto;padding:0 1.25rem 2rem}
a{color:var(--accent)}code{font-size:.85em;word-break:break-all}
.health{display:flex;flex-wrap:wrap;gap:.35rem .9rem;align-items:center;padding:.6rem 0;border-bottom:1px solid var(--line)}
.pill{display:inline-block;padding:.05rem .5rem;border-radius:999px;border:1px solid var(--line);font-size:.8rem}
.count{display:inline-block;min-width:1.6rem;text-align:center;padding:0 .4rem;border-radius:999px;background:var(--line);font-size:.8rem}
.ok{color:var(--ok)}.warn{color:var(--warn)}.bad{color:var(--bad)}.muted{color:var(--muted)}.small{font-size:.8rem;font-weight:normal}
ul.items{list-style:none;margin:0;padding:0;display:grid;gap:.5rem}
.item{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:.55rem .7rem;min-width:0;overflow-wrap:anywhere}
.bad-item{background:var(--bad-bg);border-color:var(--bad-line)}
.row{display:flex;flex-wrap:wrap;justify-content:space-between;align-items:center;gap:.4rem}.buttons{display:flex;gap:.4rem}
button{font:inherit;border-radius:6px;border:1px solid var(--line);background:var(--card);color:var(--fg);padding:.3rem .8rem;cursor:pointer;min-height:2rem}
button:hover:not(:disabled){border-color:var(--accent)}
button:focus-visible,input:focus-visible,summary:focus-visible,a:focus-visible{outline:2px solid var(--focus);outline-offset:2px}
button.danger{background:var(--bad);border-color:var(--bad);color:#fff}button.primary{background:var(--accent);border-color:var(--accent);color:#fff}
button:disabled{opacity:.45;cursor:not-allowed;filter:grayscale(1);border-style:dashed}
.table-wrap{overflow-x:auto;max-width:100%}
table{width:100%;border-collapse:collapse;background:var(--card);border:1px solid var(--line);border-radius:8px}
th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid var(--line);vertical-align:top;overflow-wrap:anywhere}
th{font-weight:600;color:var(--muted);font-size:.8rem}
details{margin:.35rem 0}summary{cursor:pointer;padding:.2rem 0}
.pager{display:flex;gap:.75rem;align-items:center;justify-content:center;margin:.6rem 0}
dialog{max-width:560px;width:calc(100% - 2rem);max-height:calc(100vh - 2rem);overflow:auto;border:1px solid var(--line);border-radius:10px;background:var(--card);color:var(--fg)}
dialog::backdrop{background:rgba(0,0,0,.45)}
.dialog-buttons{position:sticky;bottom:0;background:var(--card);padding-top:.5rem;display:flex;gap:.5rem}
ol.steps{max-height:40vh;overflow:auto}
ol.steps li[data-status=completed]::marker{color:var(--ok)}ol.steps li[data-status=failed]{color:var(--bad)}
.error{color:var(--bad);white-space:pre-wrap}
input{font:inherit;padding:.3rem .5rem;border:1px solid var(--line);border-radius:6px;background:var(--bg);color:var(--fg);width:100%}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
@media (max-width:640px){header{padding:.5rem .75rem}main{padding:0 .75rem 1.5rem}.hide-sm{display:none}}
`;
