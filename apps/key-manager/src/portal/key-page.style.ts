/**
 * The self-service key page's stylesheet, served as /keys.css: the page's CSP allows styles from its own origin
 * only (no inline style), so every colour of the charts is a class here.
 */
export const KEY_PAGE_STYLE = `
body { font-family: system-ui, sans-serif; margin: 0; color: #1b2a3a; background: #f5f7fa; }
header {
  display: flex; justify-content: space-between; align-items: center; gap: 1rem; flex-wrap: wrap; padding: 1rem 2rem;
  background: #1b3a5c; color: #fff;
}
header h1 { margin: 0; font-size: 1.4rem; }
header a { color: #fff; }
#session { font-size: .95rem; text-align: right; }
#session button {
  margin-left: .5rem; padding: .3rem .8rem; border: 1px solid #fff; border-radius: 4px; background: transparent;
  color: #fff; cursor: pointer;
}
main { max-width: 64rem; margin: 0 auto; padding: 1rem 2rem 3rem; }
section {
  background: #fff; border-radius: 6px; padding: 1rem 1.5rem; margin-top: 1.2rem; box-shadow: 0 1px 3px rgba(0,0,0,.08);
}
h2 { font-size: 1.15rem; margin-top: .2rem; }
h3 { font-size: 1.05rem; margin: 0; }
a { color: #1b5aa6; }
button {
  font: inherit; padding: .35rem .9rem; border: 1px solid #1b5aa6; border-radius: 4px; background: #fff; color: #1b5aa6;
  cursor: pointer;
}
button.primary { background: #1b5aa6; color: #fff; }
button.danger { border-color: #a61b1b; color: #a61b1b; }
button:disabled { opacity: .5; cursor: default; }
button[aria-pressed="true"] { background: #1b5aa6; color: #fff; }
:focus-visible { outline: 3px solid #f0a400; outline-offset: 2px; }
input, select { font: inherit; padding: .3rem .4rem; border: 1px solid #8a97a8; border-radius: 4px; }
label { font-weight: 600; }
fieldset { border: 1px solid #d5dbe3; border-radius: 4px; margin: .8rem 0; }
fieldset label { font-weight: normal; }
legend { font-weight: 600; }
.field { display: flex; flex-direction: column; gap: .25rem; max-width: 28rem; }
.row { display: flex; flex-wrap: wrap; gap: .6rem; align-items: center; }
.scope-editor { margin: .4rem 0; }
.scopes { display: grid; grid-template-columns: repeat(auto-fill, minmax(16rem, 1fr)); gap: .2rem 1rem; }
.hint { color: #4d5b6c; font-size: .9rem; }
#status { min-height: 1.4rem; margin: .8rem 0 0; }
#status.error, .error { color: #a61b1b; }
#secret { border: 2px solid #1d6b2c; background: #f1f9f2; border-radius: 6px; padding: .8rem 1rem; margin-top: 1rem; }
#secret-value { font-family: ui-monospace, monospace; width: min(38rem, 100%); }
.keys { list-style: none; padding: 0; margin: 0; }
.key { border-top: 1px solid #e4e8ee; padding: 1rem 0; }
.key:first-child { border-top: 0; }
.key-head { display: flex; flex-wrap: wrap; gap: .6rem; align-items: baseline; }
.state { border-radius: 999px; padding: .05rem .6rem; font-size: .8rem; background: #eef1f5; }
.state-active { background: #e3f1e5; color: #1d6b2c; }
.state-revoked, .state-expired, .state-disabled { background: #fbe6e6; color: #a61b1b; }
dl.facts {
  display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; margin: .6rem 0; font-size: .92rem;
}
dl.facts dt { color: #4d5b6c; }
dl.facts dd { margin: 0; }
code { background: #eef1f5; border-radius: 3px; padding: .1rem .3rem; }
.usage { margin: .6rem 0 0; }
.usage svg { width: 100%; max-width: 44rem; height: auto; display: block; }
.usage .axis { stroke: #8a97a8; stroke-width: 1; }
.usage text { font-size: 11px; fill: #4d5b6c; }
.c2xx { fill: #2e8b57; }
.c3xx { fill: #3d7cc9; }
.c4xx { fill: #e08a00; }
.c5xx { fill: #c0392b; }
.legend { display: flex; gap: 1rem; font-size: .85rem; margin: .3rem 0; padding: 0; list-style: none; }
.legend svg { width: .8rem; height: .8rem; display: inline-block; vertical-align: middle; margin-right: .25rem; }
table { border-collapse: collapse; font-size: .9rem; margin: .5rem 0; }
th, td { text-align: left; padding: .25rem .7rem .25rem 0; border-bottom: 1px solid #e4e8ee; }
th { color: #4d5b6c; }
#history:focus, #history h2:focus { outline: none; }
`;
