//! The report page's stylesheet, inlined so the page stands alone (saved, mailed, printed)
//! and loads nothing: system fonts only, Chinese ones named for systems whose default has no
//! Han; a 46rem column for reading; tables that scroll sideways on a phone instead of
//! squeezing; and print rules (no backgrounds, each chapter on a new page, link targets
//! written out, since paper cannot be clicked).

/// The CSS of the page.
pub(crate) const CSS: &str = r#"
:root{--ink:#1f2328;--muted:#59636e;--rule:#d0d7de;--soft:#f6f8fa;--link:#0b4f8a;--info:#0b5cad;--positive:#1a7f37;--negative:#b42318;--warning:#9a6700}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0 auto;max-width:46rem;padding:1.5rem 1rem 3rem;color:var(--ink);background:#fff;font:1rem/1.7 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,"PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC","Source Han Sans SC",sans-serif;overflow-wrap:break-word}
html:lang(zh) body{line-height:1.85;letter-spacing:.01em}
h1{font-size:1.75rem;line-height:1.3;margin:0 0 .5rem}
h2{font-size:1.35rem;line-height:1.35;margin:2.5rem 0 .75rem;padding-bottom:.3rem;border-bottom:1px solid var(--rule)}
h3{font-size:1.12rem;line-height:1.4;margin:1.75rem 0 .5rem}
h4{font-size:1rem;line-height:1.4;margin:1.25rem 0 .4rem}
p,.p{margin:.8rem 0}
a{color:var(--link)}
ul,ol{padding-left:1.6rem}
li{margin:.25rem 0}
.subtitle{font-size:1.1rem;color:var(--muted);margin:0 0 .5rem}
.meta{font-size:.875rem;color:var(--muted);margin:.25rem 0}
.toc ol{margin:.5rem 0}
.toc .more{font-size:.9rem}
sup.cite{font-size:.72em;line-height:0;white-space:nowrap;margin-left:.1em}
sup.cite a,.cite-list a{text-decoration:none}
.cite-missing{color:var(--muted)}
details.cites{display:inline-block;max-width:100%}
details.cites>summary{display:inline;cursor:pointer;font-size:.78em;color:var(--link);vertical-align:super;line-height:0;list-style:none;white-space:nowrap}
details.cites>summary::-webkit-details-marker{display:none}
details.cites>summary::before{content:"["}
details.cites>summary::after{content:"]"}
.cite-list{font-size:.8em;word-spacing:.1em}
.table-wrap{overflow-x:auto;-webkit-overflow-scrolling:touch;margin:1rem 0}
table{border-collapse:collapse;min-width:100%;font-size:.92rem}
caption{caption-side:top;text-align:left;font-weight:600;padding:.25rem 0}
th,td{border:1px solid var(--rule);padding:.4rem .6rem;text-align:left;vertical-align:top}
th{background:var(--soft);white-space:nowrap}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
blockquote.quote{margin:1.2rem 0;padding:.4rem 1rem;border-left:4px solid var(--rule)}
blockquote.quote p{white-space:pre-line;margin:.25rem 0}
blockquote.quote footer{font-size:.85rem;color:var(--muted)}
.callout{margin:1.2rem 0;padding:.7rem 1rem;border-left:4px solid var(--info);background:#f0f6fc;border-radius:4px}
.callout .p{margin:.25rem 0}
.callout-title{font-weight:600;margin:0 0 .2rem}
.tone-positive{border-color:var(--positive);background:#effaf2}
.tone-negative{border-color:var(--negative);background:#fdf1f0}
.tone-warning{border-color:var(--warning);background:#fff8e5}
.kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(9rem,1fr));gap:.75rem;margin:1.2rem 0}
.kpi{border:1px solid var(--rule);border-radius:6px;padding:.7rem .8rem;background:var(--soft)}
.kpi-value{font-size:1.6rem;font-weight:700;line-height:1.2;font-variant-numeric:tabular-nums}
.kpi-label{font-size:.9rem}
.kpi-note{font-size:.8rem;color:var(--muted)}
figure.chart{margin:1.5rem 0}
figure.chart svg{display:block;width:100%;height:auto}
figure.chart figcaption{font-weight:600;margin-bottom:.5rem}
details.chart-data>summary{font-size:.85rem;color:var(--muted);cursor:pointer}
.origin{font-size:.8rem;color:var(--muted);margin-top:1.2rem}
.source-list{list-style:none;padding-left:0;font-size:.9rem}
.source-list li{margin:.7rem 0;padding-left:3rem;text-indent:-3rem}
.source-list li:target{background:#fff8c5}
.src-num{display:inline-block;min-width:3rem;text-indent:0;font-variant-numeric:tabular-nums;color:var(--muted)}
.src-meta{color:var(--muted)}
.src-url,.src-ref{overflow-wrap:anywhere;word-break:break-all}
.notes{font-size:.92rem}
.back{font-size:.85rem}
footer.colophon{margin-top:3rem;font-size:.8rem;color:var(--muted)}
@media (max-width:30rem){body{padding:1rem .75rem 2rem}h1{font-size:1.45rem}h2{font-size:1.2rem}.kpi-value{font-size:1.35rem}}
@media print{
@page{margin:1.6cm}
*{background:none!important;box-shadow:none!important}
body{max-width:none;padding:0;font-size:11pt;color:#000}
a{color:#000;text-decoration:none}
.chapter{break-before:page}
h2,h3,h4{break-after:avoid}
table,figure,blockquote,.kpi,.callout{break-inside:avoid}
a[href^="http"]:not(.src-url)::after{content:" <" attr(href) ">";font-size:.85em;overflow-wrap:anywhere}
.table-wrap{overflow:visible}
.callout,.kpi{border:1px solid #888}
details.chart-data,.back{display:none}
}
"#;
