package io.asyncore.benchmarks.report;

import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Grouped bar charts as self-contained SVG text: no script, no web font, no external service,
 * so BENCHMARKS.md can show them straight from the repository.
 *
 * <p>One group of bars per category (say "C = 1", "C = 50", "C = 1000"), one bar per series in
 * each group (say one per server), a legend, a title, and a y axis from zero to a round value
 * above the largest bar, labelled in the chart's unit. A value may be {@link Double#NaN} for "not
 * measured": that bar is left out and marked "n/a", never drawn as a zero.
 */
public final class Charts {
    /** Series colours (Okabe and Ito's palette, which colour-blind readers tell apart), in order. */
    private static final String[] COLOURS = {"#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00",
            "#F0E442", "#000000"};
    private static final int WIDTH = 760;
    private static final int LEFT = 72;
    private static final int RIGHT = 16;
    private static final int TOP = 44;
    private static final int PLOT_HEIGHT = 260;
    private static final int TICKS = 5;

    private Charts() {
    }

    /**
     * One bar per category of a chart.
     *
     * @param name the legend's label, such as a server's name
     * @param values one value per category, in the chart's order; {@code NaN} where not measured
     */
    public record Series(String name, List<Double> values) {
        /** Copies the values; null names or values are refused. */
        public Series {
            Objects.requireNonNull(name, "name");
            values = List.copyOf(Objects.requireNonNull(values, "values"));
        }
    }

    /**
     * A grouped bar chart as SVG text.
     *
     * @param title the chart's title, shown above it
     * @param unit the values' unit, shown on the y axis (such as {@code round trips/s})
     * @param categories the groups, left to right
     * @param series the bars of each group, in legend order; at most 8
     * @return a complete SVG document
     * @throws IllegalArgumentException when there are no categories or series, too many series, a
     *     series with a different number of values than there are categories, or a negative or
     *     infinite value
     */
    public static String groupedBars(String title, String unit, List<String> categories, List<Series> series) {
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(unit, "unit");
        if (categories.isEmpty()) {
            throw new IllegalArgumentException("chart '" + title + "' has no categories: give at least one");
        }
        if (series.isEmpty() || series.size() > COLOURS.length) {
            throw new IllegalArgumentException("chart '" + title + "' has " + series.size() + " series: give 1 to "
                    + COLOURS.length);
        }
        double max = 0;
        for (Series s : series) {
            if (s.values().size() != categories.size()) {
                throw new IllegalArgumentException("series '" + s.name() + "' of chart '" + title + "' has "
                        + s.values().size() + " values for " + categories.size() + " categories " + categories);
            }
            for (int i = 0; i < s.values().size(); i++) {
                double v = s.values().get(i);
                if (v < 0 || Double.isInfinite(v)) {
                    throw new IllegalArgumentException("series '" + s.name() + "' of chart '" + title + "' has " + v
                            + " at " + categories.get(i) + ": values must be finite and >= 0 (NaN for not measured)");
                }
                if (!Double.isNaN(v)) {
                    max = Math.max(max, v);
                }
            }
        }
        double top = niceCeiling(max);
        int plotWidth = WIDTH - LEFT - RIGHT;
        double slot = (double) plotWidth / categories.size();
        // Labels wider than their slot (about 7 px a character at 12 px) are slanted, and get room below.
        int longest = categories.stream().mapToInt(String::length).max().orElse(0);
        boolean slanted = longest * 7.0 > slot;
        int labelRoom = slanted ? (int) Math.ceil(longest * 7.0 * 0.6) : 0;
        int legendRows = (series.size() + 3) / 4;
        int height = TOP + PLOT_HEIGHT + 28 + labelRoom + legendRows * 20 + 12;
        int baseline = TOP + PLOT_HEIGHT;

        StringBuilder svg = new StringBuilder();
        svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH).append("\" height=\"").append(height)
                .append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(height)
                .append("\" role=\"img\" aria-label=\"").append(escape(title)).append("\" font-family=\"sans-serif\">\n");
        svg.append("<title>").append(escape(title)).append("</title>\n");
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
        svg.append(text(WIDTH / 2.0, 24, "middle", 16, "bold", title));

