import Mustache

/// The console's and the HTML report's templates and style, compiled into the binary: no file, CDN or framework is
/// needed at run time. Mustache escapes every `{{value}}` for HTML.
enum ConsoleTemplates {
    /// The templates by name: `page` (the console), `console` (its live part), `timeline`, `report`.
    static let library: MustacheLibrary = {
        var library = MustacheLibrary()
        for (name, text) in [("page", page), ("console", console), ("timeline", timeline), ("report", report), ("style", style)] {
            // The templates are literals below; a parse error is a programming error caught by every console test.
            guard let template = try? MustacheTemplate(string: text) else { fatalError("console template \(name) does not parse") }
            library.register(template, named: name)
        }
        return library
    }()

    static let style = """
        <style>
        :root { --ok: #0a7d32; --warn: #a65f00; --bad: #b3171d; --ink: #111; --muted: #555; --line: #d0d0d0; --call: #1f5fbf; --wait: #8fb3e8; }
        * { box-sizing: border-box; }
        body { font: 18px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #fff; margin: 0; padding: 1rem; }
        header { display: flex; flex-wrap: wrap; gap: .5rem 1.5rem; align-items: baseline; border-bottom: 3px solid var(--ink); padding-bottom: .5rem; }
        header h1 { font-size: 1.6rem; margin: 0; }
        header .fail { font-size: 1.5rem; flex-basis: 100%; }
        .muted { color: var(--muted); }
        code { font: .9em ui-monospace, "DejaVu Sans Mono", monospace; word-break: break-all; }
        .app { border: 2px solid var(--line); border-radius: .5rem; padding: 1rem; margin: 1rem 0; }
        .app h2 { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; margin: 0 0 .5rem; font-size: 1.5rem; }
        .verdict { display: inline-block; padding: .15rem .6rem; border-radius: .3rem; color: #fff; font-weight: 700; background: var(--warn); }
        .verdict.good { background: var(--ok); }
        .verdict.bad { background: var(--bad); }
        .regions { display: grid; grid-template-columns: repeat(auto-fit, minmax(14rem, 1fr)); gap: .5rem; margin: .5rem 0; }
        .regions div { background: #f4f4f4; padding: .5rem; border-radius: .3rem; }
        .regions strong { display: block; font-size: 1.4rem; }
        table { border-collapse: collapse; width: 100%; margin: .5rem 0; font-size: .95rem; }
        th, td { text-align: left; padding: .3rem .4rem; border-bottom: 1px solid var(--line); vertical-align: top; }
        .pass { color: var(--ok); font-weight: 700; } .fail { color: var(--bad); font-weight: 700; }
        .timeline { margin: .75rem 0; }
        .timeline h3 { margin: .25rem 0; }
        .bar-row { display: grid; grid-template-columns: minmax(8rem, 16rem) 1fr; gap: .5rem; align-items: center; margin: .2rem 0; }
        .track { position: relative; height: 1.6rem; background: #f4f4f4; border-radius: .2rem; }
        .bar { position: absolute; top: 0; bottom: 0; min-width: 3px; background: var(--call); border-radius: .2rem; }
        .bar.wait { background: var(--wait); background-image: repeating-linear-gradient(45deg, transparent 0 6px, rgba(255,255,255,.5) 6px 12px); }
        .bar.failed { background: var(--bad); } .bar.open { background: var(--warn); }
        .bar-label { font-size: .9rem; }
        .rto { font-size: 1.3rem; font-weight: 700; }
        .scroll { overflow-x: auto; }
        @media (max-width: 40rem) { body { font-size: 16px; padding: .5rem; } .bar-row { grid-template-columns: 1fr; } }
        </style>
        """

