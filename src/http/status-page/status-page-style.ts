/** The page's stylesheet: light and dark themes follow the OS; one column on a phone. */
export const STATUS_PAGE_CSS = `
:root{color-scheme:light dark;--bg:#f7f7f8;--fg:#1b1d21;--muted:#5f6672;--card:#fff;--line:#dfe1e6;--ok:#1f7a3d;--warn:#9a6700;--bad:#b42318;--bad-bg:#fef3f2;--bad-line:#fecdca;--accent:#2457c5}
@media (prefers-color-scheme:dark){:root{--bg:#121317;--fg:#e7e9ee;--muted:#9aa2af;--card:#1b1d23;--line:#2c2f38;--ok:#4ac26b;--warn:#d4a72c;--bad:#f97066;--bad-bg:#2a1414;--bad-line:#5c2420;--accent:#7aa2ff}}
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;background:var(--bg);color:var(--fg)}
header{display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;align-items:baseline;padding:1rem 1.25rem;border-bottom:1px solid var(--line)}
h1{font-size:1.2rem;margin:0}h2{font-size:1rem;margin:1.5rem 0 .5rem}h3{font-size:.95rem;margin:1rem 0 .25rem}
main{max-width:1200px;margin:0 auto;padding:0 1.25rem 2rem}
.pill{display:inline-block;padding:.05rem .5rem;border-radius:999px;border:1px solid var(--line);font-size:.8rem}
.ok{color:var(--ok)}.warn{color:var(--warn)}.bad{color:var(--bad)}.muted{color:var(--muted)}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(280px,1fr));gap:.75rem}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:.75rem}
.banner{margin-top:.5rem;padding:.5rem;border-radius:6px;background:var(--bad-bg);border:1px solid var(--bad-line);color:var(--bad)}
.banner .row{display:flex;justify-content:space-between;align-items:center;gap:.5rem}
button{font:inherit;border-radius:6px;border:1px solid var(--line);background:var(--card);color:var(--fg);padding:.3rem .8rem;cursor:pointer}
button.danger{background:var(--bad);border-color:var(--bad);color:#fff}
table{width:100%;border-collapse:collapse;background:var(--card);border:1px solid var(--line);border-radius:8px;overflow:hidden}
th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid var(--line);vertical-align:top;word-break:break-word}
th{font-weight:600;color:var(--muted);font-size:.8rem}
dialog{max-width:560px;width:calc(100% - 2rem);border:1px solid var(--line);border-radius:10px;background:var(--card);color:var(--fg)}
dialog::backdrop{background:rgba(0,0,0,.45)}
ol.steps li[data-status=completed]::marker{color:var(--ok)}ol.steps li[data-status=failed]{color:var(--bad)}
.error{color:var(--bad);white-space:pre-wrap}
input{font:inherit;padding:.3rem;border:1px solid var(--line);border-radius:6px;background:var(--bg);color:var(--fg);width:100%}
@media (max-width:640px){header{padding:.75rem}main{padding:0 .75rem 1.5rem}.hide-sm{display:none}}
`;
