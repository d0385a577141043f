/** The whole stylesheet of the web pages: small, hand-written, no framework. */
export const STYLE = `
:root{--fg:#1f2328;--muted:#656d76;--line:#d0d7de;--bg:#f6f8fa;--accent:#0969da;--bad:#cf222e;--ok:#1a7f37;--warn:#9a6700}
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);background:#fff}
a{color:var(--accent);text-decoration:none}a:hover{text-decoration:underline}
header.top{display:flex;align-items:center;gap:1rem;padding:.5rem 1rem;border-bottom:1px solid var(--line);background:var(--bg)}
header.top .brand{font-weight:700;color:var(--fg)}header.top nav{display:flex;gap:.25rem;flex-wrap:wrap;flex:1}
header.top nav a{padding:.25rem .6rem;border-radius:6px;color:var(--fg)}header.top nav a.active{background:#fff;border:1px solid var(--line)}
header.top .who{color:var(--muted);display:flex;gap:.5rem;align-items:center}
main{padding:1rem}h1{font-size:1.25rem;margin:.2rem 0 1rem}h2{font-size:1.05rem;margin:1.2rem 0 .5rem}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid var(--line);padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:var(--bg);font-weight:600}
button,.button{font:inherit;padding:.3rem .8rem;border:1px solid var(--line);border-radius:6px;background:#fff;cursor:pointer;color:var(--fg)}
button.primary{background:var(--accent);border-color:var(--accent);color:#fff}button.link{border:0;background:none;color:var(--accent);padding:0}
input,select,textarea{font:inherit;padding:.3rem .45rem;border:1px solid var(--line);border-radius:6px;max-width:100%}
textarea{width:100%;min-height:5rem}label{display:block;margin:.5rem 0 .2rem;font-weight:600}
.muted{color:var(--muted)}.bad{color:var(--bad)}.ok{color:var(--ok)}.warn{color:var(--warn)}
.notice{padding:.5rem .75rem;border-radius:6px;border:1px solid var(--line);background:var(--bg);margin:.5rem 0}
.notice.bad{border-color:#ffb3b8;background:#fff0f0}.notice.warn{border-color:#e6cf7a;background:#fff8e1}
.card{border:1px solid var(--line);border-radius:8px;padding:.75rem;margin-bottom:.75rem}
.badge{display:inline-block;padding:0 .45rem;border-radius:10px;font-size:12px;border:1px solid var(--line);background:var(--bg)}
.badge.open{border-color:#54aeff;background:#ddf4ff}.badge.pending{border-color:#d4a72c;background:#fff8c5}.badge.resolved{border-color:#4ac26b;background:#dafbe1}
.badge.unread{background:var(--accent);border-color:var(--accent);color:#fff}
.login{max-width:22rem;margin:4rem auto}.login input{width:100%}
.inline{display:inline}.row{display:flex;gap:.5rem;align-items:center;flex-wrap:wrap}
`;