    static let page = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Switchyard console</title>
        {{> style}}
        </head>
        <body>
        <div id="console" data-fragment="console/fragment">{{> console}}</div>
        <script>
        // Replaces the live part every 2 seconds; the page itself is never reloaded.
        (function () {
          var box = document.getElementById('console');
          var url = new URL(box.getAttribute('data-fragment'), document.baseURI);
          function refresh() {
            fetch(url, { cache: 'no-store' }).then(function (r) { return r.ok ? r.text() : null; })
              .then(function (html) { if (html !== null) { box.innerHTML = html; } }).catch(function () {});
          }
          setInterval(refresh, 2000);
        })();
        </script>
        </body>
        </html>
        """

    static let console = """
        <header>
        <h1>Switchyard</h1>
        <span>commit <code>{{commit}}</code>{{#author}} by {{author}}{{/author}}{{#committedAt}} at {{committedAt}}{{/committedAt}}</span>
        {{#subject}}<span class="muted">“{{subject}}”</span>{{/subject}}
        <span class="{{#ready}}pass{{/ready}}{{^ready}}fail{{/ready}}">{{readiness}}</span>
        <span class="muted">as of {{now}}</span>
        </header>
        {{#refusal}}<p class="fail">Not applied: {{.}}</p>{{/refusal}}
        {{^apps}}<p>No pass has finished yet.</p>{{/apps}}
        {{#apps}}
        <section class="app" id="app-{{name}}">
        <h2><span>{{name}}</span> <span class="verdict {{verdictClass}}" id="verdict-{{name}}" data-verdict="{{verdict}}">{{verdictWords}}</span>{{#code}} <code>[{{.}}]</code>{{/code}}</h2>
        <div class="regions">
        <div>desired active region<strong id="desired-{{name}}">{{activeRegion}}</strong></div>
        {{#live}}<div>{{label}}<strong id="{{key}}-{{name}}">{{value}}</strong>{{#note}}<span class="muted">{{.}}</span>{{/note}}</div>{{/live}}
        </div>
        {{#underWay}}<p><strong>{{.}}</strong></p>{{/underWay}}
        {{#failover}}<div class="failover" id="failover-{{app}}-{{region}}" data-ready="{{ready}}"><p class="{{#ready}}pass{{/ready}}{{^ready}}fail{{/ready}}">{{words}}</p>{{^ready}}<ul>{{#problems}}<li>{{.}}</li>{{/problems}}</ul>{{/ready}}</div>{{/failover}}
        {{#blockers}}<p class="fail">blocked <code>[{{code}}]</code>: {{reason}}</p>{{/blockers}}
        {{#planWarnings}}<p class="fail">warning: {{.}}</p>{{/planWarnings}}
        {{#unobserved}}<p class="fail">could not observe: {{.}}</p>{{/unobserved}}
        {{#inProgress}}<p>in progress: {{.}}</p>{{/inProgress}}
        {{#hasSteps}}
        <div class="scroll"><table><caption class="muted">steps</caption>
        <tr><th>step</th><th>region</th><th>state</th><th>why</th></tr>
        {{#steps}}<tr><td>{{summary}}</td><td>{{region}}</td><td>{{state}}{{#code}} <code>[{{.}}]</code>{{/code}}</td><td>{{reason}}</td></tr>{{/steps}}
        </table></div>
        {{/hasSteps}}
        {{#hasChecks}}
        <table><caption class="muted">safety checks</caption>
        {{#checks}}<tr><td>{{name}}</td><td class="{{#passed}}pass{{/passed}}{{^passed}}fail{{/passed}}">{{#passed}}pass{{/passed}}{{^passed}}fail{{/passed}}</td><td>{{detail}}</td></tr>{{/checks}}
        </table>
        {{/hasChecks}}
        {{#timeline}}{{> timeline}}{{/timeline}}
        </section>
        {{/apps}}
        """

    static let timeline = """
        <div class="timeline" id="timeline-{{app}}">
        <h3>Failover to {{activeRegion}} at <code>{{commit}}</code></h3>
        <p>{{#firstActedAt}}first action {{.}}{{/firstActedAt}}{{#timeToConverge}} · <strong class="rto">time to converge (RTO) {{.}}</strong> from the commit{{/timeToConverge}}{{#rto}} · <span class="rto">converged {{.}} after the first action</span>{{/rto}}{{^rto}} · <strong>not converged yet</strong>{{/rto}}{{#inSync}} · in sync {{.}}{{/inSync}}</p>
        {{#bars}}
        <div class="bar-row" data-step="{{action}}">
        <div class="bar-label">{{label}} <span class="muted">{{region}} · {{duration}}</span></div>
        <div class="track" title="{{title}}"><div class="bar {{kind}} {{outcomeClass}}" style="left: {{left}}%; width: {{width}}%"></div></div>
        </div>
        {{/bars}}
        <p class="muted">0 s = {{origin}}; full width = {{span}}</p>
        </div>
        """

    static let report = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Failover report: {{app}} to {{activeRegion}}</title>
        {{> style}}
        </head>
        <body>
        <header><h1>Failover report: {{app}} → {{activeRegion}}</h1><span class="muted">generated {{generatedAt}}</span></header>
        <table>
        <tr><th>commit</th><td><code>{{commit}}</code> “{{subject}}”</td></tr>
        <tr><th>author</th><td>{{author}}</td></tr>
        <tr><th>committed (merged)</th><td>{{committedAt}} by {{committer}}</td></tr>
        <tr><th>signatures</th><td>{{signature}}</td></tr>
        <tr><th>time to first action</th><td>{{timeToFirstAction}}</td></tr>
        <tr><th>time to converge (measured RTO)</th><td class="rto">{{timeToConverge}}</td></tr>
        <tr><th>last verdict</th><td>{{lastVerdict}}</td></tr>
        </table>
        {{#timeline}}{{> timeline}}{{/timeline}}
        <div class="scroll"><table><caption class="muted">steps</caption>
        <tr><th>step</th><th>resource</th><th>region</th><th>start</th><th>end</th><th>duration</th><th>request id</th><th>outcome</th></tr>
        {{#steps}}<tr><td>{{action}}</td><td><code>{{resource}}</code></td><td>{{region}}</td><td>{{start}}</td><td>{{end}}</td><td>{{duration}}</td><td><code>{{requestID}}</code></td><td>{{outcome}}{{#message}}: {{.}}{{/message}}</td></tr>{{/steps}}
        </table></div>
        {{#hasPending}}<h3>Left pending</h3><ul>{{#pending}}<li>{{.}}</li>{{/pending}}</ul>{{/hasPending}}
        </body>
        </html>
        """
}
