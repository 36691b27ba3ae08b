package io.meshwork.samples.voting.result;

import static io.meshwork.samples.voting.http.Exchanges.html;

/**
 * The result page: two bars and a total, updated from {@code stream} (relative URL, so the page
 * also works behind a gateway that serves it under a path prefix).
 */
final class ResultPage {
    private ResultPage() {}

    static String render(ResultConfig config) {
        return TEMPLATE.replace("{{A}}", html(config.optionA())).replace("{{B}}", html(config.optionB()));
    }

    private static final String TEMPLATE = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{{A}} vs {{B}} -- Result</title>
            <style>
              body { font-family: Helvetica, Arial, sans-serif; margin: 0; background: #fafafa; color: #333; }
              .bars { display: flex; height: 70vh; }
              .bar { display: flex; flex-direction: column; justify-content: center; align-items: center; color: white;
                     transition: flex-grow .4s ease; flex-basis: 0; min-width: 8em; }
              .a { background: #0a74da; } .b { background: #00a86b; }
              .pct { font-size: 3.5em; font-weight: 200; }
              .label { font-size: 1.6em; }
              .total { text-align: center; font-size: 1.3em; margin: 1em; }
              .status { text-align: center; color: #999; font-size: .8em; }
            </style></head>
            <body>
            <div class="bars">
              <div class="bar a" id="bar-a" style="flex-grow: 1"><div class="label">{{A}}</div><div class="pct" id="pct-a">50.0%</div></div>
              <div class="bar b" id="bar-b" style="flex-grow: 1"><div class="label">{{B}}</div><div class="pct" id="pct-b">50.0%</div></div>
            </div>
            <p class="total"><span id="total">No votes</span></p>
            <p class="status" id="status">connecting&hellip;</p>
            <script>
              const $ = id => document.getElementById(id);
              function show(t) {
                const a = t.total ? t.percent_a : 50, b = t.total ? t.percent_b : 50;
                $('pct-a').textContent = a.toFixed(1) + '%';
                $('pct-b').textContent = b.toFixed(1) + '%';
                $('bar-a').style.flexGrow = Math.max(a, 1);
                $('bar-b').style.flexGrow = Math.max(b, 1);
                $('total').textContent = t.total === 0 ? 'No votes' : t.total === 1 ? '1 vote' : t.total + ' votes';
              }
              const stream = new EventSource('stream');
              stream.onmessage = e => { show(JSON.parse(e.data)); $('status').textContent = 'live'; };
              stream.onerror = () => { $('status').textContent = 'reconnecting\\u2026'; };
            </script>
            </body></html>
            """;
}