        // The y axis: gridlines and labels at round values, the unit written along it.
        for (int i = 0; i <= TICKS; i++) {
            double value = top * i / TICKS;
            double y = baseline - PLOT_HEIGHT * (double) i / TICKS;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\"/>\n",
                    LEFT, y, WIDTH - RIGHT, y, i == 0 ? "#333333" : "#dddddd"));
            svg.append(text(LEFT - 6, y + 4, "end", 11, "normal", compact(value)));
        }
        svg.append(String.format(Locale.ROOT,
                "<text x=\"14\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"11\" transform=\"rotate(-90 14 %.1f)\">%s</text>\n",
                baseline - PLOT_HEIGHT / 2.0, baseline - PLOT_HEIGHT / 2.0, escape(unit)));

        // The bars: each category's group takes 80% of its slot, shared by the series.
        double bar = slot * 0.8 / series.size();
        for (int c = 0; c < categories.size(); c++) {
            double groupLeft = LEFT + slot * c + slot * 0.1;
            for (int s = 0; s < series.size(); s++) {
                double v = series.get(s).values().get(c);
                double x = groupLeft + bar * s;
                if (Double.isNaN(v)) {
                    svg.append(text(x + bar / 2, baseline - 4, "middle", 10, "normal", "n/a"));
                    continue;
                }
                double h = top == 0 ? 0 : PLOT_HEIGHT * v / top;
                svg.append(String.format(Locale.ROOT,
                        "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\">"
                                + "<title>%s, %s: %s %s</title></rect>\n",
                        x, baseline - h, Math.max(bar - 2, 1), h, COLOURS[s], escape(series.get(s).name()),
                        escape(categories.get(c)), compact(v), escape(unit)));
                svg.append(text(x + bar / 2, baseline - h - 3, "middle", 10, "normal", compact(v)));
            }
            double labelX = LEFT + slot * c + slot / 2;
            if (slanted) {
                svg.append(String.format(Locale.ROOT,
                        "<text x=\"%.1f\" y=\"%d\" text-anchor=\"end\" font-size=\"12\" transform=\"rotate(-35 %.1f %d)\">%s</text>\n",
                        labelX, baseline + 14, labelX, baseline + 14, escape(categories.get(c))));
            } else {
                svg.append(text(labelX, baseline + 16, "middle", 12, "normal", categories.get(c)));
            }
        }

        // The legend, four series a row.
        for (int s = 0; s < series.size(); s++) {
            double x = LEFT + (s % 4) * (plotWidth / 4.0);
            double y = baseline + 36 + labelRoom + (s / 4) * 20;
            svg.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"12\" fill=\"%s\"/>\n",
                    x, y - 10, COLOURS[s]));
            svg.append(text(x + 18, y, "start", 12, "normal", series.get(s).name()));
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    /** The smallest of 1, 2, 2.5, 5 times a power of ten that is at least {@code max}; 1 for an empty chart. */
    static double niceCeiling(double max) {
        if (max <= 0) {
            return 1;
        }
        double power = Math.pow(10, Math.floor(Math.log10(max)));
        for (double step : new double[] {1, 2, 2.5, 5, 10}) {
            if (step * power >= max * (1 - 1e-12)) {
                return step * power;
            }
        }
        return 10 * power;
    }

    /** {@code 950}, {@code 9k}, {@code 12.5k}, {@code 1.2M}, {@code 0.35}: short labels that fit over a bar, one style per chart. */
    static String compact(double v) {
        if (v >= 1e9) {
            return trim(v / 1e9) + "G";
        }
        if (v >= 1e6) {
            return trim(v / 1e6) + "M";
        }
        if (v >= 1e3) {
            return trim(v / 1e3) + "k";
        }
        return trim(v);
    }

    private static String trim(double v) {
        String s = v >= 100 ? String.format(Locale.ROOT, "%.0f", v)
                : v >= 10 ? String.format(Locale.ROOT, "%.1f", v) : String.format(Locale.ROOT, "%.2f", v);
        return s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
    }

    private static String text(double x, double y, String anchor, int size, String weight, String content) {
        return String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" font-size=\"%d\"%s>%s</text>\n",
                x, y, anchor, size, weight.equals("normal") ? "" : " font-weight=\"" + weight + "\"", escape(content));
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
