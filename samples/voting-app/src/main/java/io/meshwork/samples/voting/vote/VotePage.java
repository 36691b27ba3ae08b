package io.meshwork.samples.voting.vote;

import static io.meshwork.samples.voting.http.Exchanges.html;

/**
 * The vote page in its two looks.
 *
 * <p>v1 is the classic light page. v2 is a dark card layout with a "v2" badge, a running count
 * of the votes this server has taken, and a "changed your mind?" note when a browser switches
 * sides: differences a person notices at a glance, which is what a canary needs.
 */
final class VotePage {
    private VotePage() {}

    /**
     * @param chosen {@code a}, {@code b} or null when this browser has not voted
     * @param changedFrom the previous choice when this request switched sides, else null
     * @param votesCastHere votes this server took so far (shown by v2)
     */
    static String render(VoteConfig config, String chosen, String changedFrom, long votesCastHere) {
        boolean v2 = config.version().equals("v2");
        String template = v2 ? V2 : V1;
        String choice = chosen == null ? "" : "You voted for <strong>" + html(config.label(chosen)) + "</strong>.";
        String changed = v2 && changedFrom != null
                ? "<p class=\"changed\">Changed your mind? Your vote moved from " + html(config.label(changedFrom))
                  + " to " + html(config.label(chosen)) + "; only the new one counts.</p>"
                : "";
        return template
                .replace("{{A}}", html(config.optionA()))
                .replace("{{B}}", html(config.optionB()))
                .replace("{{SEL_A}}", "a".equals(chosen) ? " selected" : "")
                .replace("{{SEL_B}}", "b".equals(chosen) ? " selected" : "")
                .replace("{{CHOICE}}", choice)
                .replace("{{CHANGED}}", changed)
                .replace("{{COUNT}}", Long.toString(votesCastHere))
                .replace("{{VERSION}}", html(config.version()))
                .replace("{{HOST}}", html(config.hostname()));
    }

    private static final String V1 = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{{A}} vs {{B}}</title>
            <style>
              body { font-family: Helvetica, Arial, sans-serif; background: #f4f4f4; color: #333; text-align: center; margin: 0; }
              h1 { margin-top: 2em; font-weight: 300; }
              form { display: flex; flex-direction: column; align-items: center; gap: 1em; margin: 2em; }
              button { width: 20em; padding: 1.2em; font-size: 1.2em; border: 0; border-radius: 4px; color: white; cursor: pointer; }
              button.a { background: #0a74da; } button.b { background: #00a86b; }
              button.selected { outline: 4px solid #333; }
              .choice { min-height: 1.5em; }
              footer { color: #888; font-size: .8em; margin-top: 3em; }
            </style></head>
            <body data-version="{{VERSION}}">
            <h1>{{A}} vs {{B}}!</h1>
            <form method="POST" action="">
              <button class="a{{SEL_A}}" name="vote" value="a">{{A}}</button>
              <button class="b{{SEL_B}}" name="vote" value="b">{{B}}</button>
            </form>
            <p class="choice">{{CHOICE}}</p>
            <footer>(Tip: you can change your vote) &middot; vote {{VERSION}} &middot; processed by {{HOST}}</footer>
            </body></html>
            """;

    private static final String V2 = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{{A}} or {{B}}? (v2)</title>
            <style>
              body { font-family: system-ui, sans-serif; background: linear-gradient(135deg, #1d1b3a, #3b1f4f); color: #f5f0ff; text-align: center; margin: 0; min-height: 100vh; }
              .badge { display: inline-block; margin-top: 2em; padding: .3em .9em; border-radius: 999px; background: #ff7a59; color: #1d1b3a; font-weight: 700; }
              h1 { font-size: 2.6em; margin: .5em 0; }
              form { display: flex; justify-content: center; gap: 2em; margin: 2em; flex-wrap: wrap; }
              button { width: 12em; height: 12em; font-size: 1.3em; border-radius: 24px; border: 2px solid #ffffff33; background: #ffffff14; color: #fff; cursor: pointer; }
              button:hover { background: #ffffff2a; }
              button.selected { border-color: #ff7a59; box-shadow: 0 0 24px #ff7a59aa; }
              .count { font-size: 1.1em; opacity: .9; }
              .changed { color: #ffcf59; }
              footer { opacity: .6; font-size: .8em; margin-top: 3em; }
            </style></head>
            <body data-version="{{VERSION}}">
            <span class="badge">NEW &middot; v2</span>
            <h1>{{A}} or {{B}}?</h1>
            <form method="POST" action="">
              <button class="a{{SEL_A}}" name="vote" value="a">{{A}}</button>
              <button class="b{{SEL_B}}" name="vote" value="b">{{B}}</button>
            </form>
            <p class="choice">{{CHOICE}}</p>
            {{CHANGED}}
            <p class="count"><span id="count">{{COUNT}}</span> votes cast on this server so far</p>
            <footer>vote {{VERSION}} &middot; processed by {{HOST}}</footer>
            </body></html>
            """;
}
