package org.immunobench.evaluation.leaderboard;

import java.util.ArrayList;
import java.util.List;

/**
 * leaderboard.csv: the table for machines. Raw numbers as Java writes them ({@code Infinity}, {@code NaN}), empty
 * for a missing figure, RFC 4180 quoting and CRLF line ends, keys instead of display headers.
 */
final class Csv {
    private Csv() {
    }

    static String render(LeaderboardTable table) {
        List<String> header = new ArrayList<>(List.of("rank", "tied", "label", "defence", "checkpoint_id",
                "n_seeds"));
        table.columns().forEach(c -> header.add(c.key()));
        header.addAll(List.of("order_spread", "order_ci_low", "order_ci_high", "breaks_stability"));
        StringBuilder sb = new StringBuilder();
        line(sb, header);
        for (LeaderboardRow r : table.rows()) {
            List<String> f = new ArrayList<>(List.of(Integer.toString(r.rank()), Boolean.toString(r.tied()),
                    r.label(), r.defence(), r.checkpointId(), r.nSeeds() == null ? "" : r.nSeeds().toString()));
            table.columns().forEach(c -> f.add(number(r.value(c.key()))));
            f.add(number(r.orderSpread()));
            f.add(number(r.orderCiLow()));
            f.add(number(r.orderCiHigh()));
            f.add(Boolean.toString(r.breaksStability()));
            line(sb, f);
        }
        return sb.toString();
    }

    private static String number(Double v) {
        return v == null ? "" : Double.toString(v);
    }

    private static void line(StringBuilder sb, List<String> fields) {
        for (int i = 0; i < fields.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(field(fields.get(i)));
        }
        sb.append("\r\n");
    }

    /** RFC 4180: quote a field holding a comma, quote or line break, doubling its quotes. */
    static String field(String s) {
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
            return s;
        }
        return '"' + s.replace("\"", "\"\"") + '"';
    }
}
